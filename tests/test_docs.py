"""docs/plugins.md documents every hook with the signature of its spec, and every key of model.yaml."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from isu_engine import hookspecs
from isu_engine.compare.harmonize import HARMONIZE_KEYS
from isu_engine.configure.model import BLOCKS, CONSTRAINT_KEYS, DIRECTIONS, FIELD_KEYS, FIELD_TYPES, FORMATS, MODEL_KEYS, ROLES, SCALE_KEYS
from isu_engine.check.rules import builtin_rule_kinds

DOC = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"
HOOK_HEADING = re.compile(r"^#{2,4}\s+`?(isu_\w+)\(([^)]*)\)`?\s*$", re.M)


def hook_specs() -> dict[str, list[str]]:
    """Every hook specification in hookspecs.py with its parameter names."""
    return {name: list(inspect.signature(function).parameters)
            for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
            if getattr(function, "isu_engine_spec", None) is not None}


def documented_hooks(text: str) -> dict[str, list[str]]:
    """Hooks documented under a heading like `### isu_analyses(model, data, config)`."""
    found = {}
    for name, params in HOOK_HEADING.findall(text):
        assert name not in found, f"{name} is documented twice"
        found[name] = [p.strip() for p in params.split(",") if p.strip()]
    return found


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text(encoding="utf-8")


def test_the_specs_are_found():
    assert {"isu_register_models", "isu_analyses", "isu_harmonize"} <= set(hook_specs())


def test_every_hook_is_documented_with_the_signature_of_its_spec(text):
    documented = documented_hooks(text)
    for name, params in hook_specs().items():
        assert name in documented, f"docs/plugins.md does not document the hook {name}"
        assert documented[name] == params, f"{name}: documented ({', '.join(documented[name])}), spec ({', '.join(params)})"


def test_no_hook_is_documented_that_does_not_exist(text):
    assert set(documented_hooks(text)) <= set(hook_specs())


def test_each_hook_section_says_when_it_is_called_what_it_returns_and_shows_an_example(text):
    sections = re.split(r"^### ", text, flags=re.M)
    for name in hook_specs():
        [section] = [s for s in sections if s.startswith(f"`{name}(")]
        body = section.split("\n## ")[0]
        assert "**When**" in body and "**Returns**" in body, name
        assert "```python" in body and f"def {name}(" in body, name


def test_the_signature_check_catches_a_wrong_signature():
    wrong = "### `isu_analyses(model, data)`\n"
    assert documented_hooks(wrong)["isu_analyses"] != hook_specs()["isu_analyses"]


@pytest.mark.parametrize("keys", [MODEL_KEYS, FIELD_KEYS, CONSTRAINT_KEYS, SCALE_KEYS, ROLES, BLOCKS, FIELD_TYPES,
                                  FORMATS, DIRECTIONS, HARMONIZE_KEYS, tuple(builtin_rule_kinds())])
def test_every_model_key_and_choice_is_in_the_reference(text, keys):
    missing = [key for key in keys if f"`{key}`" not in text]
    assert not missing, f"docs/plugins.md does not mention {missing}"


STATISTICS = Path(__file__).resolve().parents[1] / "docs" / "statistics.md"


def test_statistics_md_defines_every_figure_and_setting_of_the_demo(tmp_path):
    from isu_engine.commands.demo import write_demo_config
    from isu_engine.commands.run import build_run
    from isu_engine.configure.config import load_config
    from isu_engine.configure.plugins import load_registry

    text = STATISTICS.read_text(encoding="utf-8")
    registry = load_registry()
    config = load_config(write_demo_config(registry, tmp_path))
    reports = build_run(config, registry).reports
    assert {report.meta.model for report in reports} >= {"fit", "loke"}
    undocumented = set()
    for report in reports:
        scales = set(report.dataset.model.scales)
        for figure_id in report.figures():
            scale, _, rest = figure_id.partition(".")
            generic = f"`<scale>.{rest}`" in text or f"<scale>.{rest}" in text
            if f"`{figure_id}`" not in text and not (scale in scales and generic) and report.meta.model != "gas":
                undocumented.add(figure_id)
    assert not undocumented
    for model in ("fit", "loke"):
        for name in registry.model(model).parameters:
            if name not in ("planned_values", "goal_attained_values", "goal_partly_values", "goal_assessed_values"):
                assert f"`{name}`" in text, name
