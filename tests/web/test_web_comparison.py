"""The comparison in the browser: a unit's published runs of one period (and every unit's, for the administrator)
compared by the engine's own comparison, with the same tables `isu compare` makes of the same exports.

Each test publishes for a period of its own. A publication rebuilds the administrator's comparison of every
unit's runs of its period, and the tests share one database: with one period for all, each test would also
rebuild the comparison of the runs the others published.
"""

from __future__ import annotations

import html as html_text
import re

import pytest
import yaml

from helpers import client_for, make_unit, make_user, new_dataset, run_jobs, upload_and_confirm

pytestmark = [
    pytest.mark.slow,  # each runs the demo units' reports and a comparison through the job worker
    pytest.mark.usefixtures("runs_as_html_and_json"),  # the comparison audits report.json and serves HTML
]

YEAR = "2025-01-01/2025-12-31"  # the latest period: the administrator's comparison page opens on it
LAST_YEAR = "2024-01-01/2024-12-31"
QUARTER = "2025-01-01/2025-03-31"


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The demo's FIT sessions and LOKE cases as the CSV files a unit uploads."""
    import pandas as pd

    from isu_engine import library

    folder = tmp_path_factory.mktemp("exports")
    config = yaml.safe_load(library.write_demo_data(library.load_registry(), folder).read_text("utf-8"))
    loke = config["datasets"]["violalund"]
    cases = pd.read_excel(folder / loke["source"], sheet_name=loke["read"]["sheet"], header=loke["read"]["header_row"] - 1,
                          dtype=str, engine="openpyxl")
    cases = cases[cases["Ärende"].notna() & cases["Ärende"].str.startswith("V")]
    (folder / "ärenden.csv").write_text(cases.to_csv(sep=";", index=False), "utf-8")
    return {"fit": (folder / "hasselberg_sessioner.csv").read_text("utf-8-sig"),
            "loke": (folder / "ärenden.csv").read_text("utf-8")}, folder


def published(analyst, manager, unit, name: str, model: str, text: str, period: str = YEAR) -> int:
    """A dataset with the export uploaded, its categories as ticked in advance, and the period's report published."""
    from isu_engine.serve.models import Run

    dataset_id = new_dataset(analyst, unit, name, model)
    upload_and_confirm(analyst, dataset_id, f"{name}.csv", text)
    run_jobs()
    analyst.post(f"/datasets/{dataset_id}/run/", {"period": period})
    run_jobs()
    run = Run.objects.filter(dataset_id=dataset_id).latest("run_at")
    assert manager.post(f"/runs/{run.pk}/publish/").status_code == 302
    run_jobs()  # the comparisons the publication changes are built by the job worker
    return dataset_id


def _cells(document: str) -> list[list[str]]:
    """Every table of a report as its cells' text, leaving out the provenance (file names and digests differ)."""
    tables = []
    for table in re.findall(r"<table.*?</table>", document, re.S):
        cells = [html_text.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
                 for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table, re.S)]
        if not any("SHA-256" in cell for cell in cells):
            tables.append(cells)
    return tables


def test_a_units_comparison_is_the_engines_comparison_of_its_published_runs(exports, tmp_path):
    from isu_engine import library
    from isu_engine.serve.models import AuditEvent, Comparison, Dataset

    files, _ = exports
    unit = make_unit()
    analyst, manager = client_for(make_user("analyst", unit)), client_for(make_user("manager", unit))
    staff = client_for(make_user("staff", unit))
    assert "Det finns ännu ingen period" in staff.get(f"/units/{unit.pk}/comparison/").content.decode()
    fit = published(analyst, manager, unit, "hasselberg", "fit", files["fit"], LAST_YEAR)
    loke = published(analyst, manager, unit, "violalund", "loke", files["loke"], LAST_YEAR)

    page = staff.get(f"/units/{unit.pk}/comparison/").content.decode()
    assert "hasselberg" in page and "violalund" in page and "2024-01-01 – 2024-12-31" in page
    link = html_text.unescape(re.search(r'id="open-comparison" href="([^"]+)"', page).group(1))
    assert link == f"/units/{unit.pk}/comparison/report/?period={LAST_YEAR}"
    response = staff.get(link)
    assert response.status_code == 200 and "sandbox" in response["Content-Security-Policy"]
    served = response.content.decode()
    assert Comparison.objects.filter(unit=unit).count() == 1, "built once, then kept"
    assert AuditEvent.objects.filter(action="comparison_viewed", unit=unit.name).exists()

    # the same exports with the YAML the analyst can download, compared by the command line's route
    datasets = {}
    for dataset_id, file_name in ((fit, "hasselberg_sessioner.csv"), (loke, "ärenden.csv")):
        saved = yaml.safe_load(Dataset.objects.get(pk=dataset_id).config_yaml)
        name, entry = next(iter(saved["datasets"].items()))
        (tmp_path / file_name).write_text(files["fit" if dataset_id == fit else "loke"], "utf-8")
        datasets[name] = {**entry, "source": file_name}
    config = {**{k: v for k, v in saved.items() if k != "datasets"}, "period": {"start": "2024-01-01", "end": "2024-12-31"},
              "datasets": datasets}
    (tmp_path / "both.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    cli_config = library.load_config(tmp_path / "both.yaml")
    registry = library.load_registry()
    written = library.write_comparison(library.build_run(cli_config, registry), cli_config, registry, tmp_path / "out",
                                       ("html",))
    expected = _cells(written[0].read_text("utf-8"))
    assert len(expected) >= 10 and _cells(served) == expected


def test_a_dataset_whose_rows_changed_after_publication_is_left_out(exports):
    from isu_engine.serve.models import Comparison, Run

    files, _ = exports
    unit = make_unit()
    analyst, manager = client_for(make_user("analyst", unit)), client_for(make_user("manager", unit))
    fit = published(analyst, manager, unit, "hasselberg", "fit", files["fit"], QUARTER)
    loke = published(analyst, manager, unit, "violalund", "loke", files["loke"], QUARTER)
    assert Comparison.objects.get(unit=unit).html, "built when the second report was published"
    fewer = "\n".join(files["loke"].splitlines()[:-20]) + "\n"
    upload_and_confirm(analyst, loke, "nyare.csv", fewer, period="2025")
    run_jobs()
    assert 'id="open-comparison"' in manager.get(f"/units/{unit.pk}/comparison/").content.decode(), \
        "what was compared before still stands: it was built from the rows the published reports used"
    analyst.post(f"/datasets/{fit}/run/", {"period": QUARTER})
    run_jobs()
    manager.post(f"/runs/{Run.objects.filter(dataset_id=fit).latest('run_at').pk}/publish/")
    run_jobs()
    page = manager.get(f"/units/{unit.pk}/comparison/").content.decode()
    assert "Lämnas utanför: violalund" in page and 'id="open-comparison"' not in page
    assert manager.get(f"/units/{unit.pk}/comparison/report/?period={QUARTER}").status_code == 404


def test_the_administrator_compares_every_units_published_runs(exports, monkeypatch):
    from isu_engine import library
    from isu_engine.serve.models import Comparison

    files, _ = exports
    first, second = make_unit(), make_unit()
    for unit, name, model in ((first, "hasselberg", "fit"), (second, "violalund", "loke")):
        published(client_for(make_user("analyst", unit)), client_for(make_user("manager", unit)), unit, name, model,
                  files[model])
    admin = client_for(make_user(administrator=True))
    # built by the job worker when the second run was published, with the real audit: the demo's figures give
    # nothing away
    page = admin.get("/comparison/").content.decode()
    assert first.name in page and second.name in page and 'id="open-comparison"' in page
    report = admin.get(f"/comparison/report/?period={YEAR}")
    assert report.status_code == 200
    served = html_text.unescape(report.content.decode())
    assert f"({first.name})" in served and f"({second.name})" in served, "each dataset titled with its unit"
    outsider = client_for(make_user("manager", first))
    assert outsider.get("/comparison/").status_code == 403, "only the administrator sees every unit"
    only_own = outsider.get(f"/units/{first.pk}/comparison/").content.decode()
    assert "Det finns ännu ingen period" in only_own, "a unit's comparison holds only its own runs"

    audited = []

    def finds_something(folders):
        audited.append(sorted(path.name for folder in folders for path in folder.glob("*.json")))
        return ["a hidden count pinned"]

    Comparison.objects.filter(unit=None).delete()  # asked for again, now with an audit that finds something
    monkeypatch.setattr(library, "audit_published", finds_something)
    assert "Jämförelsen sammanställs" in admin.get("/comparison/").content.decode(), "asked for, queued"
    run_jobs()
    page = admin.get("/comparison/").content.decode()
    assert "Jämförelsen visas inte" in page and 'id="open-comparison"' not in page
    kept = Comparison.objects.filter(unit=None).latest("built_at")  # every unit's runs (other tests' units too)
    compared = len(kept.runs.split(",")) - len(kept.left_out)
    assert audited == [["comparison.json", *["report.json"] * compared]] and compared >= 2, \
        "the comparison with every compared run's published report.json"
    assert admin.get(f"/comparison/report/?period={YEAR}").status_code == 404
