"""`isu new-model`: the scaffolded plugin loads, installs with its entry point and passes its own tests.

The install goes into a folder of the test (`pip install --target`), put on PYTHONPATH for
subprocesses only, so the project's virtual environment is left as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from isu_engine.configure.plugins import load_registry
from isu_engine.check.rules import builtin_rule_kinds
from isu_engine.configure.model import FIELD_TYPES, ROLES, BLOCKS, CONSTRAINT_KEYS

NAME = "trial_model"
PACKAGE = "isu_trial_model"


@pytest.fixture(scope="module")
def plugin(tmp_path_factory) -> Path:
    from isu_engine.commands.scaffold import scaffold

    folder = tmp_path_factory.mktemp("scaffold") / "plugin"
    scaffold(NAME, folder)
    return folder


def test_the_package_has_every_part(plugin):
    expected = {"pyproject.toml", "README.md", "conftest.py", "sample_data.csv", "sample_config.yaml",
                f"{PACKAGE}/__init__.py", f"{PACKAGE}/model.yaml", f"{PACKAGE}/messages/sv.yaml",
                f"{PACKAGE}/messages/en.yaml", "tests/test_model.py"}
    assert {p.relative_to(plugin).as_posix() for p in plugin.rglob("*") if p.is_file()} == expected
    project = tomllib.loads((plugin / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["isu_engine.models"] == {NAME: PACKAGE}
    assert project["project"]["dependencies"] == ["isu-engine"]
    for path in plugin.rglob("*"):
        if path.is_file():
            assert "{{" not in path.read_text(encoding="utf-8"), path


def test_the_model_yaml_shows_every_field_type_role_block_and_rule_kind(plugin):
    text = (plugin / PACKAGE / "model.yaml").read_text(encoding="utf-8")
    model = yaml.safe_load(text)
    fields = model["fields"]
    assert {f.get("type", "string") for f in fields} == set(FIELD_TYPES)
    assert {f["block"] for f in fields if "block" in f} == set(BLOCKS)
    used_constraints = {key for f in fields for key in f.get("constraints", {})}
    assert used_constraints == set(CONSTRAINT_KEYS)
    for role in ROLES:                       # every role is used or explained
        assert role in text
    for kind in builtin_rule_kinds():        # every rule kind is used or shown commented out
        assert f"type: {kind}" in text
    for key in ("reliability", "reliable_change", "sd_ref", "type: a", "type: c", "rules:", "value:", "items:"):
        assert key in text
    assert {"analyses", "parameters", "harmonize"} <= set(model)


def test_the_model_loads_from_a_plugins_dir_without_python(plugin, cli):
    registry = load_registry([plugin / PACKAGE])
    assert NAME in registry.models and registry.models[NAME].origin.startswith("plugins dir")
    assert not registry.problems
    book = cli("models", NAME, "--plugins-dir", plugin / PACKAGE, "--format", "json")
    assert book.code == 0 and json.loads(book.out)["name"] == NAME


def test_bad_name_and_a_folder_in_use_are_user_errors(cli, tmp_path):
    bad = cli("new-model", "Trial-Model", "--out", tmp_path / "a")
    assert bad.code == 2 and "Trial-Model" in bad.err and len(bad.err.strip().splitlines()) == 1
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("x", encoding="utf-8")
    used = cli("new-model", NAME, "--out", tmp_path / "used")
    assert used.code == 2 and "used" in used.err and len(used.err.strip().splitlines()) == 1
    engine = cli("new-model", "engine", "--out", tmp_path / "b")
    assert engine.code == 2 and "isu_engine" in engine.err and not (tmp_path / "b").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("new-model", NAME, "--out", empty).code == 0
    assert (empty / PACKAGE / "model.yaml").is_file()


@pytest.mark.slow
@pytest.mark.plugins(NAME)
def test_installed_the_plugin_shows_in_isu_models_and_passes_its_own_tests(plugin, tmp_path):
    target = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                              str(plugin)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    [dist_info] = target.glob("*.dist-info")
    assert f"[isu_engine.models]\n{NAME} = {PACKAGE}" in (dist_info / "entry_points.txt").read_text(encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONDONTWRITEBYTECODE": "1"}
    models = subprocess.run([sys.executable, "-m", "isu_engine", "models", "--json"], capture_output=True,
                            text=True, env=env, cwd=tmp_path)
    assert models.returncode == 0, models.stderr
    listed = {entry["name"]: entry for entry in json.loads(models.stdout)["models"]}
    assert listed[NAME]["plugin"] == NAME and listed[NAME]["loaded"] is True
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs"],
                           capture_output=True, text=True, env=env, cwd=plugin)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout and "skipped" not in tests.stdout
