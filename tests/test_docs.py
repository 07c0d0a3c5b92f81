"""docs/plugins.md documents every hook with the signature of its spec, and every key of model.yaml."""

from __future__ import annotations

import inspect
import re
import sys
import types
from pathlib import Path

import pytest

from isu_engine import hookspecs
from isu_engine.compare.harmonize import HARMONIZE_KEYS
from isu_engine.configure.model import BLOCKS, CONSTRAINT_KEYS, DIRECTIONS, FIELD_KEYS, FIELD_TYPES, FORMATS, MODEL_KEYS, ROLES, SCALE_KEYS
from isu_engine.check.rules import builtin_rule_kinds
from isu_engine.analyse.results import Section

DOC = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"
HOOK_HEADING = re.compile(r"^#{2,4}\s+`?(isu_\w+)\(([^)]*)\)`?\s*$", re.M)


def hook_specs() -> dict[str, list[str]]:
    """Every hook specification in hookspecs.py with its parameter names."""
    return {name: list(inspect.signature(function).parameters)
            for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
            if getattr(function, "isu_engine_spec", None) is not None}


def documented_hooks(text: str) -> dict[str, list[str]]:
    """Hooks documented under a heading like `### isu_register_models(register)`."""
    found = {}
    for name, params in HOOK_HEADING.findall(text):
        assert name not in found, f"{name} is documented twice"
        found[name] = [p.strip() for p in params.split(",") if p.strip()]
    return found


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text(encoding="utf-8")


def test_the_specs_are_found():
    assert {"isu_register_models", "isu_rule_types", "isu_template_dirs"} <= set(hook_specs())


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
    wrong = "### `isu_register_models(register, model)`\n"
    assert documented_hooks(wrong)["isu_register_models"] != hook_specs()["isu_register_models"]


@pytest.mark.parametrize("keys", [MODEL_KEYS, FIELD_KEYS, CONSTRAINT_KEYS, SCALE_KEYS, ROLES, BLOCKS, FIELD_TYPES,
                                  FORMATS, DIRECTIONS, HARMONIZE_KEYS, tuple(builtin_rule_kinds())])
def test_every_model_key_and_choice_is_in_the_reference(text, keys):
    missing = [key for key in keys if f"`{key}`" not in text]
    assert not missing, f"docs/plugins.md does not mention {missing}"


STATISTICS = Path(__file__).resolve().parents[1] / "docs" / "statistics.md"


@pytest.mark.plugins("fit", "loke", "gas")
def test_statistics_md_defines_every_figure_and_setting_of_the_demo(demo_run):
    import json

    from isu_engine.configure.plugins import load_registry

    text = STATISTICS.read_text(encoding="utf-8")
    registry = load_registry()
    document = json.loads((demo_run.reports / "report.json").read_text(encoding="utf-8"))
    undocumented = set()
    for entry in document["datasets"].values():
        scales = set(registry.model(entry["model"]).scales)
        for figure_id in entry["figures"]:
            scale, _, rest = figure_id.partition(".")
            generic = f"`<scale>.{rest}`" in text or f"<scale>.{rest}" in text
            if f"`{figure_id}`" not in text and not (scale in scales and generic) and entry["model"] != "gas":
                undocumented.add(figure_id)
    assert not undocumented
    for model in ("fit", "loke"):
        for name in registry.model(model).parameters:
            if name not in ("planned_values", "goal_attained_values", "goal_partly_values", "goal_assessed_values"):
                assert f"`{name}`" in text, name


def _own_kind_example(text: str) -> tuple[str, str]:
    """The Python and the template of the example "A kind of result of your own"."""
    section = text.split("#### A kind of result of your own", 1)[1].split("\n## ", 1)[0]
    python = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    template = re.search(r"```jinja\n(.*?)```", section, re.S).group(1)
    return python, template


@pytest.mark.parametrize("girls_with_the_indicator, shown", [(12, True), (3, False)])
def test_the_documented_kind_of_result_is_shown_and_protected(text, tmp_path, monkeypatch, girls_with_the_indicator,
                                                              shown):
    import pandas as pd

    from isu_engine.analyse.tabulate import Population, Tally
    from isu_engine.protect.protection import Settings, protect
    from isu_engine.protect.records import Records
    from isu_engine.render.html import render_html
    from test_render import make_report, visible_text

    python, template = _own_kind_example(text)
    module = types.ModuleType("isu_own_kind")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(python, "docs/plugins.md", "exec", dont_inherit=True), module.__dict__)  # the documented example
    (tmp_path / "gauge.html").write_text(template, encoding="utf-8")
    records = Records()
    tally = Tally(records, "violalund")
    flags = pd.Series([True] * girls_with_the_indicator + [False] * (20 - girls_with_the_indicator),
                      index=[f"case-{i}" for i in range(20)])
    _, _, share = tally.indicator(Population("cases", "cases"), "ended_as_planned", flags)
    gauge = module.Gauge("Avslutade enligt plan", share)
    report = make_report([Section(id="own", title="Egen sort", items=[gauge])])
    protect(records, [cell.figure for cell in report.cells() if cell.figure is not None], Settings(min_cell=5))
    page = visible_text(render_html(report, template_dirs=[tmp_path]))
    assert ("Avslutade enligt plan 60,0\u00a0%" in page) is shown
    assert ("Avslutade enligt plan <5" in page) is not shown        # 3 of 20: disclosure control hid it
    assert share.hidden is not shown
