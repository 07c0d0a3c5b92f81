"""No row-level text in any output or terminal line: names of files, free-text fields, hidden cells."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

pytestmark = pytest.mark.plugins("loke")

NUMBER_PARTS = ("19121212", "121212-1212", "1212-1212", "121212–1212")


def write_project(folder: Path, file_name: str, note: str) -> Path:
    rows = [["case_id", "gender", "age", "start_date", "end_date", "end_reason", "note"]]
    for i in range(30):
        rows.append([f"C{i}", "flicka" if i % 2 else "pojke", 10, "2025-01-10", "2025-06-01", "planerat avslut",
                     note if i == 3 else "Inget att notera"])
    with (folder / file_name).open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    (folder / "config.yaml").write_text(
        'period: {start: "2025-01-01", end: "2025-12-31"}\n'
        f'datasets:\n  x: {{model: loke, source: "{file_name}", read: {{delimiter: ";"}}, '
        "fields: [{name: note, type: string}]}\n", encoding="utf-8")
    return folder / "config.yaml"


def everything_written(out: Path, result) -> str:
    texts = [result.out, result.err]
    for path in out.iterdir():
        if path.suffix in (".json", ".html"):
            texts.append(path.read_text(encoding="utf-8"))
        elif path.suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path)
            texts.extend(book.sheetnames)
            texts.extend(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row
                         if cell.value is not None)
    return "\n".join(texts)


def test_a_personal_number_in_a_file_name_is_masked_everywhere(cli, tmp_path):
    config = write_project(tmp_path, "ärenden 19121212-1212.csv", "Inget att notera")
    out = tmp_path / "out"
    result = cli("report", config, "--out", out, "--format", "html,json,xlsx")
    assert result.code == 0, result.err
    written = everything_written(out, result)
    assert not any(part in written for part in NUMBER_PARTS)
    assert "ärenden ********-****.csv" in (out / "report.json").read_text(encoding="utf-8")


def test_a_field_without_categories_is_never_tabulated_by_its_values(cli, tmp_path):
    config = write_project(tmp_path, "data.csv", "Pappa avtjänar fängelsestraff, Kumla")
    out = tmp_path / "out"
    result = cli("report", config, "--out", out, "--format", "html,json,xlsx")
    assert result.code == 0, result.err
    written = everything_written(out, result)
    assert "Kumla" not in written and "Inget att notera" not in written
