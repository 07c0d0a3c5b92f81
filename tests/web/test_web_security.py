"""The server's threats, each a test (docs/security.md, "The web application")."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings

from helpers import client_for, csv_upload, make_unit, make_user

GOOD = """municipality: K
disclosure: {min_cell: 5}
datasets:
  d:
    model: fit
    source: d.csv
"""


@pytest.fixture()
def organisation():
    from isu_engine.serve.models import Organisation

    current = Organisation.current()
    current.min_cell_floor = 5
    current.save()
    return current


@pytest.mark.parametrize("text, line", [
    ("plugins_dirs: [/srv]\n" + GOOD, "config.yaml:rad 1: 'plugins_dirs'"),
    ("templates_dir: /etc\n" + GOOD, "config.yaml:rad 1: 'templates_dir'"),
    ("reflection_log: /etc/passwd\n" + GOOD, "config.yaml:rad 1: 'reflection_log'"),
    ("allow_outside_paths: true\n" + GOOD, "config.yaml:rad 1: 'allow_outside_paths'"),
    ("pseudonymize: {key_file: /root/key}\n" + GOOD, "config.yaml:rad 1: 'pseudonymize.key_file'"),
    (GOOD.replace("source: d.csv", "source: ../../etc/passwd"), "config.yaml:rad 6: 'datasets.d.source'"),
    (GOOD.replace("source: d.csv", "source: /srv/data/*.csv"), "config.yaml:rad 6: 'datasets.d.source'"),
])
def test_an_uploaded_config_may_not_name_server_paths(organisation, text, line):
    from isu_engine import library
    from isu_engine.serve.configs import check_uploaded

    with pytest.raises(library.UserError) as refused:
        check_uploaded(text, organisation)
    assert refused.value.line().startswith(line)
    assert "\n" not in refused.value.line()


def test_an_uploaded_config_may_not_lower_min_cell_below_the_floor(organisation):
    from isu_engine import library
    from isu_engine.serve.configs import check_uploaded

    with pytest.raises(library.UserError) as refused:
        check_uploaded(GOOD.replace("min_cell: 5", "min_cell: 3"), organisation)
    assert refused.value.line() == "config.yaml:rad 2: min_cell 3 är lägre än organisationens golv 5"
    assert check_uploaded(GOOD.replace("min_cell: 5", "min_cell: 8"), organisation)["disclosure"]["min_cell"] == 8


def test_an_uploaded_config_may_not_set_internal(organisation):
    from isu_engine import library
    from isu_engine.serve.configs import check_uploaded

    with pytest.raises(library.UserError) as refused:
        check_uploaded("internal: true\n" + GOOD, organisation)
    assert refused.value.line().startswith("config.yaml:rad 1: internal: true")
    assert check_uploaded("internal: true\n" + GOOD, organisation, may_set_internal=True)


def test_an_uploaded_config_gets_the_engines_own_one_line_errors(organisation):
    from isu_engine import library
    from isu_engine.serve.configs import check_uploaded

    with pytest.raises(library.UserError) as refused:
        check_uploaded(GOOD.replace("municipality", "municipalty"), organisation)
    assert refused.value.line() == "config.yaml:rad 1: okänd nyckel 'municipalty' i config – menade du 'municipality'?"


def test_the_config_page_refuses_and_keeps_the_saved_config(organisation):
    from isu_engine.serve.models import Dataset

    unit = make_unit()
    analyst = client_for(make_user("analyst", unit))
    dataset = Dataset.objects.create(unit=unit, name="d", model="fit", config_yaml=GOOD)
    page = analyst.post(f"/datasets/{dataset.pk}/config/", {"config": "templates_dir: x\n" + GOOD})
    assert page.status_code == 200
    assert "config.yaml:rad 1: &#x27;templates_dir&#x27; sätts av servern" in page.content.decode()
    dataset.refresh_from_db()
    assert dataset.config_yaml == GOOD
    assert analyst.post(f"/datasets/{dataset.pk}/config/", {"config": GOOD.replace("5}", "6}")}).status_code == 302
    dataset.refresh_from_db()
    assert "min_cell: 6" in dataset.config_yaml


def _sign_in(client, name, password):
    return client.post("/login/", {"username": name, "password": password})


def test_five_failures_lock_the_account_for_fifteen_minutes_and_say_nothing_about_who_exists():
    from django.test import Client

    from isu_engine.serve.models import AuditEvent, SignInAttempts

    user = make_user("staff", make_unit())
    client = Client()
    wrong = [_sign_in(client, user.username, "wrong password!") for _ in range(5)]
    unknown = _sign_in(client, "nobody-by-this-name", "wrong password!")
    message = "Inloggningen misslyckades."
    assert all(message in page.content.decode() for page in [*wrong, unknown])
    assert _strip_tokens(wrong[0]) == _strip_tokens(unknown), "an unknown name looks exactly like a wrong password"
    locked = _sign_in(client, user.username, "a long password 123")
    assert locked.status_code == 200 and message in locked.content.decode(), "the right password is refused while locked"
    attempts = SignInAttempts.objects.get(username=user.username.casefold())
    assert dt.timedelta(minutes=14) < attempts.locked_until - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(minutes=15)
    attempts.locked_until = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    attempts.save()
    assert _sign_in(client, user.username, "a long password 123").status_code == 302
    assert AuditEvent.objects.filter(username=user.username, action="sign_in_failed").count() == 6
    assert AuditEvent.objects.filter(username=user.username, action="sign_in").count() == 1


def _strip_tokens(response) -> str:
    return re.sub(r'value="[^"]*"', "", response.content.decode())


def test_an_idle_session_ends_and_every_request_moves_the_end():
    from django.conf import settings
    from django.contrib.sessions.models import Session

    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    client = client_for(make_user("staff", make_unit()))
    assert client.get("/").status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    first = Session.objects.get(session_key=key).expire_date
    assert dt.timedelta(minutes=29) < first - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(minutes=30)
    Session.objects.filter(session_key=key).update(expire_date=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_cookies_are_secure_httponly_and_samesite():
    from django.test import Client

    user = make_user("staff", make_unit())
    response = _sign_in(Client(), user.username, "a long password 123")
    cookie = response.cookies["isu_session"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Strict"
    csrf = Client().get("/login/").cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Strict"


def test_csrf_is_checked():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "x", "password": "y"}).status_code == 403


def test_pages_have_a_csp_without_inline_script_and_no_inline_script_or_handlers():
    unit = make_unit()
    admin = client_for(make_user(administrator=True))
    for url in ("/", "/login/", "/admin/units/", "/admin/users/", f"/units/{unit.pk}/", "/admin/audit/"):
        response = admin.get(url)
        policy = response["Content-Security-Policy"]
        script = re.search(r"script-src ([^;]*)", policy).group(1)
        assert script == "'self'" and "unsafe" not in policy, url
        _nothing_inline_or_outside(response.content.decode(), url)


def _nothing_inline_or_outside(html: str, url: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script in {url}"
    assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler in {url}"
    assert not re.search(r"\sstyle\s*=|<style", html), f"inline style in {url}"
    assert "http://" not in html.replace('xmlns="http://www.w3.org', "") and "https://" not in html, \
        f"external reference in {url}"


def test_two_factor_enrolment_shows_the_link_as_a_qr_code_drawn_on_the_server():
    import base64
    import io

    import segno
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user("analyst", make_unit())
    client = Client()
    assert _sign_in(client, user.username, "a long password 123").url == "/account/two-factor/setup/"
    response = client.get("/account/two-factor/setup/")
    html = response.content.decode()
    _nothing_inline_or_outside(html, "/account/two-factor/setup/")
    assert "img-src 'self' data:;" in response["Content-Security-Policy"]
    device = TOTPDevice.objects.get(user=user)
    secret = base64.b32encode(device.bin_key).decode("ascii")
    assert re.search(r'id="otp-secret">([^<]+)<', html).group(1).replace(" ", "") == secret, "the key as text too"
    assert f"secret={secret}" in device.config_url
    drawn = re.search(r'<div id="otp-qr">(<svg [^>]*>.*?</svg>)\s*</div>', html, re.S).group(1)
    assert re.match(r'<svg role="img" aria-label="QR-kod för att koppla autentiseringsappen" ', drawn)
    expected = io.BytesIO()
    segno.make(device.config_url, error="m").save(expected, kind="svg", xmldecl=False, scale=5, border=4,
                                                  svgclass="qr", lineclass=None)
    assert drawn.split(">", 1)[1] == expected.getvalue().decode("ascii").strip().split(">", 1)[1], "the code of the link"
    assert "<image" not in drawn and "href" not in drawn


def test_reports_are_served_so_nothing_in_them_can_run():
    from isu_engine.serve.models import Dataset, Run, RunFile

    unit = make_unit()
    manager = client_for(make_user("manager", unit))
    dataset = Dataset.objects.create(unit=unit, name="d", model="fit", config_yaml=GOOD)
    run = Run.objects.create(dataset=dataset, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31),
                             run_by="x")
    RunFile.objects.create(run=run, name="d.html", content=b"<p>x</p><script>alert(1)</script><form action=//e>")
    RunFile.objects.create(run=run, name="d.pdf", content=b"%PDF")
    response = manager.get(f"/runs/{run.pk}/report/")
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy and "script-src" not in policy
    assert "form-action 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    download = manager.get(f"/runs/{run.pk}/download/pdf/")
    assert download["Content-Disposition"].startswith("attachment;")
    assert manager.get(f"/runs/{run.pk}/download/html/").status_code == 404


@override_settings(MAX_UPLOAD_BYTES=2000)
def test_uploads_are_limited_in_size_and_type():
    from isu_engine.serve.models import Dataset, Upload

    unit = make_unit()
    analyst = client_for(make_user("analyst", unit))
    dataset = Dataset.objects.create(unit=unit, name="d", model="fit", config_yaml=GOOD)
    big = analyst.post(f"/datasets/{dataset.pk}/upload/", {"period": "2025", "file": csv_upload("a.csv", "x;" * 1500)})
    assert big.status_code == 200 and "filen är större än 0 MB" in big.content.decode()
    exe = analyst.post(f"/datasets/{dataset.pk}/upload/", {"period": "2025", "file": csv_upload("a.exe", "MZ")})
    assert exe.status_code == 200 and "filtypen stöds inte" in exe.content.decode()
    assert not Upload.objects.filter(dataset=dataset).exists()
    ok = analyst.post(f"/datasets/{dataset.pk}/upload/", {"period": "2025", "file": csv_upload("a.csv", "a;b\n1;2\n")})
    assert ok.status_code == 302


def test_the_body_of_a_request_is_limited():
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2 * 1024 * 1024
    client = client_for(make_user("staff", make_unit()))
    response = client.post("/login/", {"username": "x" * (3 * 1024 * 1024), "password": "y"})
    assert response.status_code == 400


def test_a_run_is_published_only_when_auditing_the_units_published_runs_together_finds_nothing(monkeypatch):
    from isu_engine import library
    from isu_engine.serve.models import AuditEvent, Dataset, Run, RunFile

    unit = make_unit()
    manager = client_for(make_user("manager", unit))
    dataset = Dataset.objects.create(unit=unit, name="d", model="fit", config_yaml=GOOD)
    earlier = Run.objects.create(dataset=dataset, period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31),
                                 run_by="x", fixed_period=True, published_at=dt.datetime(2025, 2, 1, tzinfo=dt.timezone.utc))
    run = Run.objects.create(dataset=dataset, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31),
                             run_by="x", fixed_period=True)
    for item in (earlier, run):
        RunFile.objects.create(run=item, name="report.json", content=f'{{"run": {item.pk}}}'.encode())
    audited = []

    def audit(folders):
        audited.append(sorted((folder / "report.json").read_text() for folder in folders))
        return ["ors.jt_harmed in 2025 pinned to 2"]

    monkeypatch.setattr(library, "audit_published", audit)
    response = manager.post(f"/runs/{run.pk}/publish/")
    run.refresh_from_db()
    assert not run.published and response.url.endswith("?problem=audit")
    assert audited == [sorted([f'{{"run": {earlier.pk}}}', f'{{"run": {run.pk}}}'])], "this run with the published one"
    assert AuditEvent.objects.filter(action="publish_refused", unit=unit.name).exists()
    monkeypatch.setattr(library, "audit_published", lambda folders: [])
    manager.post(f"/runs/{run.pk}/publish/")
    run.refresh_from_db()
    assert run.published


def test_the_exported_audit_log_cannot_run_as_a_spreadsheet_formula():
    from isu_engine.serve import audit

    admin = client_for(make_user(administrator=True))
    audit.record("", "unit_created", unit='=HYPERLINK("http://example.invalid")')
    text = admin.get("/admin/audit.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ',=HYPERLINK' not in text


def test_signing_in_again_asks_for_the_two_factor_code():
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user("manager", make_unit())
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    response = _sign_in(client, user.username, "a long password 123")
    assert response.status_code == 302 and response.url == "/account/two-factor/"
    assert client.get("/").url == "/account/two-factor/", "no page before the code"
    page = client.post("/account/two-factor/", {"code": "000000"})
    assert "Koden stämde inte" in page.content.decode()
