"""The web application's test set-up: Django on a fresh database in a temporary data folder.

The database is SQLite unless ISU_DATABASE_URL is set (the PostgreSQL run of these tests sets it).
Tests share one database per session; each makes its own units and users with unique names.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def django_ready(tmp_path_factory):
    os.environ.setdefault("ISU_DATA_DIR", str(tmp_path_factory.mktemp("isu-data")))
    os.environ["DJANGO_SETTINGS_MODULE"] = "isu_engine.serve.settings"
    os.environ.setdefault("ISU_PSEUDONYM_KEY", "")
    # Playwright's sync API keeps an event loop in this thread for the browser tests; the web tests'
    # database calls are ordinary synchronous calls all the same.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, for tests only
    call_command("migrate", verbosity=0, interactive=False)
    yield


def pytest_collection_modifyitems(items):
    """The web application serves the installed models: its tests load FIT, LOKE and GAS."""
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.plugins("fit", "loke", "gas"))


@pytest.fixture()
def runs_as_html_and_json():
    """Runs rendered as HTML and report.json only, for tests that read nothing else of a run. Every format is
    rendered and read in test_web_categories (a run's PDF and workbook) and in the browser tests (through
    `isu serve`)."""
    from isu_engine.serve import jobs

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jobs, "RUN_FORMATS", ("html", "json"))
        yield


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report on the test (`item.rep_call`, …), for a fixture that acts when a test failed (the
    browser tests' screenshots)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
