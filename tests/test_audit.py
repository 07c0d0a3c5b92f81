"""`isu audit`: a reader's view of published files, on old outputs, the demo and adversarial data."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from isu_engine.protect.audit import audit

BEFORE = Path(__file__).resolve().parent / "data" / "audit_before"


def test_outputs_of_the_engine_before_this_design_leak_what_the_issue_lists(cli):
    findings, min_cell = audit([BEFORE])
    found = {f.figure: (f.low, f.high) for f in findings}
    assert min_cell == 5
    # the hidden 18–120 row of a group comparison: 4 of 7, from the total and the shares of the rest
    assert found["violalund.compare.ended_as_planned.age[18–120 år][yes]"] == (4, 4)
    assert found["violalund.compare.rating.improved.age[18–120 år][yes]"][1] <= 4
    # a comparison group of 2 whose n was hidden
    assert found["larkan.compare.t50.gender[Annat kön][n]"] == (2, 2)
    result = cli("audit", BEFORE)
    assert result.code == 1
    assert "violalund.compare.ended_as_planned.age[18–120 år][yes]: 4" in result.out


def test_the_library_audit_that_guards_publishing_finds_what_isu_audit_finds():
    from isu_engine import library

    findings = library.audit_published([BEFORE])
    assert findings, "the old outputs leak: publishing them must be refused"
    assert findings == audit([BEFORE])[0]


def test_a_folder_without_a_run_is_a_user_error(cli, tmp_path):
    result = cli("audit", tmp_path)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1


def write_cases(folder: Path, rows: list[dict]) -> Path:
    """A small LOKE project: the rows as a CSV, a config for 2025."""
    frame = pd.DataFrame(rows)
    frame.to_csv(folder / "cases.csv", index=False, sep=";")
    (folder / "config.yaml").write_text(
        'period: {start: "2025-01-01", end: "2025-12-31"}\n'
        "datasets:\n  unit: {model: loke, source: cases.csv, read: {delimiter: ';', decimal: ','}}\n",
        encoding="utf-8")
    return folder / "config.yaml"


def adversarial_cases() -> list[dict]:
    """Groups of very different sizes: a tiny group beside large ones, everything ended, one rare reason."""
    rows = []
    genders = ["flicka"] * 30 + ["pojke"] * 27 + ["annat"] * 2 + ["okänt"] * 1
    reasons = ["planerat avslut", "avbrutet av brukaren"]
    for i, gender in enumerate(genders):
        rows.append({"case_id": f"A{i:03d}", "gender": gender, "age": 8 + i % 9,
                     "start_date": "2025-02-01", "end_date": "2025-10-01",
                     "end_reason": "flytt" if i == 5 else reasons[i % 2],
                     "goal_attainment": ["helt", "delvis", "inte"][i % 3], "n_contacts": 5 + i % 7,
                     "rating_start": 3 + i % 4, "rating_end": 5 + i % 5, "satisfaction": 1 + i % 5})
    return rows


@pytest.mark.plugins("loke")
def test_the_engine_leaves_nothing_to_pin_in_adversarial_data_and_the_audit_sees_a_leak_put_back(cli, tmp_path):
    from isu_engine.commands.run import build_run, write_reports
    from isu_engine.configure.config import load_config
    from isu_engine.configure.plugins import load_registry

    config, registry = load_config(write_cases(tmp_path, adversarial_cases())), load_registry()
    run = build_run(config, registry)  # what `isu report` builds and writes
    out = tmp_path / "out"
    write_reports(run, config, registry, out, ("json",), io.StringIO())
    assert cli("audit", out).code == 0
    # put back one count hidden to protect another: the reader now pins the small one
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    published = document["datasets"]["unit"]["published"]
    records = {name for name, d in published.items() if d["kind"] == "count" and d["hidden"]}
    assert records, "the adversarial data must make the engine hide something"
    leaked = tmp_path / "leaked"
    leaked.mkdir()
    secondary = [f for f in [*run.reports[0].cells()] if f.figure is not None and f.figure.reason == "secondary"]
    assert secondary
    for cell in secondary:
        entry = published.get(cell.figure.id)
        if entry is not None:
            entry["value"], entry["hidden"] = cell.figure.value, False
    (leaked / "report.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert cli("audit", leaked).code == 1


@pytest.mark.plugins("fit", "loke", "gas")
def test_the_demo_passes_the_audit_and_keeps_what_it_is_for(demo_run):
    assert audit([demo_run.reports])[0] == []
    document = json.loads((demo_run.reports / "report.json").read_text(encoding="utf-8"))
    # how many episodes got worse is shown (harmed joins deteriorated when it is small)
    figures = document["datasets"]["hasselberg"]["figures"]
    worse = figures.get("ors.jt_deteriorated_or_harmed", figures.get("ors.jt_deteriorated"))
    assert isinstance(worse, int) and worse >= 5
    # goal attainment by gender keeps a large group visible, not a wholly hidden table
    table = next(t for t in document["datasets"]["violalund"]["tables"]
                 if t["id"] == "violalund.compare.goal_attained.gender")
    shown = [row for row in table["rows"] if row[1] is not None and row[1] >= 20 and row[2] is not None]
    assert shown


def _json_numbers(node, found: list) -> None:
    if isinstance(node, bool) or node is None:
        return
    if isinstance(node, (int, float)):
        found.append(float(node))
    elif isinstance(node, dict):
        for value in node.values():
            _json_numbers(value, found)
    elif isinstance(node, list):
        for value in node:
            _json_numbers(value, found)


@pytest.mark.plugins("fit", "loke", "gas")
def test_every_number_in_the_html_tables_is_in_the_json(demo_run):
    """report.json carries every number the HTML prints in a table cell (values and their intervals)."""
    import re
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.texts = False, []

        def handle_starttag(self, tag, attrs):
            if tag == "td":
                self.inside = True
                self.texts.append("")

        def handle_endtag(self, tag):
            if tag == "td":
                self.inside = False

        def handle_data(self, data):
            if self.inside:
                self.texts[-1] += data

    number = re.compile(r"−?\d{1,3}(?:\u202f\d{3})*(?:,\d+)?|−?\d+(?:,\d+)?")
    for name, json_file in (("hasselberg", "report.json"), ("violalund", "report.json"), ("larkan", "report.json"),
                            ("comparison", "comparison.json")):
        document = json.loads((demo_run.reports / json_file).read_text(encoding="utf-8"))
        known: list[float] = []
        _json_numbers(document["datasets"], known)
        _json_numbers(document.get("settings", {}), known)
        known.append(float(document["disclosure"]["min_cell"]))
        rounded = {d: {round(v, d) for v in known} for d in range(5)}
        parser = Cells()
        parser.feed((demo_run.reports / f"{name}.html").read_text(encoding="utf-8"))
        missing = []
        for text in parser.texts:
            if re.search(r"[0-9a-f]{12}|\d{4}-\d{2}-\d{2}|[^\W\d_]{3}", text):
                continue                     # checksums, dates and words (definitions, the team's notes) are not figures
            for token in number.findall(text):
                value = float(token.replace("\u202f", "").replace("−", "-").replace(",", "."))
                decimals = len(token.split(",")[1]) if "," in token else 0
                if round(value, decimals) not in rounded[min(decimals, 4)]:
                    missing.append((text.strip(), token))
        assert not missing, f"{name}: {missing[:10]}"
