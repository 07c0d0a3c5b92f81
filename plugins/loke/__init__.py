"""LOKE (LOKal Evidens): intended vs actual target group, interventions and results, as an isu-engine model plugin."""

from pathlib import Path

from isu_engine import hookimpl

MODEL_FILE = Path(__file__).with_name("model.yaml")


@hookimpl
def isu_register_models(register):
    register(MODEL_FILE)


@hookimpl
def isu_analyses(model, data, config):
    if model.name != "loke":
        return None
    from .analyses import sections

    return sections(data, config)


@hookimpl
def isu_demo_datasets(folder):
    from .demo import write_demo

    return [write_demo(folder)]


@hookimpl
def isu_harmonize(model, data, config):
    if model.name != "loke":
        return None
    from .harmonize import harmonized

    return harmonized(data, config)
