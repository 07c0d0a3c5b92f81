"""`isu inspect` and its library function: layout found, headings mapped, values proposed, nothing private shown."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
import yaml

from isu_engine.commands.demo import write_demo_config
from isu_engine.configure.config import load_config
from isu_engine.configure.plugins import load_registry
from isu_engine.read.inspect import inspect_file

pytestmark = pytest.mark.plugins("fit", "loke", "gas")

PERSONAL_NUMBER = "19121212-1212"  # a valid test number (Luhn)


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def demo(tmp_path_factory, registry):
    """The demo's data and config, written once for this module."""
    folder = tmp_path_factory.mktemp("demo")
    config = load_config(write_demo_config(registry, folder))
    return folder, config


def test_the_demo_workbook_is_mapped_as_the_demo_config_maps_it(demo, registry):
    folder, config = demo
    entry = config.datasets["violalund"]
    inspection = inspect_file(folder / "violalund.xlsx", registry.model("loke"))
    assert (inspection.sheet, inspection.header_row) == (entry.read.sheet, entry.read.header_row) == ("Data", 3)
    proposed = {c.heading: c.field for c in inspection.columns if c.kind == "model"}
    model_fields = registry.model("loke").fields
    expected = {heading: name for heading, name in entry.columns.items() if name in model_fields}
    assert proposed == expected
    own = {c.heading for c in inspection.columns if c.kind == "own"}
    assert own == {heading for heading, name in entry.columns.items() if name not in model_fields}
    # "Skattning start" is no title of rating_start ("Egen skattning vid start"): a likely match, not a certain one
    likely = {c.heading: c.confidence for c in inspection.columns if c.kind == "model" and c.confidence < 1}
    assert set(likely) == {"Skattning start", "Skattning slut"} and all(0.6 <= v < 1 for v in likely.values())


def test_every_value_recoding_of_the_demo_is_proposed_or_read_as_written(demo, registry):
    folder, config = demo
    inspection = inspect_file(folder / "violalund.xlsx", registry.model("loke"))
    proposed = {(c.field, v.value): v.category for c in inspection.columns for v in c.values if c.kind == "model"}
    demo_values = config.datasets["violalund"].values
    wanted = [(name, local, target) for name, recoding in demo_values.items() for local, target in recoding.items()]
    assert len(wanted) == 11
    right = [(name, local) for name, local, target in wanted if proposed.get((name, local)) == target]
    assert len(right) == 11
    assert inspection.recodings()["gender"] == {"P": "pojke", "F": "flicka", "A": "annat", "K": "kvinna", "M": "man",
                                                "O": "okänt"}
    # a value that is no category gets no proposal: validation will flag it
    goal = next(c for c in inspection.columns if c.field == "goal_attainment")
    assert [v.category for v in goal.values if v.value == "kanske"] == [None]


def test_the_written_config_is_accepted_by_validate(demo, cli):
    folder, _ = demo
    out = folder / "inspected.yaml"
    result = cli("inspect", folder / "violalund.xlsx", "--model", "loke", "--out", out)
    assert result.code == 0, result.err
    assert "bladet Data, rubriker på rad 3" in result.out
    assert "Skattning start → rating_start (integer; trolig, 85 % säker)" in result.out
    text = out.read_text("utf-8")
    assert text.count("# bekräfta (förslag") == 7  # six gender codes and "Avsl. enl. plan"
    validated = cli("validate", out)
    assert validated.code == 1, validated.err  # read and checked; the demo's broken rows are quarantined
    assert "violalund (loke): 451 rader lästa, 445 giltiga, 6 i karantän" in validated.out
    demo_run = cli("validate", folder / "demo.yaml")
    assert "violalund (loke): 451 rader lästa, 445 giltiga, 6 i karantän" in demo_run.out


def test_a_csv_with_title_rows_and_no_model_still_reports_its_layout(tmp_path, cli):
    path = tmp_path / "export.csv"
    path.write_bytes("sep=;\r\nÄrende;Kön;Besök\r\n1;F;2,5\r\n2;P;3\r\n".encode("cp1252"))
    result = cli("inspect", path)
    assert result.code == 0, result.err
    assert "teckenkodning cp1252, avgränsare ;, decimaltecken ," in result.out
    assert "rubriker på rad 1" in result.out  # the sep= line is no row
    assert "Besök → egen variabel besok (number)" in result.out


def test_identifiers_and_free_text_are_never_shown_and_personal_numbers_are_masked(tmp_path, registry, cli):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = f"Pnr {PERSONAL_NUMBER}"
    sheet.append(["Ärende", "Personnummer", "Anteckning", "Kön", "Startdatum"])
    for number in range(12):
        sheet.append([f"Ä{number}", PERSONAL_NUMBER, f"Samtal med Kalle nr {number}", "F", dt.date(2025, 1, 2)])
    sheet.append(["Ä99", "x", f"ring {PERSONAL_NUMBER}", PERSONAL_NUMBER, dt.date(2025, 1, 3)])
    path = tmp_path / "cases.xlsx"
    book.save(path)
    inspection = inspect_file(path, registry.model("loke"))
    kinds = {c.heading: c.kind for c in inspection.columns}
    assert kinds["Personnummer"] == "identifier" and kinds["Anteckning"] == "identifier"
    gender = next(c for c in inspection.columns if c.field == "gender")
    assert PERSONAL_NUMBER not in str(gender.values) and "********-****" in str(gender.values)
    assert PERSONAL_NUMBER not in (inspection.sheet or "")
    out = tmp_path / "c.yaml"
    result = cli("inspect", path, "--model", "loke", "--out", out)
    shown = result.out + result.err + out.read_text("utf-8")
    assert PERSONAL_NUMBER not in shown and "121212" not in shown
    assert "Kalle" not in shown and "Ä99" not in shown  # free text and identifiers: no values


def test_free_text_own_columns_are_proposed_without_their_values(tmp_path, registry):
    rows = ["case_id;start_date;Anteckning;Team"]
    rows += [f"A{n};2025-01-0{n % 9 + 1};Träffade {n} personer;{'Norr' if n % 2 else 'Söder'}" for n in range(12)]
    path = tmp_path / "cases.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    inspection = inspect_file(path, "loke", registry=registry)
    note, team = (next(c for c in inspection.columns if c.heading == h) for h in ("Anteckning", "Team"))
    assert (note.kind, note.type, note.values, note.own_field.get("categories")) == ("own", "string", (), None)
    assert team.own_field["categories"] == ["Norr", "Söder"]
    config = inspection.config("cases")["datasets"]["cases"]
    assert config["read"] == {"header_row": 1, "encoding": "utf-8", "delimiter": ";"}  # no decimals seen
    assert yaml.safe_load(inspection.config_yaml("cases"))["datasets"]["cases"]["columns"]["Team"] == "team"


def test_a_heading_sharing_a_word_only_inside_a_longer_word_is_still_a_likely_match(registry):
    from isu_engine.read.headings import HeadingMatcher

    model = registry.model("loke")
    matches = HeadingMatcher(model).match(["Egenskattning avslutet", "12,5", "2024-03-01", ""])
    assert matches[0].field == "rating_end" and 0.6 <= matches[0].confidence < 1
    assert [m.field for m in matches[1:]] == [None, None, None]
