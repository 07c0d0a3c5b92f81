"""Faults: a failing analysis or plugin leaves the rest of the report, outputs are atomic, inputs stay untouched."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from isu_engine.configure import plugins

pytestmark = pytest.mark.plugins("fit", "loke")

SESSIONS = 3
CLIENTS = 30


def fit_rows() -> str:
    """30 clients with three sessions each: ORS rising by 2 points a session, SRS 38."""
    lines = ["client_id;session_date;age;gender;ors_total;srs_total"]
    for client in range(CLIENTS):
        for session in range(SESSIONS):
            lines.append(f"K{client:02d};2025-{1 + session:02d}-{10 + client % 15:02d};{20 + client};"
                         f"{'kvinna' if client % 2 else 'man'};{15 + 2 * session + client % 5};38")
    return "\n".join(lines) + "\n"


@pytest.fixture
def project(tmp_path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "sessions.csv").write_text(fit_rows(), encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(textwrap.dedent("""
        municipality: Exempelkommun
        period: {start: "2025-01-01", end: "2025-12-31"}
        datasets:
          t: {model: fit, source: data/sessions.csv}
    """), encoding="utf-8")
    return config


def with_entry_point(monkeypatch, tmp_path: Path, module: str, source: str) -> None:
    """Install `source` as module `module` and list it in the engine's entry-point group, as pip would."""
    folder = tmp_path / "site"
    folder.mkdir(exist_ok=True)
    (folder / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, module, raising=False)
    real = metadata.entry_points

    def entry_points(group=None, **kwargs):
        found = list(real(group=group, **kwargs))
        if group == plugins.ENTRY_POINT_GROUP:
            found.append(metadata.EntryPoint(name=module, value=module, group=group))
        return found

    chosen = os.environ.get(plugins.LOAD_PLUGINS_ENV)
    if chosen is not None:
        monkeypatch.setenv(plugins.LOAD_PLUGINS_ENV, f"{chosen},{module}")

    monkeypatch.setattr(plugins.metadata, "entry_points", entry_points)


def sections_by_id(document: dict) -> tuple[dict, list]:
    entry = document["datasets"]["t"]
    return {table["id"]: table for table in entry["tables"]}, entry["failed_sections"]


BOOM_MODEL = """
    name: boom
    fields:
      - {name: client_id, type: string, role: subject}
      - {name: session_date, type: date, role: occasion}
      - {name: gender, type: string, role: group}
    analyses: [{kind: overview}]
"""

FAILING_PLUGIN = """
    from pathlib import Path

    from isu_engine import hookimpl

    def broken(data):
        raise RuntimeError("the analysis broke")

    @hookimpl
    def isu_register_models(register):
        register(Path(__file__).parent / "boom" / "model.yaml", analyses=broken)
"""


def test_a_plugin_whose_analysis_raises_gives_a_failed_section_and_keeps_the_rest(cli, project, tmp_path, monkeypatch):
    (tmp_path / "site" / "boom").mkdir(parents=True)
    (tmp_path / "site" / "boom" / "model.yaml").write_text(textwrap.dedent(BOOM_MODEL), encoding="utf-8")
    project.write_text(project.read_text(encoding="utf-8").replace("model: fit", "model: boom"), encoding="utf-8")
    baseline = cli("report", project, "--out", tmp_path / "before", "--format", "json",
                   "--plugins-dir", tmp_path / "site" / "boom")
    assert baseline.code == 0, baseline.err
    with_entry_point(monkeypatch, tmp_path, "isu_boom", FAILING_PLUGIN)
    result = cli("report", project, "--out", tmp_path / "after", "--format", "html,json")
    assert result.code == 1
    assert "isu_boom" in result.out and "the analysis broke" in result.out
    before_tables, before_failed = sections_by_id(baseline.json(tmp_path / "before" / "report.json"))
    after = baseline.json(tmp_path / "after" / "report.json")
    after_tables, after_failed = sections_by_id(after)
    assert before_failed == [] and before_tables
    assert [(f["id"], f["error"]) for f in after_failed] == [("plugin-isu_boom", "RuntimeError: the analysis broke")]
    assert "isu_boom" in after_failed[0]["title"]
    assert after_tables == before_tables  # every other section as without the plugin's code
    assert after["datasets"]["t"]["figures"] == baseline.json(tmp_path / "before" / "report.json")["datasets"]["t"]["figures"]
    html = (tmp_path / "after" / "t.html").read_text(encoding="utf-8")
    failed = html[html.index('class="report-section failed"'):]
    failed = failed[: failed.index("</section>")]
    assert "isu_boom" in failed and "RuntimeError: the analysis broke" in failed


def test_one_failing_analysis_of_a_model_is_named_and_the_others_stay(cli, project, tmp_path, monkeypatch):
    import isu_fit.analyses as fit_analyses

    baseline = cli("report", project, "--out", tmp_path / "before", "--format", "json")
    before = baseline.json(tmp_path / "before" / "report.json")

    def broken(section, fit):
        raise ZeroDivisionError("division by zero in the alliance")

    replaced = tuple((sid, broken if sid == "fit.alliance" else build, order)
                     for sid, build, order in fit_analyses.SECTIONS)
    monkeypatch.setattr(fit_analyses, "SECTIONS", replaced)
    result = cli("report", project, "--out", tmp_path / "after", "--format", "html,json")
    assert result.code == 1
    after = baseline.json(tmp_path / "after" / "report.json")
    (before_tables, _), (after_tables, failed) = sections_by_id(before), sections_by_id(after)
    assert [f["id"] for f in failed] == ["fit.alliance"]
    assert failed[0]["error"].startswith("ZeroDivisionError: division by zero in the alliance (test_faults.py:")
    # Only the alliance's own tables and figures (all about the SRS) are gone, and its definitions in the methods part.
    lost = {key for key in before_tables if key not in after_tables}
    changed = {key for key in after_tables if after_tables[key] != before_tables.get(key)}
    assert lost and all(".srs" in key for key in lost) and changed == {"t.methods.definitions"}
    figures_before, figures_after = before["datasets"]["t"]["figures"], after["datasets"]["t"]["figures"]
    lost_figures = {key for key in figures_before if figures_after.get(key) != figures_before[key]}
    assert lost_figures and all("srs" in key for key in lost_figures)
    assert "ZeroDivisionError" in (tmp_path / "after" / "t.html").read_text(encoding="utf-8")


def test_a_plugin_whose_rule_hook_raises_is_named_and_the_run_goes_on(cli, project, tmp_path, monkeypatch):
    with_entry_point(monkeypatch, tmp_path, "isu_badrules", """
        from isu_engine import hookimpl

        @hookimpl
        def isu_rule_types(register):
            raise ImportError("a library the plugin needs is missing")
    """)
    result = cli("validate", project)
    assert result.code == 0
    assert "isu_badrules" in result.err and "ImportError" in result.err and "Traceback" not in result.err
    strict = cli("validate", project, "--strict-plugins")
    assert strict.code == 2 and strict.err.count("\n") == 1 and "isu_badrules" in strict.err


# --- atomic outputs ------------------------------------------------------------------------------------


def interrupt_while_writing(monkeypatch, name: str, error: BaseException) -> None:
    """Make the write of output `name` stop half-way with `error` (as Ctrl-C or a full disk would)."""
    original_text, original_bytes = Path.write_text, Path.write_bytes

    def half(original):
        def write(self, data, *args, **kwargs):
            if self.name.startswith(f".{name}.") and self.name.endswith(".part"):
                original(self, data[: len(data) // 2], *args, **kwargs)
                raise error
            return original(self, data, *args, **kwargs)
        return write

    monkeypatch.setattr(Path, "write_text", half(original_text))
    monkeypatch.setattr(Path, "write_bytes", half(original_bytes))


@pytest.mark.parametrize("target, command", [
    ("report.json", ["report", "--format", "html,json"]),
    ("t.html", ["report", "--format", "html,json"]),
    ("validation.csv", ["validate"]),
])
@pytest.mark.parametrize("error, code", [(KeyboardInterrupt(), 130), (OSError(28, "No space left on device"), None)])
def test_an_interrupted_write_leaves_the_earlier_file_and_no_part_file(cli, project, tmp_path, monkeypatch,
                                                                       target, command, error, code):
    out = tmp_path / "out"
    first = cli(command[0], project, "--out", out, *command[1:])
    assert first.code in (0, 1), first.err
    before = (out / target).read_bytes()
    data = project.parent / "data" / "sessions.csv"
    data.write_text(fit_rows().replace(";38\n", ";39\n") + "K99;2025-13-01;30;man;20;38\n",
                    encoding="utf-8")  # a second run would write other bytes
    interrupt_while_writing(monkeypatch, target, error)
    second = cli(command[0], project, "--out", out, *command[1:])
    assert second.code != 0 and (code is None or second.code == code)
    assert "Traceback" not in second.err and second.err.count("\n") == 1
    assert (out / target).read_bytes() == before
    assert not [p.name for p in out.iterdir() if p.name.endswith(".part")]


def test_an_interrupted_first_write_leaves_no_file_at_all(cli, project, tmp_path, monkeypatch):
    out = tmp_path / "out"
    interrupt_while_writing(monkeypatch, "report.json", KeyboardInterrupt())
    result = cli("report", project, "--out", out, "--format", "html,json")
    assert result.code == 130 and result.err.strip() == "avbrutet"
    assert sorted(p.name for p in out.iterdir()) == ["t.html"]  # written before the interruption
    assert (out / "t.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


@pytest.mark.slow
def test_a_crash_while_rendering_the_pdf_keeps_the_earlier_pdf(cli, project, tmp_path, monkeypatch):
    import isu_engine.render.pdf as pdf

    out = tmp_path / "out"
    assert cli("report", project, "--out", out, "--format", "pdf").code == 0
    before = (out / "t.pdf").read_bytes()
    assert before.startswith(b"%PDF")

    def crash(html, **kwargs):
        raise MemoryError("out of memory while laying out pages")

    monkeypatch.setattr(pdf, "render_pdf", crash)
    result = cli("report", project, "--out", out, "--format", "pdf")
    assert result.code != 0 and "MemoryError" in result.err and "Traceback" not in result.err
    assert (out / "t.pdf").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["t.pdf"]


# --- inputs stay as they were --------------------------------------------------------------------------


def fingerprint(folder: Path, skip: Path) -> dict[str, tuple[str, int, int]]:
    """Every file under `folder` except under `skip`: content hash, modification time and permission bits."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_relative_to(skip):
            stat = path.stat()
            found[str(path.relative_to(folder))] = (hashlib.sha256(path.read_bytes()).hexdigest(),
                                                    stat.st_mtime_ns, stat.st_mode)
    return found


def test_a_run_never_changes_its_input_files(cli, tmp_path, monkeypatch):
    import openpyxl

    data = tmp_path / "data"
    data.mkdir()
    (data / "sessions.csv").write_text(fit_rows() + "K99;2025-13-01;30;man;20;38\n", encoding="cp1252")
    book = openpyxl.Workbook()
    book.active.append(["Ärende", "Startdatum", "Antal kontakter"])
    book.active.append(["A1", "2025-01-07", 6])
    book.active.append(["A2", "2025-02-30", "5 st"])
    book.save(data / "cases.xlsx")
    (tmp_path / "reflektion.yaml").write_text("- {date: 2025-01-01, topic: Avbrott, decision: Följ upp}\n",
                                              encoding="utf-8")
    key_folder = tmp_path.parent / f"{tmp_path.name}-key"
    key_folder.mkdir()
    (key_folder / "key.txt").write_text("a-long-enough-secret-key-for-tests\n", encoding="utf-8")
    monkeypatch.delenv("ISU_PSEUDONYM_KEY", raising=False)
    config = tmp_path / "config.yaml"
    config.write_text(textwrap.dedent(f"""
        pseudonymize: {{columns: [client_id], key_file: ../{key_folder.name}/key.txt}}
        datasets:
          fit: {{model: fit, source: data/sessions.csv}}
          loke: {{model: loke, source: data/cases.xlsx}}
        compare: [fit, loke]
    """), encoding="utf-8")
    for path in (*data.iterdir(), config, key_folder / "key.txt"):
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    out = tmp_path / "out"
    before = fingerprint(tmp_path, out) | fingerprint(key_folder, out)
    assert cli("validate", config, "--out", out).code == 1
    result = cli("report", config, "--out", out, "--format", "html,json,xlsx")
    assert result.code == 0, result.err
    assert cli("compare", config, "--out", out, "--format", "html,json").code == 0
    assert cli("template", config, "loke", "--out", out / "inmatning.xlsx").code == 0
    assert fingerprint(tmp_path, out) | fingerprint(key_folder, out) == before
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert set(document["inputs"]["files"]) == {"data/sessions.csv", "data/cases.xlsx"}
    assert document["inputs"]["files"]["data/sessions.csv"] == before["data/sessions.csv"][0]
