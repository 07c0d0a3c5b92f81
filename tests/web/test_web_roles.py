"""The role matrix, enforced: every URL of the application, visited as every role, as a user of another
unit and as nobody. A URL that the matrix below does not list fails the test."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import get_resolver

from helpers import client_for, make_unit, make_user

ADMIN, ANALYST, MANAGER, STAFF = "admin", "analyst", "manager", "staff"
OTHER_ANALYST, OTHER_MANAGER, OTHER_STAFF, NOBODY = "analyst_b", "manager_b", "staff_b", "nobody"
EVERYONE = (ADMIN, ANALYST, MANAGER, STAFF, OTHER_ANALYST, OTHER_MANAGER, OTHER_STAFF, NOBODY)
SIGNED_IN = set(EVERYONE) - {NOBODY}
UNIT_A_ALL = {ADMIN, ANALYST, MANAGER, STAFF}
PUBLIC = set(EVERYONE)

# URL name -> [(which objects fill the URL, who may open it)]; the objects are built below.
MATRIX = {
    "home": [("none", SIGNED_IN)],
    "static": [("static", PUBLIC)],
    "login": [("none", PUBLIC)],
    "logout": [("none", PUBLIC)],
    "language": [("none", PUBLIC)],
    "password_change": [("none", SIGNED_IN)],
    "otp_setup": [("none", SIGNED_IN)],
    "otp_verify": [("none", SIGNED_IN)],
    "admin_units": [("none", {ADMIN})],
    "admin_unit": [("unit", {ADMIN})],
    "admin_users": [("none", {ADMIN})],
    "admin_user": [("user", {ADMIN})],
    "admin_settings": [("none", {ADMIN})],
    "admin_audit": [("none", {ADMIN})],
    "admin_audit_export": [("none", {ADMIN})],
    "unit": [("unit", UNIT_A_ALL)],
    "dataset_new": [("unit", {ANALYST})],
    "erase_client": [("unit", {ANALYST})],
    "decisions": [("unit", UNIT_A_ALL)],
    "comparison": [("unit", UNIT_A_ALL)],
    "comparison_report": [("unit", UNIT_A_ALL)],
    "all_units_comparison": [("none", {ADMIN})],
    "all_units_comparison_report": [("none", {ADMIN})],
    "reflection_export": [("unit", {ANALYST, MANAGER})],
    "reflection_import": [("unit", {ANALYST})],
    "dataset": [("dataset", {ANALYST})],
    "dataset_config": [("dataset", {ANALYST})],
    "dataset_config_download": [("dataset", {ANALYST})],
    "upload_new": [("dataset", {ANALYST})],
    "run_new": [("dataset", {ANALYST})],
    "upload": [("upload", {ANALYST})],
    "upload_mapping": [("upload", {ANALYST})],
    "upload_categories": [("upload", {ANALYST})],
    "upload_validation_csv": [("upload", {ANALYST})],
    "upload_quarantine_csv": [("upload", {ANALYST})],
    "job": [("job", {ANALYST})],
    "job_rerun": [("job", {ANALYST})],
    "run": [("draft", {ANALYST, MANAGER}), ("published", UNIT_A_ALL), ("internal", {ANALYST, MANAGER})],
    "run_report": [("draft", {ANALYST, MANAGER}), ("published", UNIT_A_ALL), ("internal", {ANALYST, MANAGER})],
    "run_download": [("draft_pdf", {ANALYST, MANAGER}), ("published_pdf", UNIT_A_ALL)],
    "run_publish": [("draft", {MANAGER})],
    "meeting": [("published", UNIT_A_ALL), ("draft", {ANALYST, MANAGER})],
    "add_interpretation": [("published", {ANALYST, MANAGER, STAFF})],
    "add_decision": [("published", {MANAGER})],
    "decision_followed_up": [("decision", {MANAGER})],
}


@pytest.fixture(scope="module")
def world():
    from isu_engine.serve.models import Dataset, Decision, Job, Run, RunFile, Upload

    unit_a, unit_b = make_unit(), make_unit()
    users = {ADMIN: make_user(administrator=True), NOBODY: None}
    for key, role, unit in ((ANALYST, "analyst", unit_a), (MANAGER, "manager", unit_a), (STAFF, "staff", unit_a),
                            (OTHER_ANALYST, "analyst", unit_b), (OTHER_MANAGER, "manager", unit_b),
                            (OTHER_STAFF, "staff", unit_b)):
        users[key] = make_user(role, unit)
    dataset = Dataset.objects.create(unit=unit_a, name="data", model="fit",
                                     config_yaml="datasets: {data: {model: fit, source: data.csv}}\n")
    upload = Upload.objects.create(dataset=dataset, period="2025", filename="x.csv", sha256="", state="validated",
                                   summary={"lines": ["ok"]}, validation_csv=b"a\n", quarantine_csv=b"b\n")
    job = Job.objects.create(kind="validate", unit=unit_a, payload={"upload": upload.pk}, state="done")
    runs = {}
    for name, published, fixed in (("draft", False, True), ("published", True, True), ("internal", False, False)):
        run = Run.objects.create(dataset=dataset, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31),
                                 fixed_period=fixed, internal=not fixed, run_by="x",
                                 published_at=dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc) if published else None)
        RunFile.objects.create(run=run, name="data.html", content=b"<p>report</p>")
        RunFile.objects.create(run=run, name="data.pdf", content=b"%PDF-1.7")
        runs[name] = run
    decision = Decision.objects.create(dataset=dataset, run=runs["published"], period_start=dt.date(2025, 1, 1),
                                       period_end=dt.date(2025, 12, 31), topic="t", what="w", responsible="r")
    kwargs = {
        "none": {}, "static": {"path": "isu/site.css"}, "unit": {"unit": unit_a.pk},
        "user": {"user_id": users[STAFF].pk}, "dataset": {"dataset": dataset.pk}, "upload": {"upload": upload.pk},
        "job": {"job": job.pk}, "decision": {"decision": decision.pk},
        **{name: {"run": run.pk} for name, run in runs.items()},
        "draft_pdf": {"run": runs["draft"].pk, "fmt": "pdf"}, "published_pdf": {"run": runs["published"].pk, "fmt": "pdf"},
    }
    clients = {key: client_for(user) for key, user in users.items()}
    return {"kwargs": kwargs, "clients": clients}


def _patterns():
    resolver = get_resolver()
    return [(p.name, p) for p in resolver.url_patterns]


def test_every_url_is_in_the_matrix_and_every_view_names_its_action():
    names = [name for name, _ in _patterns()]
    assert len(names) == len(set(names)), "two URLs share a name"
    missing = sorted(set(names) - set(MATRIX))
    assert not missing, f"URLs missing from the role matrix: {missing}"
    assert not sorted(set(MATRIX) - set(names)), "the matrix names URLs that do not exist"
    unchecked = [name for name, p in _patterns() if name != "static" and not hasattr(p.callback, "isu_action")]
    assert not unchecked, f"views that skip the role check: {unchecked}"


def _refused(response, who: str) -> bool:
    if who == NOBODY:
        return response.status_code == 302 and response.url.startswith("/login/")
    return response.status_code == 403


def test_role_matrix(world):
    from django.urls import reverse

    checks, failures = 0, []
    for name, cases in MATRIX.items():
        for objects, allowed in cases:
            url = reverse(name, kwargs=world["kwargs"][objects])
            for who in EVERYONE:
                client = world["clients"][who]
                if who in allowed:
                    response = client.get(url)
                    ok = response.status_code < 500 and not _refused(response, who) and response.status_code != 403
                    checks += 1
                    if not ok:
                        failures.append(f"{who} GET {url} ({name}): {response.status_code} but should be allowed")
                else:
                    for method in ("get", "post"):
                        response = getattr(client, method)(url)
                        checks += 1
                        if not _refused(response, who):
                            failures.append(f"{who} {method.upper()} {url} ({name}): {response.status_code}, not refused")
    assert not failures, "\n".join(failures)
    assert checks > 500
    print(f"role matrix: {checks} URL x role checks")
