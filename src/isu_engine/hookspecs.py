"""The hooks a follow-up model plugin can implement.

Plugins are found through the entry-point group `isu_engine.models`. Every hook is
called with keyword arguments; the engine calls each plugin's implementation on
its own, so one plugin that fails is reported by name and the others still run,
and it orders results by plugin name, never by registration order.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("isu_engine")
hookimpl = pluggy.HookimplMarker("isu_engine")


@hookspec
def isu_register_models(register):
    """Register models: call ``register(path_to_model_yaml)`` once per model the plugin provides."""


@hookspec
def isu_rule_types(register):
    """Register validation rule kinds: call ``register(RuleKind(...))`` for each new kind."""


@hookspec
def isu_analyses(model, data, config):
    """Return a list of report sections for ``model``'s validated ``data``, or None for other models."""


@hookspec
def isu_harmonize(model, data, config):
    """Return the harmonized frame (one row per case, common columns) for ``model``, or None."""


@hookspec
def isu_template_dirs():
    """Return a list of template folders searched before the shared report templates."""


@hookspec
def isu_demo_datasets(folder):
    """Write synthetic demo data into ``folder`` and return config entries: dicts with ``name`` plus dataset keys."""
