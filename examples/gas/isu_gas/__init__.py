"""GAS (Goal Attainment Scaling) as an isu-engine model plugin, built on the public plugin interface only.

The model (model.yaml) is registered with its report sections, its harmonized frame for
`isu compare` and its demo data; the rule kind `filled_in_order` comes from its own hook.
"""

from __future__ import annotations

from pathlib import Path

from isu_engine import hookimpl

MODEL_FILE = Path(__file__).with_name("model.yaml")


def report_sections(data, config):
    """The GAS report's sections."""
    from .analyses import sections

    return sections(data, config)


def harmonized(data, config):
    """GAS's harmonized frame for `isu compare`: one row per case."""
    from .harmonize import harmonized

    return harmonized(data, config)


def demo_data(folder, model):
    """Write the Lärkan demo cases under the fields' Swedish titles; return their dataset entry."""
    from .demo import write_demo

    return write_demo(folder, {name: field.title("sv") for name, field in model.fields.items()})


@hookimpl
def isu_register_models(register):
    register(MODEL_FILE, analyses=report_sections, harmonize=harmonized, demo=demo_data)


@hookimpl
def isu_rule_types(register):
    from .rules import FILLED_IN_ORDER

    register(FILLED_IN_ORDER)
