"""LOKE (LOKal Evidens): intended vs actual target group, interventions and results, as an isu-engine model plugin."""

from pathlib import Path

from isu_engine import hookimpl

HERE = Path(__file__).parent


def report_sections(data, config):
    """The LOKE annual compilation's sections."""
    from .analyses import sections

    return sections(data, config)


def harmonized(data, config):
    """LOKE's harmonized frame for `isu compare`: one row per case."""
    from .harmonize import harmonized

    return harmonized(data, config)


def written_idea(value, model, document, container, key, where, language):
    """A dataset's `idea:` (the verksamhetsidé), read and checked when the dataset is loaded."""
    from .idea import read_idea

    return read_idea(value, model, document, container, key, where, language)


def demo_data(folder):
    """Write the Violalund demo workbook into `folder`; return its dataset entry."""
    from .demo import write_demo

    return write_demo(folder)


@hookimpl
def isu_register_models(register):
    register(HERE / "model.yaml", analyses=report_sections, harmonize=harmonized, demo=demo_data,
             demo_reflection=HERE / "demo_reflection.yaml", dataset_keys={"idea": written_idea})
