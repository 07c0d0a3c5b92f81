"""The browser test set-up finds what it should: axe-core reports known WCAG failures in headless Chromium."""

from __future__ import annotations

from browser_support import axe_violations, screenshot

BROKEN_PAGE = """<!DOCTYPE html><html lang="sv"><head><title>Prov</title></head><body><main>
<h1>Prov</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#aaaaaa;background:#ffffff">Ljusgrå text på vitt</p></main></body></html>"""


def test_axe_reports_a_missing_alt_text_and_low_contrast(page):
    page.set_content(BROKEN_PAGE)
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "color-contrast"} <= found


def test_axe_finds_nothing_on_a_plain_page(page):
    page.set_content(BROKEN_PAGE.replace('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">', "")
                     .replace("#aaaaaa", "#333333"))
    assert axe_violations(page) == []


def test_screenshot_writes_a_png(page, tmp_path):
    page.set_content(BROKEN_PAGE)
    path = screenshot(page, tmp_path / "shots" / "prov.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
