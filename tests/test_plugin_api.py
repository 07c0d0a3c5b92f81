"""The plugins' interface to the core is `isu_engine.api`: FIT, LOKE and GAS import nothing else, and it is documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import isu_engine.api as api

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"isu_fit": ROOT / "plugins" / "fit", "isu_loke": ROOT / "plugins" / "loke",
            "isu_gas": ROOT / "examples" / "gas" / "isu_gas"}
SCAFFOLD = ROOT / "src" / "isu_engine" / "commands" / "scaffold_files" / "package" / "__init__.py.tmpl"


def core_imports(source: str) -> list[tuple[str, str]]:
    """(module, name) for every import from the core in `source`; name is '*' for `import isu_engine.x`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "isu_engine":
            found.extend((node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((alias.name, "*") for alias in node.names if alias.name.split(".")[0] == "isu_engine")
    return found


def outside_the_api(source: str) -> list[str]:
    allowed = {("isu_engine", "hookimpl")} | {("isu_engine.api", name) for name in api.__all__}
    return [f"{module}.{name}" for module, name in core_imports(source) if (module, name) not in allowed]


def plugin_sources() -> dict[str, str]:
    """Every module of the three plugin packages (their tests excluded) and the scaffold's package."""
    sources = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
               for folder in PACKAGES.values() for path in sorted(folder.glob("*.py"))}
    sources[str(SCAFFOLD.relative_to(ROOT))] = SCAFFOLD.read_text(encoding="utf-8").replace("{{name}}", "mymodel")
    return sources


@pytest.mark.parametrize("path", sorted(plugin_sources()))
def test_plugins_import_only_the_public_interface(path):
    assert outside_the_api(plugin_sources()[path]) == [], f"{path} imports the core outside isu_engine.api"


def test_the_check_catches_an_internal_import():
    source = ("from isu_engine.analyse.generic import settings_for\nimport isu_engine.check.rules\n"
              "from isu_engine import hookimpl, __version__\nfrom isu_engine.api import Section, Ledger\n")
    assert outside_the_api(source) == ["isu_engine.analyse.generic.settings_for", "isu_engine.check.rules.*",
                                       "isu_engine.__version__", "isu_engine.api.Ledger"]


def test_every_name_of_the_interface_exists_and_is_used_by_a_plugin():
    used = {name for source in plugin_sources().values() for module, name in core_imports(source)
            if module == "isu_engine.api"}
    assert all(hasattr(api, name) for name in api.__all__)
    assert len(set(api.__all__)) == len(api.__all__)
    # Item is for a plugin that adds a kind of result (docs/plugins.md shows one, and tests/test_docs.py runs it)
    assert sorted(set(api.__all__) - used - {"hookimpl", "load_model", "builtin_rule_kinds", "Item"}) == []


def test_every_name_of_the_interface_is_documented():
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    reference = text[text.index("## What a plugin's code sees"):]
    missing = [name for name in api.__all__ if not re.search(rf"`{re.escape(name)}[`(]", reference)]
    assert missing == []


def test_every_public_name_is_found_where_the_module_says():
    assert set(api._WHERE) == set(api.__all__)
    assert sorted(dir(api)) == sorted(api.__all__)
