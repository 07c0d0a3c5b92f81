"""Direct identifiers never reach an output; configured identifier columns become keyed pseudonyms."""

import pytest

HEADER = "client_id;session_date;age;ors_total;srs_total;Personnr"
VALID = "19121212-1212"

pytestmark = pytest.mark.plugins("fit")


def test_personal_number_in_a_field_quarantines_the_row_and_is_masked(cli, write, tmp_path):
    write("d.csv", f"{HEADER}\n{VALID};2025-01-01;30;20;38;\nK2;2025-01-01;30;20;38;\n")
    config = write("c.yaml", "datasets:\n  a: {model: fit, source: d.csv}\n")
    result = cli("validate", config, "--out", tmp_path / "out")
    assert result.code == 1
    validation = (tmp_path / "out" / "validation.csv").read_text(encoding="utf-8")
    quarantine = (tmp_path / "out" / "quarantine-a.csv").read_text(encoding="utf-8")
    assert "personal_number" in validation
    for text in (validation, quarantine, result.out, result.err):
        assert "1212-1212" not in text and "191212121212" not in text
    assert "********-****" in validation


def test_unused_column_with_personal_numbers_is_named_and_dropped(cli, write, tmp_path):
    write("d.csv", f"{HEADER}\nK1;2025-01-01;30;20;38;{VALID}\nK1;2025-01-08;30;25;38;\n")
    config = write("c.yaml", "datasets:\n  a: {model: fit, source: d.csv}\n")
    result = cli("report", config, "--out", tmp_path / "out", "--format", "json,html")
    assert result.code == 0, result.out
    assert "Personnr" in result.out and "personnummer" in result.out
    for name in ("report.json", "a.html"):
        assert "1212" not in (tmp_path / "out" / name).read_text(encoding="utf-8").replace("121212", "")


@pytest.mark.parametrize("scan_cells", [1_000_000, 4, 1])
def test_every_column_with_a_personal_number_is_found_however_many_are_scanned_together(
        write, monkeypatch, scan_cells):
    """Unused columns and fields are scanned as one long column, `SCAN_CELLS` cells at a time (here also two
    columns and one column at a time): each unused column with a number is named, in file order, and no other;
    each field's number quarantines its row."""
    from isu_engine.check import coerce
    from isu_engine.check.dataset import load_dataset
    from isu_engine.configure.config import load_config
    from isu_engine.configure.plugins import load_registry

    monkeypatch.setattr(coerce, "SCAN_CELLS", scan_cells)
    own = [f"X{i}" for i in range(1, 8)]
    cells = {"X3": ("", VALID), "X6": ("191212121212", "x"), "X7": ("12", "")}   # X7: digits, no number
    rows = [";".join([client, f"2025-01-0{day}", "30", "20", "38", "",
                      *(cells.get(name, ("a", "b"))[day - 1] for name in own)])
            for day, client in ((1, "K1"), (2, VALID))]
    write("d.csv", "\n".join([f"{HEADER};{';'.join(own)}", *rows]) + "\n")
    loaded = load_config(write("c.yaml", "datasets:\n  a: {model: fit, source: d.csv}\n"))
    found = load_dataset(loaded, loaded.datasets["a"], load_registry())
    assert found.identifier_columns == ["X3", "X6"]
    assert found.issues[["row", "field", "check"]].values.tolist() == [[3, "client_id", "personal_number"]]


def test_pseudonymized_ids_follow_clients_without_storing_them(cli, write, tmp_path, monkeypatch):
    monkeypatch.setenv("ISU_PSEUDONYM_KEY", "a-long-enough-secret-key-for-tests")
    write("d.csv", f"{HEADER}\n{VALID};2025-01-01;30;20;38;\n191212121212;2025-01-08;30;26;39;\n")
    config = write("c.yaml", "pseudonymize: {columns: [client_id]}\ndatasets:\n  a: {model: fit, source: d.csv}\n")
    result = cli("validate", config, "--out", tmp_path / "out")
    assert result.code == 0, result.out + result.err
    from isu_engine.configure.config import load_config
    from isu_engine.check.dataset import load_dataset
    from isu_engine.configure.plugins import load_registry
    loaded = load_config(config)
    dataset = load_dataset(loaded, loaded.datasets["a"], load_registry())
    ids = dataset.frame["client_id"].unique().tolist()
    assert len(ids) == 1 and ids[0].startswith("p_")  # both writings are one person


def test_pseudonymization_without_a_key_is_a_user_error(cli, write, monkeypatch):
    monkeypatch.delenv("ISU_PSEUDONYM_KEY", raising=False)
    write("d.csv", f"{HEADER}\nK1;2025-01-01;30;20;38;\n")
    config = write("c.yaml", "pseudonymize: {columns: [client_id]}\ndatasets:\n  a: {model: fit, source: d.csv}\n")
    result = cli("validate", config)
    assert result.code == 2 and "ISU_PSEUDONYM_KEY" in result.err


def test_a_stored_pseudonym_with_ten_digits_is_not_taken_for_a_personal_number(cli, write, tmp_path):
    # p_1112224058b921d7 holds 111222-4058, a valid personal number; read again from stored rows it is a pseudonym
    write("d.csv", f"{HEADER}\np_1112224058b921d7;2025-01-01;30;20;38;\n{VALID};2025-01-01;30;20;38;\n")
    config = write("c.yaml", "datasets:\n  a: {model: fit, source: d.csv}\n")
    result = cli("validate", config, "--out", tmp_path / "out")
    assert "2 rader lästa, 1 giltiga, 1 i karantän" in result.out
    quarantine = (tmp_path / "out" / "quarantine-a.csv").read_text(encoding="utf-8")
    assert "p_1112224058b921d7" not in quarantine and "********-****" in quarantine
