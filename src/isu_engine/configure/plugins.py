"""Finding and loading follow-up models: entry-point plugins and YAML-only model folders.

The registry owns ordering and de-duplication: plugins are taken in name order,
entry points before plugin folders, and a model name registered twice keeps the
first and reports the second. A plugin that fails is recorded as a problem with
its name; with `strict` the first problem is a UserError instead.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

import pluggy

from isu_engine import hookspecs
from isu_engine.errors import UserError
from isu_engine.i18n import register_messages
from isu_engine.configure.model import Model, load_model
from isu_engine.check.rules import RuleKind, builtin_rule_kinds
from isu_engine.configure.schema import display_path

ENTRY_POINT_GROUP = "isu_engine.models"
MODEL_FILE = "model.yaml"


@dataclass(frozen=True)
class PluginProblem:
    """A plugin or model that could not be loaded, and why."""

    plugin: str
    origin: str
    problem: str


@dataclass(frozen=True)
class ModelEntry:
    """A registered model with the plugin that brought it."""

    model: Model
    plugin: str
    origin: str
    version: str


@dataclass
class Registry:
    """Everything the plugins provide: models, rule kinds, template folders, hooks."""

    manager: pluggy.PluginManager
    models: dict[str, ModelEntry] = field(default_factory=dict)
    rule_kinds: dict[str, RuleKind] = field(default_factory=dict)
    problems: list[PluginProblem] = field(default_factory=list)
    broken_models: dict[str, UserError] = field(default_factory=dict)
    plugin_versions: dict[str, str] = field(default_factory=dict)
    plugin_origins: dict[str, str] = field(default_factory=dict)

    def model(self, name: str) -> Model:
        if name not in self.models and name in self.broken_models:
            raise self.broken_models[name]  # the model's own error, at its line, rather than "unknown model"
        if name not in self.models:
            raise UserError("plugins.unknown_model", name=name, known=", ".join(sorted(self.models)) or "–")
        return self.models[name].model

    def implementations(self, hook_name: str) -> list:
        """The hook's implementations, in plugin-name order."""
        hook = getattr(self.manager.hook, hook_name)
        return sorted(hook.get_hookimpls(), key=lambda impl: impl.plugin_name)

    def call_each(self, hook_name: str, **kwargs) -> list[tuple[str, Any, BaseException | None]]:
        """Call every implementation on its own: (plugin name, result, error or None)."""
        results = []
        for impl in self.implementations(hook_name):
            try:
                results.append((impl.plugin_name, impl.function(**kwargs), None))
            except Exception as error:  # a broken plugin must not stop the others
                results.append((impl.plugin_name, None, error))
        return results

    def template_dirs(self) -> list[Path]:
        dirs: list[Path] = []
        for plugin, result, error in self.call_each("isu_template_dirs"):
            if error is None and result:
                dirs.extend(Path(d) for d in result)
        return dirs


def load_registry(plugins_dirs: Iterable[Path] = (), strict: bool = False,
                  extra_plugins: Iterable[tuple[str, Any]] = ()) -> Registry:
    """Load entry-point plugins, `extra_plugins` (name, object) and YAML-only model folders."""
    manager = pluggy.PluginManager("isu_engine")
    manager.add_hookspecs(hookspecs)
    registry = Registry(manager=manager)
    _register_entry_points(registry)
    for name, plugin in extra_plugins:
        _register_plugin(registry, name, plugin, origin=f"plugin object {name}")
    _collect_rule_kinds(registry)
    _collect_plugin_models(registry)
    for folder in plugins_dirs:
        _collect_folder_models(registry, Path(folder))
    if strict and registry.problems:
        problem = registry.problems[0]
        raise UserError("plugins.broken_strict", plugin=problem.plugin, origin=problem.origin, problem=problem.problem)
    return registry


def _problem(registry: Registry, plugin: str, origin: str, error: BaseException | str) -> None:
    text = error if isinstance(error, str) else _describe(error)
    registry.problems.append(PluginProblem(plugin=plugin, origin=origin, problem=text))


def _describe(error: BaseException) -> str:
    if isinstance(error, UserError):
        return error.line()
    frame = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
    where = f" ({Path(frame[0].filename).name}:{frame[0].lineno})" if frame else ""
    return f"{type(error).__name__}: {error}{where}"


def _register_entry_points(registry: Registry) -> None:
    entry_points = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    for entry_point in entry_points:
        dist = entry_point.dist
        package = f"{dist.metadata['Name']} {dist.version}" if dist else entry_point.value
        origin = f"entry point {entry_point.name} ({package})"
        try:
            plugin = entry_point.load()
        except Exception as error:
            _problem(registry, entry_point.name, origin, error)
            continue
        if _register_plugin(registry, entry_point.name, plugin, origin) and dist:
            registry.plugin_versions[entry_point.name] = dist.version


def _register_plugin(registry: Registry, name: str, plugin: Any, origin: str) -> bool:
    try:
        registry.manager.register(plugin, name=name)
    except Exception as error:
        _problem(registry, name, origin, error)
        return False
    registry.plugin_origins[name] = origin
    return True


def _origin_of(registry: Registry, plugin_name: str) -> str:
    return registry.plugin_origins.get(plugin_name, plugin_name)


def _collect_rule_kinds(registry: Registry) -> None:
    registry.rule_kinds = builtin_rule_kinds()
    for impl in registry.implementations("isu_rule_types"):
        found: list[RuleKind] = []
        try:
            impl.function(register=found.append)
            for kind in found:
                if not isinstance(kind, RuleKind):
                    raise TypeError(f"register() needs a RuleKind, got {type(kind).__name__}")
                if kind.name in registry.rule_kinds:
                    raise ValueError(f"rule kind '{kind.name}' is already registered")
        except Exception as error:
            _problem(registry, impl.plugin_name, _origin_of(registry, impl.plugin_name), error)
            continue
        registry.rule_kinds.update({kind.name: kind for kind in found})


def _collect_plugin_models(registry: Registry) -> None:
    for impl in registry.implementations("isu_register_models"):
        plugin = impl.plugin_name
        paths: list[Path] = []
        try:
            impl.function(register=lambda path: paths.append(Path(path)))
        except Exception as error:
            _problem(registry, plugin, _origin_of(registry, plugin), error)
            continue
        for path in paths:
            _add_model(registry, plugin, path, origin=_origin_of(registry, plugin),
                       version=registry.plugin_versions.get(plugin))


def _collect_folder_models(registry: Registry, folder: Path) -> None:
    shown = display_path(folder)
    if not folder.is_dir():
        _problem(registry, shown, f"plugins dir {shown}", UserError("plugins.no_folder", file=shown))
        return
    if (folder / MODEL_FILE).is_file():
        candidates = [folder / MODEL_FILE]
    else:
        candidates = sorted(path / MODEL_FILE for path in folder.iterdir() if (path / MODEL_FILE).is_file())
    for path in candidates:
        _add_model(registry, path.parent.name, path, origin=f"plugins dir {display_path(path.parent)}")


def _add_model(registry: Registry, plugin: str, path: Path, origin: str, version: str | None = None) -> None:
    try:
        model = load_model(path, display_path(path), registry.rule_kinds, origin=origin)
    except Exception as error:
        _problem(registry, plugin, origin, error)
        if isinstance(error, UserError):
            registry.broken_models[plugin] = error
        return
    if model.name in registry.models:
        first = registry.models[model.name]
        _problem(registry, plugin, origin, UserError("plugins.duplicate_model", file=display_path(path),
                                                     name=model.name, first=first.origin))
        return
    register_messages(path.parent / "messages")
    registry.models[model.name] = ModelEntry(model=model, plugin=plugin, origin=origin,
                                             version=model.version or version or "")


def plugin_versions(registry: Registry) -> dict[str, str]:
    """Model name -> model version, sorted by name (for report provenance)."""
    return {name: entry.version for name, entry in sorted(registry.models.items())}

