"""Test helpers shared by the core's tests and the plugins' tests: small projects on disk, the command line,
the demo (written and run once per session) and the hypothesis profiles.

`HYPOTHESIS_PROFILE=thorough` (the full run of scripts/test) tries many more examples than the
default `quick` profile of a run while working.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from isu_engine.commands.cli import main
from shared_runs import every_plugin, made_once

settings.register_profile("quick", max_examples=10, deadline=None)
settings.register_profile("thorough", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

LONG = ("slow", "browser", "postgres")


@pytest.hookimpl(trylast=True)  # after the other conftests have marked their tests
def pytest_collection_modifyitems(items):
    """Modules with long tests run first, the whole cycles in the browser (slow and browser) before the other
    slow, browser and postgres ones, each module kept whole: the workers start on the long tests and even out
    with the short ones, instead of one worker finishing a long test alone at the end."""

    def marked(item, *names: str) -> bool:
        return all(item.get_closest_marker(name) for name in names)

    cycles = {item.module for item in items if marked(item, "slow", "browser")}
    long = {item.module for item in items if any(marked(item, name) for name in LONG)}
    items.sort(key=lambda item: (item.module not in cycles, item.module not in long))


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self, path: Path) -> dict:
        return json.loads(Path(path).read_text(encoding="utf-8"))


@pytest.fixture
def write(tmp_path):
    """write("name", text) -> path: a dedented text file in the test's folder."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding=encoding)
        return path

    return _write


@pytest.fixture
def cli(capsys):
    """cli("validate", "cfg.yaml", ...) -> CliResult with exit code and captured output."""

    def _run(*args: str) -> CliResult:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return _run


@pytest.fixture
def pdf_fetches(monkeypatch) -> list[tuple[str, bool]]:
    """Every URL WeasyPrint asks the PDF renderer's fetcher for, with whether it was served.

    The bundled fonts are loaded once per process; the cache is cleared so that they are
    fetched again, through this record, in the test that uses it.
    """
    import isu_engine.render.pdf as pdf_module

    asked: list[tuple[str, bool]] = []
    original = pdf_module.TemplateFolderFetcher.fetch

    def recording(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except Exception:
            asked.append((url, False))
            raise
        asked.append((url, True))
        return response

    monkeypatch.setattr(pdf_module.TemplateFolderFetcher, "fetch", recording)
    pdf_module.bundled_fonts.cache_clear()
    return asked


@dataclass(frozen=True)
class DemoRun:
    """The demo's config (with its data beside it) and its reports (html, json, xlsx; no PDF)."""

    config: Path
    reports: Path


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """Every installed model's demo data, the demo config and all its reports, made once per test run."""
    from isu_engine.commands.demo import write_demo_config
    from isu_engine.commands.run import report_and_compare
    from isu_engine.configure.config import load_config
    from isu_engine.configure.plugins import load_registry

    def make(folder: Path) -> None:
        with every_plugin():
            registry = load_registry()
        config = load_config(write_demo_config(registry, folder / "data"))
        assert report_and_compare(config, registry, folder / "reports", ("html", "json", "xlsx"), io.StringIO()) == 0

    folder = made_once(tmp_path_factory, "demo", make)
    return DemoRun(config=folder / "data" / "demo.yaml", reports=folder / "reports")


@pytest.fixture(scope="session")
def isu_demo(tmp_path_factory) -> tuple[CliResult, Path]:
    """`isu demo --out FOLDER` as a person runs it (every report, PDFs too), once per test run: its result and folder."""

    def make(folder: Path) -> None:
        out, err = io.StringIO(), io.StringIO()
        with every_plugin(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["demo", "--out", str(folder / "demo")])
        (folder / "result.json").write_text(json.dumps([code, out.getvalue(), err.getvalue()]), encoding="utf-8")

    folder = made_once(tmp_path_factory, "isu-demo", make)
    code, out, err = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    return CliResult(code, out, err), folder / "demo"
