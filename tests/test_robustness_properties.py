"""Property tests: whatever CSV, xlsx, config or model the engine is given, only a UserError escapes,
and every row read is either valid or quarantined (rows_in == rows_valid + rows_quarantined)."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from isu_engine.configure.config import load_config
from isu_engine.check.dataset import Dataset, load_dataset
from isu_engine.errors import UserError
from isu_engine.configure.model import load_model
from isu_engine.configure.plugins import load_registry
from isu_engine.configure.yamlio import load_yaml_text

FIT_FIELDS = ["client_id", "episode_id", "session_date", "age", "gender", "instrument", "ors_individual",
              "ors_total", "srs_total", "episode_end", "Klient", "Sessionsdatum", "Ålder", "Kön", "Anteckning"]
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])


@pytest.fixture(scope="module")
def registry(model_folders):
    return load_registry(model_folders)


def run(folder: Path, config_text: str, registry) -> Dataset | None:
    """Load dataset `t` of the config; None when the engine refused with a UserError."""
    path = folder / "config.yaml"
    path.write_text(config_text, encoding="utf-8")
    try:
        config = load_config(path)
        dataset = load_dataset(config, config.datasets["t"], registry)
    except UserError as error:
        assert "\n" not in error.line()
        return None
    assert dataset.rows_in == dataset.rows_valid + dataset.rows_quarantined
    quarantined = set(zip(dataset.quarantine["file"], dataset.quarantine["row"]))
    assert set(zip(dataset.issues["file"], dataset.issues["row"])) == quarantined
    assert quarantined.isdisjoint(zip(dataset.frame["_file"], dataset.frame["_row"]))
    assert (dataset.issues["row"] >= 2).all()
    return dataset


# --- CSV -----------------------------------------------------------------------------------------------

CELL_TEXT = st.one_of(
    st.sampled_from(["", " ", "K1", "0114", "2025-01-10", "2025-02-30", "45658", "10/1/2025", "5", "5,5", "6.5",
                     "1 234,5", "5 st", "-1", "41", "kvinna", "Man", "ORS", "CORS", "planerat avslut",
                     "19121212-1212", "#DIV/0!", "Summa", "=1+2", "<script>", "åäö", "\u00a0"]),
    st.text(alphabet=st.sampled_from(list("abcÅÄÖé0123456789 ,.;:-+\"'\t|#=\r\n\u00a0")), max_size=12),
)


@st.composite
def csv_files(draw) -> tuple[bytes, str]:
    headings = draw(st.lists(st.sampled_from(FIT_FIELDS), min_size=1, max_size=8, unique=True))
    if draw(st.booleans()):
        headings = ["client_id", "session_date", *[h for h in headings if h not in ("client_id", "session_date",
                                                                                  "Klient", "Sessionsdatum")]]
    delimiter = draw(st.sampled_from([";", ",", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quote_all = draw(st.booleans())
    rows = draw(st.lists(st.lists(CELL_TEXT, min_size=0, max_size=len(headings) + 2), max_size=15))

    def field(text: str) -> str:
        if quote_all or any(c in text for c in (delimiter, '"', "\n", "\r")):
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [delimiter.join(field(h) for h in headings)] + [delimiter.join(field(c) for c in row) for row in rows]
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:  # now and then, damage the bytes
        position = draw(st.integers(0, max(0, len(data) - 1)))
        data = data[:position] + draw(st.binary(min_size=1, max_size=4)) + data[position + 1:]
    read = draw(st.sampled_from(["", ", read: {encoding: utf-8}", ", read: {delimiter: ';', decimal: ','}",
                                 ", read: {header_row: 2}"]))
    return data, read


@SETTINGS
@given(csv_files())
def test_any_csv_gives_valid_or_quarantined_rows_or_a_user_error(registry, file):
    data, read = file
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "d.csv").write_bytes(data)
        run(Path(folder), f"datasets:\n  t: {{model: fit, source: d.csv{read}}}\n", registry)


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(["d.csv", "d.xlsx", "d.xls"]))
def test_any_bytes_under_any_name_give_rows_or_a_user_error(registry, data, name):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / name).write_bytes(data)
        run(Path(folder), f"datasets:\n  t: {{model: loke, source: {name}}}\n", registry)


# --- xlsx ----------------------------------------------------------------------------------------------

XLSX_CELL = st.one_of(
    st.none(),
    st.integers(-10, 50_000),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=3e6),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "=1+1", "Summa", " ",
                     "K1", "kvinna", "2025-01-10", "5 st", "19121212-1212"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=10),
)


@st.composite
def sheets(draw) -> list[list]:
    """A heading row with the required FIT fields and some others, and rows of any Excel cell values."""
    headings = ["client_id", "session_date", *draw(st.lists(st.sampled_from(FIT_FIELDS[2:]), max_size=6, unique=True))]
    headings = list(dict.fromkeys(headings))
    return [headings, *draw(st.lists(st.lists(XLSX_CELL, min_size=len(headings), max_size=len(headings)), max_size=12))]


def xlsx_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and (value.strip() == "" or value.startswith("=")))


@SETTINGS
@given(sheets())
def test_any_sheet_keeps_its_row_numbers_and_counts_every_row(registry, rows):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "d.xlsx").write_bytes(xlsx_bytes(rows))
        dataset = run(Path(folder), "datasets:\n  t: {model: fit, source: d.xlsx}\n", registry)
    assume(dataset is not None)
    filled = [number for number, row in enumerate(rows[1:], start=2) if not all(is_empty(v) for v in row)]
    assert dataset.rows_in == len(filled)
    assert sorted([*dataset.frame["_row"], *dataset.quarantine["row"]]) == filled


# --- configs and models --------------------------------------------------------------------------------

SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-5, 200), st.floats(allow_nan=False, allow_infinity=False),
                   st.text(max_size=8), st.sampled_from(["d.csv", "fit", "loke", "2025-01-01", "*.csv", "../d.csv",
                                                         "sv", "quarter", ";", "auto", "utf-8"]))
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                    st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                     max_leaves=10)
TOP_KEYS = ["municipality", "unit", "period", "period_step", "language", "disclosure", "groups", "age_bands",
            "internal", "plugins_dirs", "templates_dir", "reflection_log", "pseudonymize", "compare",
            "allow_outside_paths", "nonsense"]
DATASET_KEYS = ["read", "columns", "values", "fields", "idea", "title", "parameters", "scales", "colums"]
READ_VALUE = st.fixed_dictionaries({}, optional={
    "sheet": SCALAR, "header_row": SCALAR, "encoding": SCALAR, "delimiter": SCALAR, "decimal": SCALAR,
    "missing_values": VALUE})


@st.composite
def configs(draw) -> dict:
    config = {key: draw(VALUE) for key in draw(st.lists(st.sampled_from(TOP_KEYS), max_size=4, unique=True))}
    dataset = {"model": draw(st.sampled_from(["fit", "loke", "nosuch", 5])), "source": draw(st.sampled_from(
        ["d.csv", ["d.csv"], "*.csv", "missing.csv", None]))}
    for key in draw(st.lists(st.sampled_from(DATASET_KEYS), max_size=3, unique=True)):
        dataset[key] = draw(READ_VALUE) if key == "read" else draw(VALUE)
    config["datasets"] = {"t": dataset}
    return config


@SETTINGS
@given(configs())
def test_any_config_loads_or_is_one_user_error(registry, config):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "d.csv").write_text("client_id;session_date;case_id;start_date\nK1;2025-01-10;A;2025-01-10\n",
                                            encoding="utf-8")
        run(Path(folder), yaml.safe_dump(config, allow_unicode=True), registry)


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("ab:- &*!{}[],'\"\n#|>%@`?0123456789.")), max_size=200))
def test_any_yaml_text_is_data_or_one_user_error(text):
    try:
        load_yaml_text(text, "x.yaml")
    except UserError as error:
        assert error.file == "x.yaml" and "\n" not in error.line()


FIELD_TYPES = ["string", "integer", "number", "boolean", "date", "datetime", "year", "list"]
NUMBER = st.one_of(st.integers(-5, 200), st.floats(-10, 100, allow_nan=False))
BOUND = st.one_of(NUMBER, st.sampled_from(["2020-01-01", "2025-13-01", "abc", "2030-12-31T10:00"]))
CONSTRAINT = st.fixed_dictionaries({}, optional={
    "required": st.booleans(), "unique": st.booleans(),
    "minimum": BOUND, "maximum": BOUND, "exclusiveMinimum": BOUND, "exclusiveMaximum": BOUND,
    "minLength": st.integers(-1, 5), "maxLength": st.one_of(st.integers(0, 5), st.floats(0, 5)),
    "pattern": st.sampled_from(["[A-Z]\\d+", "(?=a)a", ".*", "\\w+", "(a|b", "\\p{L}+"]),
    "enum": st.lists(st.one_of(NUMBER, st.text(max_size=3)), max_size=3),
})
CATEGORY = st.one_of(NUMBER, st.text(max_size=4), st.fixed_dictionaries(
    {"value": st.one_of(NUMBER, st.text(max_size=4))},
    optional={"label": st.one_of(st.text(max_size=4), st.fixed_dictionaries({"sv": st.text(max_size=4)}))}))
OPTIONAL_FIELD_KEYS = {
    "missingValues": st.lists(st.sampled_from(["", "-", "NA", "99", "ej svar"]), max_size=2),
    "delimiter": st.sampled_from([";", ",", "", "ab", " "]),
    "decimalChar": st.sampled_from([",", ".", "", "ab"]), "groupChar": st.sampled_from([" ", ".", "", ","]),
    "trueValues": st.lists(st.sampled_from(["ja", "1", "x", ""]), max_size=2),
    "format": st.sampled_from(["%d.%m.%Y", "any", "%Q", "%Y"]),
    "role": st.sampled_from(["subject", "occasion", "group", "episode", "age"]),
    "itemType": st.sampled_from(["string", "integer", "number"]),
}


@st.composite
def fields(draw, name: str) -> dict:
    field = {"name": name, "type": draw(st.sampled_from(FIELD_TYPES))}
    if draw(st.booleans()):
        field["constraints"] = draw(CONSTRAINT)
    if draw(st.integers(0, 3)) == 0:
        field["categories"] = draw(st.lists(CATEGORY, max_size=3, unique_by=lambda c: str(c)))
    for key in draw(st.lists(st.sampled_from(sorted(OPTIONAL_FIELD_KEYS)), max_size=2, unique=True)):
        field[key] = draw(OPTIONAL_FIELD_KEYS[key])
    return field


@st.composite
def models(draw) -> dict:
    names = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True))
    model = {"name": "prop", "format": draw(st.sampled_from(["wide", "long"])),
             "fields": [draw(fields(name)) for name in names]}
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["compare", "sum_equals", "required_if", "unique_together", "none_after"]))
        when = st.dictionaries(st.sampled_from(names), st.one_of(st.sampled_from(["present", "missing"]), SCALAR),
                               min_size=1, max_size=2)
        params = {"field": draw(st.sampled_from(names)), "other": draw(st.sampled_from(names)),
                  "value": draw(SCALAR), "op": draw(st.sampled_from(["<", ">=", "==", "!="])),
                  "fields": draw(st.lists(st.sampled_from(names), min_size=1, max_size=3)),
                  "total": draw(st.sampled_from(names)), "when": draw(when),
                  "by": draw(st.lists(st.sampled_from(names), min_size=1, max_size=2)),
                  "order": draw(st.sampled_from(names)), "tolerance": draw(NUMBER)}
        keys = {"compare": ["field", "op", "other", "value"], "sum_equals": ["fields", "total", "tolerance"],
                "required_if": ["field", "when"], "unique_together": ["fields"],
                "none_after": ["by", "order", "when"]}[kind]
        chosen = draw(st.lists(st.sampled_from(keys), min_size=len(keys) - 1, max_size=len(keys), unique=True))
        model["rules"] = [{"type": kind, **{key: params[key] for key in chosen}}]
    if draw(st.booleans()):
        model["scales"] = {"s": draw(st.fixed_dictionaries({}, optional={
            "items": st.lists(st.sampled_from(names), max_size=2), "total": st.sampled_from(names),
            "pre": st.sampled_from(names), "post": st.sampled_from(names), "reliability": st.floats(0, 0.99),
            "reliable_change": NUMBER, "cutoff": st.one_of(NUMBER, st.just({"type": "a"}))}))}
    return model


@SETTINGS
@given(models(), st.lists(st.lists(CELL_TEXT, min_size=4, max_size=4), max_size=8))
def test_any_model_loads_or_is_one_user_error_and_validates_any_data(model, rows):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "models" / "prop").mkdir(parents=True)
        (folder / "models" / "prop" / "model.yaml").write_text(yaml.safe_dump(model, allow_unicode=True), encoding="utf-8")
        registry = load_registry()
        try:
            load_model(folder / "models" / "prop" / "model.yaml", "model.yaml", registry.rule_kinds)
        except UserError as error:
            assert "\n" not in error.line()
            return
        registry = load_registry([folder / "models"])
        headings = [field["name"] for field in model["fields"]]
        body = [";".join('"' + cell.replace('"', '""') + '"' for cell in row[: len(headings)]) for row in rows]
        (folder / "d.csv").write_text("\n".join([";".join(headings), *body]) + "\n", encoding="utf-8")
        run(folder, f"datasets:\n  t: {{model: {model['name']}, source: d.csv}}\n", registry)
