"""The whole cycle through the application's pages, with the real engine behind them: upload an export with
unknown headings, confirm the proposed mapping, validate, run, publish, interpret, decide, and see the
decision in the next period's report. Figures must equal what `isu report` gives for the same data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from helpers import client_for, confirm_categories, csv_upload, make_unit, make_user, run_jobs

pytestmark = pytest.mark.usefixtures("runs_as_html_and_json")  # this test reads nothing else of a run


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    from isu_engine import library

    folder = tmp_path_factory.mktemp("demo-data")
    config = library.write_demo_data(library.load_registry(), folder)
    return folder, yaml.safe_load(config.read_text("utf-8"))


def _confirm_mapping(client, upload_id):
    page = client.get(f"/uploads/{upload_id}/mapping/")
    assert page.status_code == 200
    data = {"action": "confirm", "sheet": "", "header_row": "1"}
    for row in page.context["rows"]:
        data[f"field_{row['index']}"] = row["chosen"]
    return page, client.post(f"/uploads/{upload_id}/mapping/", data)


def _cli_figures(folder: Path, config: dict, dataset: str, start: str, end: str) -> dict:
    """What `isu report` computes for the same data file with the hand-written demo config."""
    from isu_engine import library

    entry = config["datasets"][dataset]
    single = {**{k: v for k, v in config.items() if k not in ("datasets", "compare", "reflection_log")},
              "period": {"start": start, "end": end}, "datasets": {dataset: entry},
              "reflection_log": None}
    path = folder / f"cli-{dataset}-{start}.yaml"
    path.write_text(yaml.safe_dump(single, allow_unicode=True), "utf-8")
    cfg = library.load_config(path)
    registry = library.load_registry()
    run = library.build_run(cfg, registry)
    out = folder / f"out-{dataset}-{start}"
    library.write_run(run, cfg, registry, out, ("json",))
    return json.loads((out / "report.json").read_text("utf-8"))["datasets"][dataset]


def test_the_cycle_in_the_browser_pages(demo_files):
    from isu_engine.serve.models import Dataset, Decision, PeriodRows, Run, RunFile, Upload

    folder, config = demo_files
    unit, other = make_unit(), make_unit()
    analyst, manager, staff = make_user("analyst", unit), make_user("manager", unit), make_user("staff", unit)
    outsider = client_for(make_user("staff", other))
    a, m, s = client_for(analyst), client_for(manager), client_for(staff)

    response = a.post(f"/units/{unit.pk}/datasets/new/", {"name": "hasselberg", "title": "Hasselberg", "model": "fit"})
    dataset_url = response.url
    dataset_id = int(re.search(r"/datasets/(\d+)/", dataset_url).group(1))
    text = (folder / "hasselberg_sessioner.csv").read_text("utf-8-sig")
    response = a.post(f"/datasets/{dataset_id}/upload/", {"period": "2025", "file": csv_upload("sessioner.csv", text)})
    upload_id = int(re.search(r"/uploads/(\d+)/mapping/", response.url).group(1))

    page, response = _confirm_mapping(a, upload_id)
    proposed = {row["heading"]: row["chosen"] for row in page.context["rows"]}
    assert proposed["Klient-ID"] == "client_id" and proposed["Behandlare"] == "therapist_id"
    assert outsider.get(f"/uploads/{upload_id}/mapping/").status_code == 403
    assert response.status_code == 302 and response.url.endswith(f"/uploads/{upload_id}/categories/")
    assert outsider.get(response.url).status_code == 403
    confirm_categories(a, upload_id)  # the values ticked in advance: every unit and therapist of the demo
    declared = yaml.safe_load(Dataset.objects.get(pk=dataset_id).config_yaml)["datasets"]["hasselberg"]["categories"]
    assert {field: sorted(values) for field, values in declared.items()} == \
        {field: sorted(values) for field, values in config["datasets"]["hasselberg"]["categories"].items()}
    run_jobs()

    upload = Upload.objects.get(pk=upload_id)
    assert upload.state == "validated", upload.error
    cli = library_validation(folder, config, "hasselberg")
    assert (upload.summary["rows_in"], upload.summary["rows_quarantined"]) == (cli.rows_in, cli.rows_quarantined)
    assert upload.summary["quarantined_rows"] == [int(r) for r in cli.quarantine["row"]]
    page = a.get(f"/uploads/{upload_id}/")
    assert str(cli.quarantine["row"].iloc[0]) in page.content.decode()
    assert not Path(upload.stored_path or "/nonexistent").exists(), "the raw upload is deleted after validation"
    assert PeriodRows.objects.get(dataset_id=dataset_id, period="2025").n_rows == cli.rows_valid

    a.post(f"/datasets/{dataset_id}/run/", {"period": "2024-01-01/2024-12-31"})
    run_jobs()
    run = Run.objects.get(dataset_id=dataset_id, period_start="2024-01-01")
    assert run.fixed_period and not run.published
    served = json.loads(bytes(RunFile.objects.get(run=run, name="report.json").content))["datasets"]["hasselberg"]
    expected = _cli_figures(folder, config, "hasselberg", "2024-01-01", "2024-12-31")
    assert served["figures"].keys() == expected["figures"].keys()
    for name, value in expected["figures"].items():  # the same figures; sums may differ in the last bit
        assert served["figures"][name] == (value if value is None or isinstance(value, (int, str)) else
                                           pytest.approx(value, rel=1e-12)), name
    assert served["suppressed"] == expected["suppressed"]
    assert s.get(f"/runs/{run.pk}/").status_code == 403, "staff do not see drafts"

    assert m.post(f"/runs/{run.pk}/publish/").status_code == 302
    run.refresh_from_db()
    assert run.published
    assert s.get(f"/runs/{run.pk}/meeting/").status_code == 200
    assert outsider.get(f"/runs/{run.pk}/meeting/").status_code == 403
    assert s.post(f"/runs/{run.pk}/meeting/interpretation/", {"interpretation-topic": "SRS", "interpretation-text": "Vi frågar för sällan."}).status_code == 302
    assert s.post(f"/runs/{run.pk}/meeting/decision/", {}).status_code == 403, "staff do not record decisions"
    decision = {"decision-topic": "Låga SRS", "decision-what": "Fråga alltid om samarbetet vid SRS under 36.",
                "decision-responsible": "Teamledare", "decision-due": "2025-06-30",
                "decision-follow_up": "srs.below_cutoff_pct"}
    assert m.post(f"/runs/{run.pk}/meeting/decision/", decision).status_code == 302
    assert Decision.objects.filter(run=run).count() == 1
    assert "Fråga alltid om samarbetet" in m.get(f"/units/{unit.pk}/decisions/").content.decode()

    a.post(f"/datasets/{dataset_id}/run/", {"period": "2025-01-01/2025-12-31"})
    run_jobs()
    later = Run.objects.get(dataset_id=dataset_id, period_start="2025-01-01")
    report = a.get(f"/runs/{later.pk}/report/").content.decode()
    assert "Fråga alltid om samarbetet vid SRS under 36." in report
    assert "Vi frågar för sällan." in report


def library_validation(folder: Path, config: dict, dataset: str):
    from isu_engine import library

    single = {**{k: v for k, v in config.items() if k not in ("datasets", "compare", "reflection_log")},
              "datasets": {dataset: config["datasets"][dataset]}, "reflection_log": None}
    path = folder / f"validate-{dataset}.yaml"
    path.write_text(yaml.safe_dump(single, allow_unicode=True), "utf-8")
    return next(iter(library.validate(library.load_config(path), library.load_registry()).values()))
