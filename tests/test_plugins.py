"""Plugins: entry points and model folders, broken plugins named, order independence, strict mode."""

from importlib import metadata
import json

import pytest

from isu_engine import hookimpl

from isu_engine.configure import plugins
from isu_engine.errors import UserError
from isu_engine.configure.plugins import load_registry
from isu_engine.check.rules import Failure, RuleKind

YAML_MODEL = """
name: {name}
title: {{sv: Testmodell, en: Test model}}
version: "2.1"
fields:
  - {{name: id, type: string, role: subject, constraints: {{required: true}}}}
  - {{name: score, type: number, constraints: {{minimum: 0, maximum: 10}}}}
"""


@pytest.mark.plugins("fit", "loke")
def test_built_in_models_come_through_entry_points():
    registry = load_registry()
    assert {"fit", "loke"} <= set(registry.models)
    assert registry.models["fit"].plugin == "fit" and registry.models["loke"].plugin == "loke"
    names = {ep.name for ep in metadata.entry_points(group=plugins.ENTRY_POINT_GROUP)}
    assert {"fit", "loke"} <= names
    assert not registry.problems


def test_a_plugin_installed_while_the_process_runs_is_found_by_the_next_registry(tmp_path, monkeypatch):
    """The installed plugins are kept per process, and read again when a folder on the import path changes."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv(plugins.LOAD_PLUGINS_ENV, "isu_late")
    assert "isu_late" not in load_registry().plugin_origins
    (site / "isu_late.py").write_text("", encoding="utf-8")
    dist_info = site / "isu_late-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: isu-late\nVersion: 1.0\n", encoding="utf-8")
    (dist_info / "entry_points.txt").write_text("[isu_engine.models]\nisu_late = isu_late\n", encoding="utf-8")
    registry = load_registry()
    assert registry.plugin_origins["isu_late"] == "entry point isu_late (isu-late 1.0)"
    assert registry.plugin_versions["isu_late"] == "1.0"


def test_yaml_only_model_folder(write, tmp_path):
    write("models/mini/model.yaml", YAML_MODEL.format(name="mini"))
    registry = load_registry([tmp_path / "models"])
    assert registry.models["mini"].version == "2.1"
    assert registry.models["mini"].origin.startswith("plugins dir")


def test_broken_model_yaml_is_named_and_others_still_load(write, tmp_path):
    write("models/good/model.yaml", YAML_MODEL.format(name="good"))
    write("models/bad/model.yaml", YAML_MODEL.format(name="bad").replace("type: number", "type: numbr"))
    registry = load_registry([tmp_path / "models"])
    assert "good" in registry.models and "bad" not in registry.models
    [problem] = registry.problems
    assert problem.plugin == "bad"
    assert "model.yaml" in problem.problem and "rad 6" in problem.problem and "numbr" in problem.problem


def test_strict_plugins_makes_a_broken_plugin_fatal(write, tmp_path):
    write("models/bad/model.yaml", "name: bad\nfields: [}\n")
    with pytest.raises(UserError) as caught:
        load_registry([tmp_path / "models"], strict=True)
    assert "bad" in caught.value.line()


class Rules:
    @hookimpl
    def isu_rule_types(self, register):
        register(RuleKind("always_fails", ("field",), ("field",),
                          lambda frame, rule: [Failure(frame[rule.params["field"]].notna(), rule.params["field"],
                                                       "rule.custom", {"text": "x"})]))


class FailingTemplates:
    @hookimpl
    def isu_template_dirs(self):
        raise RuntimeError("boom")


class Templates:
    def __init__(self, folder):
        self.folder = folder

    @hookimpl
    def isu_template_dirs(self):
        return [self.folder]


def test_every_hook_failure_is_named_and_the_others_still_run(tmp_path):
    registry = load_registry(extra_plugins=[("failing", FailingTemplates()), ("working", Templates(tmp_path))])
    assert registry.template_dirs == [tmp_path]
    [problem] = registry.problems
    assert problem.plugin == "failing" and "RuntimeError: boom" in problem.problem
    with pytest.raises(UserError) as caught:
        load_registry(strict=True, extra_plugins=[("failing", FailingTemplates())])
    assert "failing" in caught.value.line()


def test_results_do_not_depend_on_registration_order(tmp_path):
    first, second = tmp_path / "a", tmp_path / "z"
    one = load_registry(extra_plugins=[("a_plugin", Templates(first)), ("z_plugin", Templates(second))])
    other = load_registry(extra_plugins=[("z_plugin", Templates(second)), ("a_plugin", Templates(first))])
    assert one.template_dirs == other.template_dirs == [first, second]


class NoArguments:
    """Implementations that declare fewer arguments than their specs, as pluggy allows."""

    @hookimpl
    def isu_register_models(self):
        pass

    @hookimpl
    def isu_rule_types(self):
        pass


def test_hooks_are_called_with_the_arguments_they_declare():
    registry = load_registry(extra_plugins=[("quiet", NoArguments())])
    assert not registry.problems


def test_a_model_is_registered_with_its_behaviour(write, tmp_path):
    path = write("mini/model.yaml", YAML_MODEL.format(name="mini"))

    def sections(data):
        return ["from mini"]

    class Mini:
        @hookimpl
        def isu_register_models(self, register):
            register(path, analyses=sections, demo_reflection=tmp_path / "notes.yaml")

    entry = load_registry(extra_plugins=[("mini_plugin", Mini())]).models["mini"]
    assert entry.plugin == "mini_plugin" and entry.analyses is sections and entry.harmonize is None
    assert entry.demo_reflection == tmp_path / "notes.yaml"
    assert plugins.call_declared(entry.analyses, model=None, data="d", config=None) == ["from mini"]


def test_register_needs_functions(write):
    path = write("mini/model.yaml", YAML_MODEL.format(name="mini"))

    class Wrong:
        @hookimpl
        def isu_register_models(self, register):
            register(path, analyses="sections")

    registry = load_registry(extra_plugins=[("wrong", Wrong())])
    assert "mini" not in registry.models
    [problem] = registry.problems
    assert problem.plugin == "wrong" and "analyses" in problem.problem


def test_call_declared_passes_what_a_function_declares():
    assert plugins.call_declared(lambda config, data: (data, config), model=1, data=2, config=3) == (2, 3)
    assert plugins.call_declared(lambda **given: sorted(given), model=1, data=2) == ["data", "model"]


@pytest.mark.parametrize("chosen, expected", [("", set()), ("loke", {"loke"}), (" fit , loke ", {"fit", "loke"}),
                                              ("no_such_plugin", set())])
def test_isu_load_plugins_chooses_the_entry_point_plugins(monkeypatch, chosen, expected):
    monkeypatch.setenv("ISU_LOAD_PLUGINS", chosen)
    registry = load_registry()
    assert {entry.plugin for entry in registry.models.values()} == expected
    assert not registry.problems


@pytest.mark.plugins("fit", "loke")
def test_without_isu_load_plugins_every_entry_point_loads(monkeypatch):
    monkeypatch.delenv("ISU_LOAD_PLUGINS", raising=False)
    assert {"fit", "loke"} <= set(load_registry().models)


def test_plugin_rule_kinds_are_usable_in_models(write, tmp_path):
    write("models/r/model.yaml", YAML_MODEL.format(name="r") + "rules:\n  - {type: always_fails, field: score}\n")
    registry = load_registry([tmp_path / "models"], extra_plugins=[("rules", Rules())])
    assert "always_fails" in registry.rule_kinds
    assert registry.models["r"].model.rules[0].type == "always_fails"


def test_unknown_rule_kind_is_a_model_error(write, tmp_path):
    write("models/r/model.yaml", YAML_MODEL.format(name="r") + "rules:\n  - {type: sometimes, field: score}\n")
    registry = load_registry([tmp_path / "models"])
    assert "r" not in registry.models
    assert "sometimes" in registry.problems[0].problem


@pytest.mark.plugins("fit", "loke")
def test_duplicate_model_name_keeps_the_first(write, tmp_path):
    write("models/fit/model.yaml", YAML_MODEL.format(name="fit"))
    registry = load_registry([tmp_path / "models"])
    assert registry.models["fit"].plugin == "fit" and registry.models["fit"].origin.startswith("entry point fit")
    assert "fit" in registry.problems[0].problem


@pytest.mark.plugins("fit", "loke")
def test_entry_point_that_fails_to_import_is_named(monkeypatch):
    real = metadata.entry_points

    def with_broken(group=None, **kwargs):
        found = list(real(group=group, **kwargs))
        if group == plugins.ENTRY_POINT_GROUP:
            found.append(metadata.EntryPoint(name="broken", value="isu_no_such_module", group=group))
        return found

    monkeypatch.setattr(plugins.metadata, "entry_points", with_broken)
    monkeypatch.setattr(plugins, "_installed", {})      # the installed plugins are found afresh, with the broken one
    monkeypatch.setenv(plugins.LOAD_PLUGINS_ENV, "fit,loke,broken")
    registry = load_registry()
    assert {"fit", "loke"} <= set(registry.models)
    [problem] = registry.problems
    assert problem.plugin == "broken" and "ModuleNotFoundError" in problem.problem
    with pytest.raises(UserError):
        load_registry(strict=True)


@pytest.mark.plugins("fit", "loke")
def test_cli_models_warns_about_a_broken_plugin(cli, write, tmp_path):
    write("models/bad/model.yaml", "name: bad\nfields: [}\n")
    result = cli("models", "--json", "--plugins-dir", tmp_path / "models")
    assert result.code == 0
    assert "bad" in result.err and "Traceback" not in result.err
    listed = json.loads(result.out)
    assert {m["name"] for m in listed["models"]} >= {"fit", "loke"}
    assert listed["problems"][0]["plugin"] == "bad"
    strict = cli("models", "--strict-plugins", "--plugins-dir", tmp_path / "models")
    assert strict.code == 2 and len(strict.err.strip().splitlines()) == 1


def goal_setting(value, document, container, key):
    """A model's own dataset key: a whole number of weeks, read as days."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise document.error("schema.not_number", container, key, name=key, where="goal", value=value)
    return value * 7


def test_a_model_declares_its_dataset_keys_and_reads_them_when_the_dataset_loads(write, tmp_path):
    from isu_engine.check.dataset import dataset_model
    from isu_engine.configure.config import load_config

    path = write("mini/model.yaml", YAML_MODEL.format(name="mini"))

    class Mini:
        @hookimpl
        def isu_register_models(self, register):
            register(path, dataset_keys={"goal_weeks": goal_setting})

    registry = load_registry(extra_plugins=[("mini", Mini())])
    good = load_config(write("good.yaml", "datasets:\n  a: {model: mini, source: d.csv, goal_weeks: 3}\n"))
    assert dataset_model(registry, good, good.datasets["a"]).settings == {"goal_weeks": 21}
    bad = load_config(write("bad.yaml", "datasets:\n  a:\n    model: mini\n    source: d.csv\n    goal_weeks: many\n"))
    with pytest.raises(UserError) as caught:
        dataset_model(registry, bad, bad.datasets["a"])
    assert caught.value.place_text() == "rad 5" and "many" in caught.value.line()
    other = load_config(write("other.yaml", "datasets:\n  a:\n    model: mini\n    source: d.csv\n    goal_week: 2\n"))
    with pytest.raises(UserError) as caught:
        dataset_model(registry, other, other.datasets["a"])
    assert caught.value.place_text() == "rad 5" and "'goal_weeks'" in caught.value.line()


def test_a_model_cannot_take_the_engine_s_own_dataset_keys(write):
    path = write("mini/model.yaml", YAML_MODEL.format(name="mini"))

    class Taker:
        @hookimpl
        def isu_register_models(self, register):
            register(path, dataset_keys={"source": goal_setting})

    registry = load_registry(extra_plugins=[("taker", Taker())])
    assert "mini" not in registry.models and "source" in registry.problems[0].problem
