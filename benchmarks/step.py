"""One measured step, run in a fresh process by `measure.run_step`; writes its result as JSON.

    python benchmarks/step.py RESULT.json read KIND ENGINE DATA
    python benchmarks/step.py RESULT.json read_table DATA
    python benchmarks/step.py RESULT.json pandera CONFIG.yaml
    python benchmarks/step.py RESULT.json isu ARG...

The timers (wall and CPU) cover the measured call only: interpreter start-up and `import pandas` come
before it in every step alike (the parent process times the whole process as well).
For `isu` it covers `isu_engine.commands.cli.main`, with the time spent in each stage of the
pipeline summed by wrapping the stage functions (measurement only; the engine runs as is).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

# (stage, module, function): where each stage of a report run is entered.
STAGES = (
    ("read", "isu_engine.check.dataset", "read_table"),
    ("coerce_and_check", "isu_engine.check.dataset", "coerce_and_check"),
    ("totals", "isu_engine.check.dataset", "complete_totals"),
    ("rules", "isu_engine.check.dataset", "check_rules"),
    ("load_dataset", "isu_engine.commands.run", "load_dataset"),
    ("analyses", "isu_engine.analyse.report", "build_report"),
    ("disclosure", "isu_engine.analyse.report", "apply_disclosure"),
    ("render_html", "isu_engine.render.html", "render_html"),
    ("render_pdf", "isu_engine.render.pdf", "render_pdf"),
    ("write_xlsx", "isu_engine.render.xlsx", "write_xlsx"),
    ("report_json", "isu_engine.render.outputs", "run_json"),
    ("write_json", "isu_engine.render.outputs", "write_json"),
)


def _timed_stages(seconds: dict[str, float], analyse: bool, render: bool) -> None:
    """Wrap each stage function so that its time adds up in `seconds` (stages missing here are skipped).

    The analyses are imported only for a run that makes a report, and the renderers (and
    WeasyPrint with them) only for a run that renders, so that `isu validate` and a json-only
    run keep the time and memory they would have.
    """
    for stage, module_name, function_name in STAGES:
        if (module_name.startswith("isu_engine.analyse.") and not analyse) or \
                (module_name.startswith("isu_engine.render.") and not (analyse and render)):
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        original = getattr(module, function_name, None)
        if original is None:
            continue

        def timed(*args, _original=original, _stage=stage, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                seconds[_stage] += time.perf_counter() - start

        setattr(module, function_name, timed)


def high_water_mb() -> float:
    """This process's peak resident memory since it started (VmHWM).

    Unlike `ru_maxrss`, which Linux carries over from the forked parent across exec,
    this counts only the memory of the step itself.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def bare_read(kind: str, engine: str, data: str) -> dict:
    from datasets import raw_frame

    start, cpu = time.perf_counter(), time.process_time()
    frame = raw_frame(Path(data), kind, engine)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    raw_mb = frame.memory_usage(deep=True).sum() / 2**20
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": len(frame), "raw_mb": raw_mb}


def isu_read(data: str) -> dict:
    """The engine's reader alone (what `isu inspect` and every dataset start with)."""
    from isu_engine.read.readers import read_table

    start, cpu = time.perf_counter(), time.process_time()
    table = read_table(Path(data))
    return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
            "rows": len(table.frame), "columns": table.frame.shape[1]}


def pandera_validate(config: str) -> dict:
    from pandera_fit import read_and_validate

    start, cpu = time.perf_counter(), time.process_time()
    found = read_and_validate(Path(config))
    return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu, **found}


def isu(argv: list[str]) -> dict:
    from isu_engine.commands.cli import main

    stages: dict[str, float] = defaultdict(float)
    formats = argv[argv.index("--format") + 1] if "--format" in argv else "html,pdf,json"
    _timed_stages(stages, analyse=argv[0] != "validate", render=any(kind in formats for kind in ("html", "pdf", "xlsx")))
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        start, cpu = time.perf_counter(), time.process_time()
        code = main(argv)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "exit_code": code, "stages": dict(stages)}


def main() -> None:
    result_path, kind, *args = sys.argv[1:]
    if kind == "read":
        result = bare_read(*args)
    elif kind == "read_table":
        result = isu_read(*args)
    elif kind == "pandera":
        result = pandera_validate(*args)
    elif kind == "isu":
        result = isu(args)
    else:
        raise SystemExit(f"unknown step {kind!r}")
    result["pandas"] = pd.__version__
    result["peak_mb"] = high_water_mb()
    Path(result_path).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
