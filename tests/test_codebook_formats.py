"""`isu models NAME --format md | datapackage`: the codebook as Markdown and as a Frictionless Data Package."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

pytestmark = pytest.mark.plugins("fit", "loke")


def test_data_package_holds_the_table_schema_as_its_one_resource(cli):
    package = json.loads(cli("models", "loke", "--format", "datapackage").out)
    schema = json.loads(cli("models", "loke", "--format", "table-schema").out)
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert (package["name"], package["version"]) == ("loke", "1.0")
    assert package["title"] == "LOKE – lokal evidens"
    [resource] = package["resources"]
    assert resource["type"] == "table" and resource["path"] == "loke.csv" and resource["format"] == "csv"
    assert resource["schema"] == schema
    assert schema["fields"][0] == {"name": "case_id", "type": "string", "title": "Ärende",
                                   "constraints": {"required": True, "unique": True, "maxLength": 64}}


def test_markdown_codebook(cli):
    result = cli("models", "fit", "--format", "md")
    lines = result.out.splitlines()
    assert result.code == 0 and lines[0].startswith("# FIT")
    assert any(line.startswith("| ors_total | ORS totalt | number |") for line in lines)
    assert any("klinisk gräns" in line and "instrument YCORS: –" in line for line in lines)


BOUNDS_MODEL = """name: bounds
fields:
  - {name: id, type: string, role: subject, constraints: {required: true, unique: true, minLength: 2, maxLength: 9,
                                                          pattern: "K[0-9]+"}}
  - {name: share, type: number, decimalChar: ",", constraints: {exclusiveMinimum: 0, exclusiveMaximum: 1}}
  - {name: visits, type: integer, missingValues: ["", "-"], constraints: {minimum: 1, maximum: 99}}
  - {name: day, type: date, format: "%d.%m.%Y", constraints: {minimum: "2020-01-01"}}
  - {name: level, type: integer, categories: [1, 2, 3], categoriesOrdered: true}
  - {name: areas, type: list, delimiter: "|", categories: [a, b]}
"""


def test_the_table_schema_is_each_field_s_own_descriptor_and_reads_back_as_the_same_field(cli, write, tmp_path):
    from isu_engine.configure.model import CONSTRAINT_ATTRIBUTES, CONSTRAINT_KEYS, parse_field
    from isu_engine.configure.schema import Document

    write("models/bounds/model.yaml", BOUNDS_MODEL)
    result = cli("models", "bounds", "--format", "table-schema", "--plugins-dir", tmp_path / "models")
    fields = {field["name"]: field for field in json.loads(result.out)["fields"]}
    assert fields["share"]["constraints"] == {"exclusiveMinimum": 0, "exclusiveMaximum": 1}
    assert fields["id"]["constraints"] == {"required": True, "unique": True, "minLength": 2, "maxLength": 9,
                                           "pattern": "K[0-9]+"}
    assert fields["level"]["categoriesOrdered"] is True and fields["visits"]["missingValues"] == ["", "-"]
    assert set(CONSTRAINT_ATTRIBUTES) == set(CONSTRAINT_KEYS)
    from isu_engine.configure.plugins import load_registry

    model = load_registry([tmp_path / "models"]).model("bounds")
    for name, field in model.fields.items():
        again = parse_field(json.loads(json.dumps(field.descriptor("sv"), default=str)), Document("x"), own=False)
        # what Table Schema has no key for (the role, English titles) is left out; categories are also an enum
        expected = replace(field, titles={"sv": field.title("sv"), "en": field.title("sv")}, role=None,
                           enum=field.allowed_values if field.type != "list" else field.enum)
        assert again == expected, name
