"""`isu models NAME --format md | datapackage`: the codebook as Markdown and as a Frictionless Data Package."""

from __future__ import annotations

import json

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
    assert any("klinisk gräns" in line and "instrument YCORS → –" in line for line in lines)
