"""Headless Chromium for tests: Debian's Chromium driven by Playwright, and axe-core's WCAG checks.

`scripts/setup` installs all three: the `chromium` Debian package, the `playwright` Python
package (its wheel carries the driver; no browser is ever downloaded) and axe-core's
`axe.min.js`, taken from the `axe-core` npm package into `tests/support/`.

The pytest fixtures `browser` (one per test session) and `page` (a fresh page per test) are in
`conftest.py`; tests that use them are marked `browser`, so `pytest -m "not browser"` skips them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = Path(os.environ.get("ISU_CHROMIUM", "/usr/bin/chromium"))
"""Debian's Chromium; another build can be named with the environment variable ISU_CHROMIUM."""

CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""Flags that let Chromium start headless here (as root, no GPU) and keep it off the network.
Playwright adds `--headless` and a fresh user-data folder for every launch."""

AXE_JS = Path(__file__).resolve().parent / "support" / "axe.min.js"
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
"""axe-core's tags for the success criteria of WCAG 2.0 and 2.1, levels A and AA (EN 301 549)."""

VIEWPORT = {"width": 1280, "height": 900}


def launch(playwright: Playwright) -> Browser:
    """Start headless Chromium; a missing browser is a clear failure, never a download."""
    if not CHROMIUM.is_file():
        raise RuntimeError(f"{CHROMIUM} is missing: run scripts/setup (it installs Debian's chromium)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_FLAGS))


@contextmanager
def new_page(browser: Browser, *, viewport: dict | None = None) -> Iterator[Page]:
    """A page in a context of its own, closed afterwards.

    The context bypasses the page's Content-Security-Policy only so that axe-core can be
    injected; the page's own scripts keep their policy.
    """
    context = browser.new_context(viewport=viewport or VIEWPORT, bypass_csp=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def axe_violations(page: Page, tags: Sequence[str] = WCAG_21_AA) -> list[dict]:
    """The axe-core rules with these tags that the page breaks, each with the elements concerned.

    Each violation is a dict with `id`, `impact`, `help` and `nodes` (a list of dicts with
    `target`, the CSS selector, and `summary`, axe's explanation).
    """
    if not AXE_JS.is_file():
        raise RuntimeError(f"{AXE_JS} is missing: run scripts/setup (it fetches axe-core from the npm registry)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }""",
        list(tags),
    )


def describe_violations(violations: list[dict]) -> str:
    """The violations as readable lines, for an assertion message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines += [f"    {node['target']}: {node['summary']}" for node in violation["nodes"][:5]]
    return "\n".join(lines)


def screenshot(page: Page, path: Path, *, full_page: bool = True) -> Path:
    """Save what the page shows as a PNG (the whole page by default) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path
