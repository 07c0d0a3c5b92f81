"""The hooks a follow-up model plugin can implement.

Plugins are found through the entry-point group `isu_engine.models`. A plugin registers
each model together with its behaviour, so the engine dispatches by model and no hook
needs to ask which model it is about. Every hook is called with the arguments its
implementation declares (any subset of the specification's); the engine calls each
plugin's implementation on its own, so one plugin that fails is reported by name and the
others still run, and it orders results by plugin name, never by registration order.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("isu_engine")
hookimpl = pluggy.HookimplMarker("isu_engine")


@hookspec
def isu_register_models(register):
    """Register models: ``register(model_yaml, analyses=..., harmonize=..., demo=..., demo_reflection=...)``
    per model."""


@hookspec
def isu_rule_types(register):
    """Register validation rule kinds: call ``register(RuleKind(...))`` for each new kind."""


@hookspec
def isu_template_dirs():
    """Return a list of template folders searched before the shared report templates."""
