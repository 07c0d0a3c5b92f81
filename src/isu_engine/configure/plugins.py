"""Finding and loading follow-up models: entry-point plugins and YAML-only model folders.

A plugin registers each model together with its behaviour (analyses, harmonizer, demo
data, demo reflection entries); the engine dispatches by model, so a plugin's code only
ever sees its own models. The registry owns ordering and de-duplication: plugins are
taken in name order, entry points before plugin folders, and a model name registered
twice keeps the first and reports the second. Every hook is called with the arguments
its implementation declares. A plugin that fails, in any hook, is recorded as a problem
with its name and the others carry on; with `strict` the first problem is a UserError.
`ISU_LOAD_PLUGINS` (plugin names separated by commas; empty for none) limits which
entry-point plugins load.
"""

from __future__ import annotations

import inspect
import os
import sys
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pluggy

from isu_engine import hookspecs
from isu_engine.errors import UserError
from isu_engine.i18n import register_messages
from isu_engine.configure.config import DATASET_KEYS
from isu_engine.configure.model import Model, load_model
from isu_engine.check.rules import RuleKind, builtin_rule_kinds
from isu_engine.configure.schema import display_path

ENTRY_POINT_GROUP = "isu_engine.models"
LOAD_PLUGINS_ENV = "ISU_LOAD_PLUGINS"
MODEL_FILE = "model.yaml"


@dataclass(frozen=True)
class PluginProblem:
    """A plugin or model that could not be loaded, and why."""

    plugin: str
    origin: str
    problem: str


@dataclass(frozen=True)
class ModelEntry:
    """A registered model with the plugin that brought it and what the plugin does for it.

    `analyses(model, data, config)` returns the model's report sections;
    `harmonize(model, data, config)` its harmonized frame for `isu compare`;
    `demo(folder, model)` writes demo data and returns its config entry (or a list);
    `demo_reflection` is a YAML file of reflection-log entries for the demo;
    `dataset_keys` maps each key the model adds to a dataset's config (LOKE's `idea`) to
    the function that checks and reads it when the dataset is loaded. Each function is
    called with the arguments it declares.
    """

    model: Model
    plugin: str
    origin: str
    version: str
    analyses: Callable | None = None
    harmonize: Callable | None = None
    demo: Callable | None = None
    demo_reflection: Path | None = None
    dataset_keys: dict[str, Callable] = field(default_factory=dict)


@dataclass(frozen=True)
class Registration:
    """What a plugin's `register(...)` call hands over, before the model file is parsed."""

    path: Path
    analyses: Callable | None = None
    harmonize: Callable | None = None
    demo: Callable | None = None
    demo_reflection: Path | None = None
    dataset_keys: dict[str, Callable] = field(default_factory=dict)


@dataclass
class Registry:
    """Everything the plugins provide: models with their behaviour, rule kinds, template folders."""

    manager: pluggy.PluginManager
    models: dict[str, ModelEntry] = field(default_factory=dict)
    rule_kinds: dict[str, RuleKind] = field(default_factory=dict)
    template_dirs: list[Path] = field(default_factory=list)
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

    def call_each(self, hook_name: str, **available) -> Iterator[tuple[str, Any, BaseException | None]]:
        """Call every implementation on its own, with the arguments it declares: (plugin, result, error or None).

        Each implementation runs when the loop over the results reaches it.
        """
        for impl in self.implementations(hook_name):
            try:
                result = impl.function(**{name: available[name] for name in impl.argnames})
            except Exception as error:  # a broken plugin must not stop the others
                yield impl.plugin_name, None, error
            else:
                yield impl.plugin_name, result, None


def call_declared(function: Callable, **available) -> Any:
    """Call a plugin's function with those of `available` that it declares (all of them for **kwargs)."""
    parameters = inspect.signature(function).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return function(**available)
    return function(**{p.name: available[p.name] for p in parameters if p.name in available})


def load_registry(plugins_dirs: Iterable[Path] = (), strict: bool = False,
                  extra_plugins: Iterable[tuple[str, Any]] = ()) -> Registry:
    """Load entry-point plugins, `extra_plugins` (name, object) and YAML-only model folders."""
    manager = pluggy.PluginManager("isu_engine")
    manager.add_hookspecs(hookspecs)
    registry = Registry(manager=manager)
    _register_entry_points(registry, _plugins_to_load())
    for name, plugin in extra_plugins:
        _register_plugin(registry, name, plugin, origin=f"plugin object {name}")
    _collect_rule_kinds(registry)
    _collect_plugin_models(registry)
    _collect_template_dirs(registry)
    for folder in plugins_dirs:
        _collect_folder_models(registry, Path(folder))
    if strict and registry.problems:
        problem = registry.problems[0]
        raise UserError("plugins.broken_strict", plugin=problem.plugin, origin=problem.origin, problem=problem.problem)
    return registry


def _plugins_to_load() -> set[str] | None:
    """The entry-point plugins `ISU_LOAD_PLUGINS` names, or None (all) when it is not set."""
    chosen = os.environ.get(LOAD_PLUGINS_ENV)
    if chosen is None:
        return None
    return {name.strip() for name in chosen.split(",") if name.strip()}


def _problem(registry: Registry, plugin: str, origin: str, error: BaseException | str) -> None:
    text = error if isinstance(error, str) else _describe(error)
    registry.problems.append(PluginProblem(plugin=plugin, origin=origin, problem=text))


def _describe(error: BaseException) -> str:
    if isinstance(error, UserError):
        return error.line()
    frame = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
    where = f" ({Path(frame[0].filename).name}:{frame[0].lineno})" if frame else ""
    return f"{type(error).__name__}: {error}{where}"


@dataclass(frozen=True)
class _InstalledPlugin:
    entry_point: metadata.EntryPoint
    package: str                 # the distribution's name and version, or the entry point's target
    version: str | None


_installed: dict[tuple, list[_InstalledPlugin]] = {}


def _installed_plugins() -> list[_InstalledPlugin]:
    """The plugins' entry points in name order, with their packages.

    Finding them reads every installed package's metadata, so the list is kept for the
    process and read again when a folder on the import path changes (a package installed
    or removed changes its folder).
    """
    key = tuple((folder, _changed_at(folder)) for folder in sys.path)
    if key not in _installed:
        _installed.clear()
        found = []
        for entry_point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
            dist = entry_point.dist
            package = f"{dist.metadata['Name']} {dist.version}" if dist else entry_point.value
            found.append(_InstalledPlugin(entry_point, package, dist.version if dist else None))
        _installed[key] = found
    return _installed[key]


def _changed_at(folder: str) -> int | None:
    try:
        return os.stat(folder or ".").st_mtime_ns
    except OSError:
        return None


def _register_entry_points(registry: Registry, chosen: set[str] | None) -> None:
    for installed in _installed_plugins():
        entry_point = installed.entry_point
        if chosen is not None and entry_point.name not in chosen:
            continue
        origin = f"entry point {entry_point.name} ({installed.package})"
        try:
            plugin = entry_point.load()
        except Exception as error:
            _problem(registry, entry_point.name, origin, error)
            continue
        if _register_plugin(registry, entry_point.name, plugin, origin) and installed.version:
            registry.plugin_versions[entry_point.name] = installed.version


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
    found: list[RuleKind] = []
    for plugin, _, error in registry.call_each("isu_rule_types", register=found.append):
        try:
            if error is not None:
                raise error
            for kind in found:
                if not isinstance(kind, RuleKind):
                    raise TypeError(f"register() needs a RuleKind, got {type(kind).__name__}")
                if kind.name in registry.rule_kinds:
                    raise ValueError(f"rule kind '{kind.name}' is already registered")
        except Exception as problem:
            _problem(registry, plugin, _origin_of(registry, plugin), problem)
        else:
            registry.rule_kinds.update({kind.name: kind for kind in found})
        found.clear()


def _registration(path: Path | str, *, analyses: Callable | None = None, harmonize: Callable | None = None,
                  demo: Callable | None = None, demo_reflection: Path | str | None = None,
                  dataset_keys: dict[str, Callable] | None = None) -> Registration:
    """The arguments of a plugin's `register(...)`, checked."""
    dataset_keys = dict(dataset_keys or {})
    functions = [("analyses", analyses), ("harmonize", harmonize), ("demo", demo),
                 *((f"dataset_keys['{key}']", parser) for key, parser in dataset_keys.items())]
    for name, function in functions:
        if function is not None and not callable(function):
            raise TypeError(f"register({name}=...) needs a function, got {type(function).__name__}")
    taken = sorted(set(dataset_keys) & set(DATASET_KEYS))
    if taken:
        raise ValueError(f"register(dataset_keys=...): {taken} are the engine's own dataset keys")
    return Registration(Path(path), analyses, harmonize, demo,
                        None if demo_reflection is None else Path(demo_reflection), dataset_keys)


def _collect_plugin_models(registry: Registry) -> None:
    registrations: list[Registration] = []

    def register(*args, **kwargs) -> None:
        registrations.append(_registration(*args, **kwargs))

    for plugin, _, error in registry.call_each("isu_register_models", register=register):
        if error is not None:
            _problem(registry, plugin, _origin_of(registry, plugin), error)
        else:
            for registration in registrations:
                _add_model(registry, plugin, registration, origin=_origin_of(registry, plugin),
                           version=registry.plugin_versions.get(plugin))
        registrations.clear()


def _collect_template_dirs(registry: Registry) -> None:
    for plugin, result, error in registry.call_each("isu_template_dirs"):
        try:
            if error is not None:
                raise error
            folders = [Path(folder) for folder in result or []]
        except Exception as problem:
            _problem(registry, plugin, _origin_of(registry, plugin), problem)
        else:
            registry.template_dirs.extend(folders)


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
        _add_model(registry, path.parent.name, Registration(path), origin=f"plugins dir {display_path(path.parent)}")


def _add_model(registry: Registry, plugin: str, registration: Registration, origin: str,
               version: str | None = None) -> None:
    path = registration.path
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
    registry.models[model.name] = ModelEntry(
        model=model, plugin=plugin, origin=origin, version=model.version or version or "",
        analyses=registration.analyses, harmonize=registration.harmonize, demo=registration.demo,
        demo_reflection=registration.demo_reflection, dataset_keys=registration.dataset_keys)


def plugin_versions(registry: Registry) -> dict[str, str]:
    """Model name -> model version, sorted by name (for report provenance)."""
    return {name: entry.version for name, entry in sorted(registry.models.items())}
