"""GAS (Goal Attainment Scaling) as an isu-engine model plugin, built on the public plugin interface only.

Hooks: the model (model.yaml), the rule kind `filled_in_order`, the report sections,
the harmonized frame for `isu compare` and demo data for `isu demo`.
"""

from __future__ import annotations

from pathlib import Path

from isu_engine import hookimpl

MODEL_FILE = Path(__file__).with_name("model.yaml")
MODEL_NAME = "gas"


@hookimpl
def isu_register_models(register):
    register(MODEL_FILE)


@hookimpl
def isu_rule_types(register):
    from .rules import FILLED_IN_ORDER

    register(FILLED_IN_ORDER)


@hookimpl
def isu_analyses(model, data, config):
    if model.name != MODEL_NAME:
        return None
    from .analyses import sections

    return sections(data, config)


@hookimpl
def isu_harmonize(model, data, config):
    if model.name != MODEL_NAME:
        return None
    from .harmonize import harmonized

    return harmonized(data, config)


@hookimpl
def isu_demo_datasets(folder):
    from isu_engine.configure.model import load_model
    from isu_engine.check.rules import builtin_rule_kinds

    from .demo import write_demo
    from .rules import FILLED_IN_ORDER

    model = load_model(MODEL_FILE, MODEL_FILE.name, {**builtin_rule_kinds(), FILLED_IN_ORDER.name: FILLED_IN_ORDER})
    titles = {name: field.title("sv") for name, field in model.fields.items()}
    return [write_demo(folder, titles)]
