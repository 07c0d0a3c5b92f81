"""The demo's HTML reports pass axe-core's automated WCAG 2.1 AA rules in headless Chromium,
in Swedish and with the demo config run in English (issue 19; EN 301 549 through DOS-lagen)."""

from __future__ import annotations

import pytest

from browser_support import axe_violations, describe_violations, new_page
from accessibility_support import REPORTS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("report", REPORTS)
def test_report_html_passes_axe_wcag21_aa(browser, demo_outputs, language, report):
    path = demo_outputs[language] / f"{report}.html"
    with new_page(browser) as page:
        page.goto(path.as_uri())
        assert page.evaluate("document.documentElement.lang") == language
        violations = axe_violations(page)
    assert violations == [], f"{path.name} ({language}):\n{describe_violations(violations)}"
