"""The core's own tests: which plugins a test may load, and the models they can use without one.

The core is tested without any plugin installed: every test here runs with
`ISU_LOAD_PLUGINS` empty unless it is marked `@pytest.mark.plugins("fit", ...)`, which
loads just those (FIT and LOKE stand in for "a model with a plugin" in many tests).
Reading and validation need no plugin code: those tests load the FIT and LOKE model
files as YAML-only models (`MODEL_FOLDERS`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from isu_engine.configure.plugins import LOAD_PLUGINS_ENV

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
MODEL_FOLDERS = (ROOT / "plugins" / "fit", ROOT / "plugins" / "loke")


@pytest.fixture(scope="session")
def model_folders() -> tuple[Path, ...]:
    """The FIT and LOKE model files as YAML-only model folders (for `load_registry` or `--plugins-dir`)."""
    return MODEL_FOLDERS


@pytest.fixture(scope="session")
def models_dir_args(model_folders) -> list[str]:
    """`--plugins-dir` for each of `model_folders`, for the command line."""
    return [arg for folder in model_folders for arg in ("--plugins-dir", str(folder))]
SAVED = pytest.StashKey[str | None]()


def pytest_runtest_setup(item):
    """Load no plugin, or those the test's `plugins` marker names (set before any fixture, module-wide ones too)."""
    marker = item.get_closest_marker("plugins")
    item.stash[SAVED] = os.environ.get(LOAD_PLUGINS_ENV)
    os.environ[LOAD_PLUGINS_ENV] = ",".join(marker.args) if marker else ""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    """Put the variable back after the test's fixtures (monkeypatch included) are torn down."""
    yield
    saved = item.stash.get(SAVED, None)
    if saved is None:
        os.environ.pop(LOAD_PLUGINS_ENV, None)
    else:
        os.environ[LOAD_PLUGINS_ENV] = saved


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's, driven by Playwright), one for the whole test session."""
    from playwright.sync_api import sync_playwright

    from browser_support import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser page for one test (its own context, closed afterwards)."""
    from browser_support import new_page

    with new_page(browser) as fresh:
        yield fresh


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups (it names each test by its group)
def pytest_collection_modifyitems(items):
    """Tests that use the browser are marked `browser`, so `pytest -m "not browser"` leaves them out. Tests that
    read `isu demo`'s reports run on one xdist worker (`--dist loadgroup`): it makes them once, and no other
    worker sits waiting for them. So do the tests of the session's demo run (`demo_run`), in a group of their own."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if {"browser", "page"} & fixtures:
            item.add_marker(pytest.mark.browser)
        if {"isu_demo", "demo_outputs"} & fixtures:
            item.add_marker(pytest.mark.xdist_group("isu-demo"))
        elif "demo_run" in fixtures:
            item.add_marker(pytest.mark.xdist_group("demo-run"))
        elif item.get_closest_marker("scipy"):
            item.add_marker(pytest.mark.xdist_group("scipy"))


@pytest.fixture(scope="session")
def demo_outputs(tmp_path_factory, isu_demo) -> dict[str, Path]:
    """The demo's reports (HTML and PDF) in Swedish and English, once per test run: {"sv": folder, "en": folder}."""
    from accessibility_support import write_english_reports

    from shared_runs import every_plugin, made_once

    result, demo = isu_demo
    assert result.code == 0, result.err

    def make(folder: Path) -> None:
        shutil.copytree(demo / "data", folder / "data")
        with every_plugin():
            write_english_reports(folder / "data" / "demo.yaml", folder / "reports")

    return {"sv": demo / "reports", "en": made_once(tmp_path_factory, "demo-en", make) / "reports"}
