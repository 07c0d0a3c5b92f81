"""Declaring a unit's own categories in the upload flow: the values offered, what is saved in the YAML, the
report's tables of the declared categories, and that a value not ticked never reaches an output."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import client_for, confirm_categories, database_text, make_unit, make_user, new_dataset, run_jobs, \
    upload_and_confirm

PERSONAL = "19121212-1212"
FEW = "Gruppträff"  # a short value on two rows: offered, not ticked in advance
LONG = "Samtal om pappas alkohol och om Kalles skola varje vecka"  # could identify: masked, not offered
NUMBERED = f"Uppföljning {PERSONAL}"


@pytest.fixture(scope="module")
def loke_export(tmp_path_factory):
    """The demo's LOKE cases as a semicolon CSV, with four methods written as free text on purpose."""
    from isu_engine import library

    folder = tmp_path_factory.mktemp("loke")
    config = yaml.safe_load(library.write_demo_data(library.load_registry(), folder).read_text("utf-8"))
    entry = config["datasets"]["violalund"]
    frame = pd.read_excel(folder / entry["source"], sheet_name=entry["read"]["sheet"], engine="openpyxl",
                          header=entry["read"]["header_row"] - 1, dtype=str).dropna(how="all")
    frame = frame[frame["Ärende"].notna() & frame["Ärende"].str.startswith("V")].reset_index(drop=True)
    frame.loc[[0, 1], "Metod"] = FEW
    frame.loc[2, "Metod"] = LONG
    frame.loc[3, "Metod"] = NUMBERED
    return frame.to_csv(sep=";", index=False), folder


def _world():
    unit = make_unit()
    analyst = client_for(make_user("analyst", unit))
    return unit, analyst


def _upload(client, dataset_id: int, text: str, period: str = "2025") -> int:
    """Upload and confirm the proposed columns; the categories page is next."""
    from isu_engine.serve.models import Upload

    upload_id = upload_and_confirm(client, dataset_id, "ärenden.csv", text, period, categories=False)
    assert Upload.objects.get(pk=upload_id).state == "categories"
    return upload_id


def _offered(page) -> dict[str, dict[str, object]]:
    return {field.name: {value.value: value for value in field.values} for field in page.context["fields"]}


def test_the_values_offered_and_what_is_ticked_in_advance(loke_export):
    text, _ = loke_export
    unit, analyst = _world()
    dataset_id = new_dataset(analyst, unit, "violalund", "loke")
    upload_id = _upload(analyst, dataset_id, text)
    page = analyst.get(f"/uploads/{upload_id}/categories/")
    html = page.content.decode()
    offered = _offered(page)
    assert set(offered) == {"referral", "problem_areas", "intervention", "method"}, "LOKE's fields without categories"
    cases = pd.read_csv(io.StringIO(text), sep=";", dtype=str)
    assert {v: o.rows for v, o in offered["intervention"].items()} == cases["Insats"].value_counts().to_dict()
    areas = cases["Problemområden"].dropna().str.split(";").explode().str.strip().value_counts().to_dict()
    assert {v: o.rows for v, o in offered["problem_areas"].items()} == areas, "a list field, item by item"
    assert all(o.ticked and o.kind == "category" for o in offered["intervention"].values())
    few = offered["method"][FEW]
    assert (few.rows, few.kind, few.ticked) == (2, "category", False), "on fewer rows than min_cell: not ticked"
    for value in (LONG, NUMBERED):
        assert offered["method"][value].kind == "identifying" and not offered["method"][value].ticked
        assert f'name="cat_method_{offered["method"][value].index}"' not in html, "cannot be ticked"
    assert PERSONAL not in html and LONG not in html and "1912" not in html
    assert "Samtal om pappas …" in html


@pytest.mark.slow  # the job worker renders every output, the PDF too
def test_declared_categories_make_the_reports_tables_and_unticked_values_reach_no_output(loke_export, tmp_path):
    from isu_engine import library
    from isu_engine.serve.models import Dataset, PeriodRows, Run, RunFile, Upload

    text, folder = loke_export
    unit, analyst = _world()
    dataset_id = new_dataset(analyst, unit, "violalund", "loke")
    upload_id = _upload(analyst, dataset_id, text)
    page = analyst.get(f"/uploads/{upload_id}/categories/")
    offered = _offered(page)
    methods = [v for v, o in offered["method"].items() if o.ticked]
    confirm_categories(analyst, upload_id, ticks={"intervention": list(offered["intervention"]), "method": methods},
                       names={("intervention", "Familjebehandling"): "Familjebehandling (FFT)",
                              ("intervention", "Samtalsstöd"): "föräldrastöd"})
    entry = yaml.safe_load(Dataset.objects.get(pk=dataset_id).config_yaml)["datasets"]["violalund"]
    assert entry["categories"]["intervention"] == [{"value": "Familjebehandling", "label": "Familjebehandling (FFT)"},
                                                   "Föräldrastöd", "Nätverksarbete"]
    assert entry["values"]["intervention"] == {"Samtalsstöd": "Föräldrastöd"}, "same name: one category"
    assert entry["categories"]["method"] == methods and FEW not in methods
    run_jobs()
    upload = Upload.objects.get(pk=upload_id)
    assert upload.state == "validated", upload.error
    assert {2, 3, 4, 5} <= set(upload.summary["quarantined_rows"]), "rows 2–5 (header = row 1) hold unticked methods"
    assert upload.summary["rows_quarantined"] < 20 and upload.summary["rows_valid"] > 400

    analyst.post(f"/datasets/{dataset_id}/run/", {"period": "2025-01-01/2025-12-31"})
    run_jobs()
    run = Run.objects.get(dataset_id=dataset_id)
    served = json.loads(bytes(RunFile.objects.get(run=run, name="report.json").content))["datasets"]["violalund"]
    tables = {t["id"]: t for t in served["tables"]}
    assert [r[0] for r in tables["violalund.intervention"]["rows"]] == ["Familjebehandling (FFT)", "Föräldrastöd",
                                                                       "Nätverksarbete"]
    assert [r[0] for r in tables["violalund.method"]["rows"]][:len(methods)] == methods

    # the same file and the YAML a person would write for the command line, without the merge
    (tmp_path / "ärenden.csv").write_text(text, "utf-8")
    unmerged = {**entry, "source": "ärenden.csv", "categories": {
        **entry["categories"], "intervention": ["Familjebehandling", "Föräldrastöd", "Samtalsstöd", "Nätverksarbete"]}}
    unmerged["values"] = {name: recoded for name, recoded in entry["values"].items() if name != "intervention"}
    config = {"period": {"start": "2025-01-01", "end": "2025-12-31"}, "datasets": {"violalund": unmerged}}
    (tmp_path / "cli.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    cli_config = library.load_config(tmp_path / "cli.yaml")
    registry = library.load_registry()
    library.write_run(library.build_run(cli_config, registry), cli_config, registry, tmp_path / "out", ("json",))
    cli = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))["datasets"]["violalund"]
    by_label = {r[0]: r[1] for r in {t["id"]: t for t in cli["tables"]}["violalund.intervention"]["rows"]}
    counts = {r[0]: r[1] for r in tables["violalund.intervention"]["rows"]}
    assert min(counts.values()) >= 5
    assert counts == {"Familjebehandling (FFT)": by_label["Familjebehandling"], "Nätverksarbete": by_label["Nätverksarbete"],
                      "Föräldrastöd": by_label["Föräldrastöd"] + by_label["Samtalsstöd"]}
    assert cli["rows_quarantined"] == upload.summary["rows_quarantined"] >= 4, "the same rows set aside"
    assert served["rows_quarantined"] == 0, "stored rows are only the valid ones"
    assert PeriodRows.objects.get(dataset_id=dataset_id).n_rows == upload.summary["rows_valid"]

    outputs = []
    for stored in RunFile.objects.filter(run=run):
        content = bytes(stored.content)
        if stored.name.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(content)) as book:
                outputs += [book.read(name).decode("utf-8", "replace") for name in book.namelist()]
        elif stored.name.endswith(".pdf"):
            (tmp_path / "r.pdf").write_bytes(content)
            outputs.append(subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True,
                                          check=True).stdout)
        else:
            outputs.append(content.decode("utf-8"))
    outputs += [analyst.get(url).content.decode() for url in (f"/runs/{run.pk}/", f"/runs/{run.pk}/report/",
                                                               f"/datasets/{dataset_id}/", f"/uploads/{upload_id}/")]
    stored_text = "\n".join(line for line in database_text()
                            if line not in (bytes(upload.validation_csv).decode(), bytes(upload.quarantine_csv).decode()))
    assert len(outputs) >= 8 and "Föräldrastöd" in "\n".join(outputs)
    for value in (FEW, LONG, NUMBERED, PERSONAL, "Kalles"):
        assert not any(value in output for output in outputs), f"{value!r} in an output"
        assert value not in stored_text, f"{value!r} stored outside the internal validation files"
    assert FEW in bytes(upload.quarantine_csv).decode(), "the analyst's internal quarantine file shows what to correct"


def test_a_forged_tick_on_a_masked_value_is_ignored(loke_export):
    from isu_engine.serve.models import Dataset

    text, _ = loke_export
    unit, analyst = _world()
    dataset_id = new_dataset(analyst, unit, "violalund", "loke")
    upload_id = _upload(analyst, dataset_id, text)
    page = analyst.get(f"/uploads/{upload_id}/categories/")
    data = {"action": "confirm"}
    for field in page.context["fields"]:
        for value in field.values:
            data[f"cat_{field.name}_{value.index}"] = "1"  # every value, also those the page does not offer
    assert analyst.post(f"/uploads/{upload_id}/categories/", data).status_code == 302
    config = Dataset.objects.get(pk=dataset_id).config_yaml
    assert FEW in config and LONG not in config and PERSONAL not in config and "Uppföljning" not in config


def test_a_later_upload_starts_from_the_saved_categories_and_nothing_ticked_declares_nothing(loke_export):
    from isu_engine.serve.models import Dataset

    text, _ = loke_export
    unit, analyst = _world()
    dataset_id = new_dataset(analyst, unit, "violalund", "loke")
    first = _upload(analyst, dataset_id, text)
    confirm_categories(analyst, first, ticks={"referral": [], "problem_areas": [], "method": [],
                                              "intervention": ["Familjebehandling", "Samtalsstöd"]},
                       names={("intervention", "Samtalsstöd"): "Familjebehandling"})
    entry = yaml.safe_load(Dataset.objects.get(pk=dataset_id).config_yaml)["datasets"]["violalund"]
    assert set(entry["categories"]) == {"intervention"}, "a field with nothing ticked is not declared"
    run_jobs()
    second = _upload(analyst, dataset_id, text, period="2024")
    offered = _offered(analyst.get(f"/uploads/{second}/categories/"))
    assert offered["intervention"]["Familjebehandling"].ticked
    merged = offered["intervention"]["Samtalsstöd"]
    assert merged.ticked and merged.name == "Familjebehandling", "the merge survives the column step"
    assert not offered["intervention"]["Föräldrastöd"].ticked, "decided before: not ticked again"
    assert all(o.ticked for o in offered["method"].values() if o.kind == "category" and o.rows >= 5), \
        "a field with no categories yet is offered afresh"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["MI", "abc", "ABC", "KBT", "Annan", "Samtal"]), st.booleans(),
                          st.sampled_from(["", "MI", "Samtal", "Ny metod"])), min_size=1, max_size=6,
                unique_by=lambda item: item[0].casefold()))
def test_every_ticked_value_and_no_other_is_read_as_a_category(items):
    from isu_engine.serve.categories import FieldValues, Value, declared

    values = tuple(Value(i, value, value, 10, "category", False, "") for i, (value, _, _) in enumerate(items))
    posted = {}
    for i, (_, ticked, name) in enumerate(items):
        if ticked:
            posted[f"cat_method_{i}"] = "1"
        posted[f"name_method_{i}"] = name
    categories, recoded = declared([FieldValues("method", "Metod", values, 0, 0)], posted)
    names = {(c["value"] if isinstance(c, dict) else c) for c in categories.get("method", [])}
    read_as = {**{n.casefold(): n for n in names}, **{k.casefold(): v for k, v in recoded.get("method", {}).items()}}
    ticked = {value for value, tick, _ in items if tick}
    assert set(read_as) == {value.casefold() for value in ticked}
    for value in ticked:
        assert read_as[value.casefold()] in names
    assert names <= ticked, "a category is always one of the ticked spellings"
    assert len({(c["label"] if isinstance(c, dict) else c).casefold() for c in categories.get("method", [])}) == len(names)


def test_a_category_written_by_hand_is_kept_as_written_unless_renamed():
    from isu_engine.serve.categories import FieldValues, Value, declared, saved_choices, saved_items

    entry = {"categories": {"method": [{"value": "MI", "label": {"sv": "Motiverande samtal", "en": "MI"}}, "ABC"]},
             "values": {"method": {"mot. samtal": "MI"}}}
    assert saved_choices(entry, "method") == {"mi": ("MI", "Motiverande samtal"), "abc": ("ABC", ""),
                                              "mot. samtal": ("MI", "Motiverande samtal")}
    values = (Value(0, "MI", "MI", 9, "category", True, "Motiverande samtal"),
              Value(1, "ABC", "ABC", 7, "category", True, ""))
    offered = [FieldValues("method", "Metod", values, 0, 0, saved_items(entry, "method"))]
    posted = {"cat_method_0": "1", "name_method_0": "Motiverande samtal", "cat_method_1": "1", "name_method_1": ""}
    assert declared(offered, posted)[0] == {"method": entry["categories"]["method"]}, "both languages kept"
    posted["name_method_0"] = "MI-samtal"
    assert declared(offered, posted)[0]["method"][0] == {"value": "MI", "label": "MI-samtal"}
