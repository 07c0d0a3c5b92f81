"""The demo municipality, the texts in both languages, the role table in the docs, the library's errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from helpers import client_for, make_unit, make_user

SERVE = Path(__file__).resolve().parents[2] / "src" / "isu_engine" / "serve"
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _flat(tree: dict, prefix: str = "") -> dict[str, str]:
    flat = {}
    for key, value in tree.items():
        flat.update(_flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value})
    return flat


def test_every_text_exists_in_swedish_and_english_and_every_key_a_template_names_exists():
    sv, en = (_flat(yaml.safe_load((SERVE / "messages" / f"{lang}.yaml").read_text("utf-8"))) for lang in ("sv", "en"))
    assert sv.keys() == en.keys()
    assert all(isinstance(value, str) and value for value in [*sv.values(), *en.values()])
    named = set()
    for template in (SERVE / "templates" / "isu").glob("*.html"):
        named |= set(re.findall(r'{% t "([\w.]+)"', template.read_text("utf-8")))
    for module in SERVE.glob("*.py"):
        named |= {key for key in re.findall(r'"(serve\.[\w.]+)"', module.read_text("utf-8")) if not key.endswith(".")}
    assert named and not sorted(named - sv.keys()), sorted(named - sv.keys())


def test_pages_come_in_english_when_the_person_chooses_it():
    client = client_for(make_user("staff", make_unit()))
    assert "Dina enheter" in client.get("/").content.decode()
    client.post("/language/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Your units" in page and 'lang="en"' in page and "Dina enheter" not in page


def test_the_role_table_in_the_docs_is_the_one_the_server_enforces():
    from isu_engine.serve.roles import MATRIX

    text = (DOCS / "roles.md").read_text("utf-8")
    documented = {}
    for action, cells in re.findall(r"^\| `(\w+)`:[^|]*\|(.*)\|\s*$", text, re.M):
        marks = [cell.strip() for cell in cells.split("|")]
        documented[action] = tuple(role for role, mark in zip(("administrator", "analyst", "manager", "staff"), marks)
                                   if mark.startswith("✔"))
    assert documented == {action: roles for action, roles in MATRIX.items() if action != "signed_in"}


def test_a_config_given_as_text_gets_the_same_one_line_error_as_a_file(tmp_path):
    from isu_engine import library

    text = "datasets:\n  d: {model: fit, source: d.csv, colums: {}}\n"
    (tmp_path / "config.yaml").write_text(text, "utf-8")
    with pytest.raises(library.UserError) as from_file:
        library.load_config(tmp_path / "config.yaml")
    with pytest.raises(library.UserError) as from_text:
        library.check_config_text(text, tmp_path)
    assert from_text.value.problem() == from_file.value.problem()
    assert from_text.value.line() == "config.yaml:rad 2: " + from_file.value.problem()


def test_the_demo_municipality(monkeypatch):
    from django.contrib.auth import get_user_model

    from isu_engine.serve.demo import seed_demo
    from isu_engine.serve.models import Decision, Job, Membership, PeriodRows, Upload

    lines = seed_demo()
    assert len([line for line in lines if re.search(r"\w{4}-\w{4}-\w{4}-\w{4}$", line)]) == 4
    demo_uploads = Upload.objects.filter(uploaded_by="demo")
    assert demo_uploads.count() == 3 and set(demo_uploads.values_list("state", flat=True)) == {"validated"}
    assert PeriodRows.objects.filter(upload__in=demo_uploads).count() == 3
    assert {d.dataset.name for d in Decision.objects.filter(recorded_by="demo")} == {"violalund", "hasselberg"}
    assert Job.objects.filter(kind="run", created_by="demo", state="queued").count() == 3
    analyst = get_user_model().objects.get(username="analytiker")
    assert Membership.objects.filter(user=analyst, role="analyst").count() == 3
    assert seed_demo()[0].startswith("demokommunen är klar"), "a second start keeps the demo"
    Job.objects.filter(created_by="demo").update(state="done")


def test_the_reflection_log_goes_in_and_out_as_the_yaml_the_command_line_reads(tmp_path):
    from isu_engine import library
    from isu_engine.commands.demo import reflection_entries
    from isu_engine.configure.plugins import load_registry
    from isu_engine.serve.models import Dataset

    DEMO_REFLECTION = [item for entry in load_registry().models.values() if entry.demo_reflection is not None
                       for item in reflection_entries(entry)]

    unit = make_unit()
    for name in ("violalund", "hasselberg"):
        Dataset.objects.create(unit=unit, name=name, model="fit", config_yaml="datasets: {}\n")
    analyst = client_for(make_user("analyst", unit))
    from django.core.files.uploadedfile import SimpleUploadedFile

    log = yaml.safe_dump(DEMO_REFLECTION, allow_unicode=True).encode("utf-8")
    page = analyst.post(f"/units/{unit.pk}/reflection/import/",
                        {"file": SimpleUploadedFile("reflektion.yaml", log, content_type="application/yaml")})
    assert "4 poster importerade" in page.content.decode(), "two interpretations and two decisions"
    bad = analyst.post(f"/units/{unit.pk}/reflection/import/",
                       {"file": SimpleUploadedFile("reflektion.yaml", b"- {date: 2025-13-01}\n")})
    assert "reflektion.yaml:rad 1:" in bad.content.decode(), "the engine's own one-line error"
    exported = analyst.get(f"/units/{unit.pk}/reflection.yaml").content
    (tmp_path / "reflektion.yaml").write_bytes(exported)
    config = library.check_config_text("datasets: {x: {model: fit, source: x.csv}}\n", tmp_path)
    entries = library.read_reflection_log(config)
    decisions = {(e.dataset, e.topic, e.decision, e.follow_up, e.responsible) for e in entries if e.decision}
    interpretations = {(e.dataset, e.topic, e.interpretation) for e in entries if e.interpretation}
    assert decisions == {(d["dataset"], d["topic"], d["decision"], (d["follow_up"],), d["responsible"])
                         for d in DEMO_REFLECTION}
    assert interpretations == {(d["dataset"], d["topic"], d["interpretation"]) for d in DEMO_REFLECTION}
    assert {e.period.label() for e in entries} == {"2024-01-01 – 2024-12-31"}
