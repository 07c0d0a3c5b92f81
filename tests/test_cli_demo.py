"""`isu demo` and `--debug` through the command line (DESIGN §5, README "Using it")."""

import json

import pytest

from isu_engine.commands import run as run_module
from isu_engine.configure.config import load_config

pytestmark = [pytest.mark.plugins("fit", "loke", "gas"), pytest.mark.slow]  # isu demo renders every PDF

# README "Using it": what the demo folder holds after `isu demo --out demo/`
DOCUMENTED = [
    "data/demo.yaml", "data/violalund.xlsx", "data/hasselberg_sessioner.csv", "data/larkan.csv",
    "data/reflektion.yaml",
    "reports/violalund.html", "reports/violalund.pdf", "reports/hasselberg.html", "reports/hasselberg.pdf",
    "reports/larkan.html", "reports/larkan.pdf", "reports/comparison.html", "reports/comparison.pdf",
    "reports/report.json",
    "reports/comparison.json",  # DESIGN §5: the comparison also writes comparison.json
]
MODELS = {"violalund": "loke", "hasselberg": "fit", "larkan": "gas"}


def test_isu_demo_writes_the_documented_files(isu_demo):
    result, out = isu_demo
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    for name in DOCUMENTED:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert sorted(p.name for p in out.iterdir()) == ["data", "reports"]  # data and config to data/, reports to reports/
    for name in MODELS:
        assert (out / "reports" / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
        assert '<html lang="sv"' in (out / "reports" / f"{name}.html").read_text(encoding="utf-8")
    # the config the demo wrote is an ordinary config naming its three datasets and comparing them
    config = load_config(out / "data" / "demo.yaml")
    assert {name: entry.model for name, entry in config.datasets.items()} == MODELS
    document = json.loads((out / "reports" / "report.json").read_text(encoding="utf-8"))
    assert set(document["datasets"]) == set(MODELS)
    for name, entry in document["datasets"].items():
        assert entry["model"] == MODELS[name]
        assert entry["rows_in"] == entry["rows_valid"] + entry["rows_quarantined"] > 0
    # last year's decision from the demo's reflection log is shown in this year's LOKE report
    assert "Erbjuda kvällstider en dag i veckan från mars 2025." in (out / "reports" / "violalund.html").read_text("utf-8")


@pytest.fixture
def broken_validation(monkeypatch):
    """A defect inside a command: validation raises an error that is not the user's."""

    def fail(*args, **kwargs):
        raise RuntimeError("oväntat tillstånd i valideringen")

    monkeypatch.setattr(run_module, "validate_config", fail)


def test_the_tests_of_the_demo_share_the_worker_that_made_it(isu_demo, request):
    """Under scripts/test (pytest-xdist with --dist loadgroup) a test of the demo's reports runs in its group,
    on the worker that made them, instead of a second worker waiting for them."""
    if getattr(request.config.option, "loadgroup", False):   # set in each worker of --dist loadgroup
        assert request.node.nodeid.endswith("@isu-demo"), request.node.nodeid


def test_an_internal_error_is_one_line_without_debug(cli, write, broken_validation):
    config = write("config.yaml", "datasets:\n  a: {model: fit, source: d.csv}\n")
    result = cli("validate", config)
    assert result.code not in (0, 2)  # neither done nor the user's mistake
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "RuntimeError" in lines[0] and "oväntat tillstånd i valideringen" in lines[0]
    assert "Traceback" not in result.err


def test_an_internal_error_with_debug_prints_the_traceback(cli, write, broken_validation):
    config = write("config.yaml", "datasets:\n  a: {model: fit, source: d.csv}\n")
    result = cli("validate", config, "--debug")
    assert result.code not in (0, 2)
    assert "Traceback (most recent call last)" in result.err
    assert "in fail" in result.err  # the frame that raised
    assert "oväntat tillstånd i valideringen" in result.err.strip().splitlines()[-1]


def test_a_user_error_with_debug_prints_the_traceback_and_still_exits_2(cli, write):
    config = write("config.yaml", "datasets:\n  a: {model: fit, source: saknas.csv}\n")
    plain = cli("validate", config)
    debug = cli("validate", config, "--debug")
    assert plain.code == debug.code == 2
    assert len(plain.err.strip().splitlines()) == 1 and "Traceback" not in plain.err
    assert "Traceback (most recent call last)" in debug.err
    assert debug.err.strip().splitlines()[-1] == plain.err.strip()
