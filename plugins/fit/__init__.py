"""FIT (Feedback-Informed Treatment): ORS/SRS session data as an isu-engine model plugin."""

from pathlib import Path

from isu_engine import hookimpl

HERE = Path(__file__).parent


def report_sections(data, config):
    """The FIT report's sections."""
    from .analyses import sections

    return sections(data, config)


def harmonized(data, config):
    """FIT's harmonized frame for `isu compare`: one row per client episode."""
    from .harmonize import harmonized

    return harmonized(data, config)


def demo_data(folder):
    """Write the Hasselberg demo sessions into `folder`; return their dataset entry."""
    from .demo import write_demo

    return write_demo(folder)


@hookimpl
def isu_register_models(register):
    register(HERE / "model.yaml", analyses=report_sections, harmonize=harmonized, demo=demo_data,
             demo_reflection=HERE / "demo_reflection.yaml")
