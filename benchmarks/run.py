"""Benchmark the engine on large synthetic FIT and LOKE data, against a bare pandas read and pandera.

    python benchmarks/run.py [--sizes fit=100k,1M,5M loke=10k,100k,500k] [--quick]
                             [--out benchmarks/out] [--no-pdf] [--no-pandera] [--repeat N]
                             [--quiet-wait S] [--tables-only]

For each size the data are written once (CSV, `;`, decimal comma) with a config; then
every step runs in a fresh process pinned to two cores: the bare `pandas.read_csv` (C
and pyarrow engines, the faster counts), `isu validate`, `isu report --format json`,
`isu report --format html,pdf` and, for FIT, the same checks as a pandera schema. The
tables go to the terminal and to OUT/results.md (raw figures in OUT/results.json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import importlib.util
import itertools
import json
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import Case, fit_case, loke_case, parse_size, size_label
from measure import CORES, StepFailed, bench_cores, run_step

DEFAULT_SIZES = ["fit=100k,1M,5M", "loke=10k,100k,500k"]
QUICK_SIZES = ["fit=100k", "loke=10k"]
MAKERS = {"fit": fit_case, "loke": loke_case}
READ_ENGINES = ("c", "pyarrow")
TARGET_READ_RATIO = 3.0
TARGET_PANDERA_RATIO = 2.0
TARGET_MEMORY_RATIO = 4.0
TARGET_PDF_SECONDS = 5.0
LINEAR_SLACK = 1.2  # time per row may rise at most this much from one size to the next
STAGE_COLUMNS = ("read", "coerce_and_check", "totals", "rules", "load_dataset", "analyses", "disclosure",
                 "report_json", "write_json", "render_html", "render_pdf")


def parse_sizes(specs: list[str]) -> list[tuple[str, int]]:
    """`fit=100k,1M loke=10k` → [("fit", 100000), ("fit", 1000000), ("loke", 10000)]."""
    sizes = []
    for spec in specs:
        model, _, values = spec.partition("=")
        if model not in MAKERS or not values:
            raise SystemExit(f"--sizes: write MODEL=SIZE,SIZE with MODEL one of {', '.join(MAKERS)} (got {spec!r})")
        sizes.extend((model, parse_size(value)) for value in values.split(","))
    return sizes


def measure_case(case: Case, out: Path, repeat: int, pdf: bool, pandera: bool, quiet_wait: float) -> dict:
    """Every step for one size; a step that fails is recorded with its error and the others still run."""
    name = f"{case.model}-{case.label}"
    reports = out / "reports" / name
    steps = {f"read_{engine}": ["read", engine, str(case.data)] for engine in READ_ENGINES}
    steps["validate"] = ["isu", "validate", str(case.config)]
    steps["report_json"] = ["isu", "report", str(case.config), "--out", str(reports / "json"), "--format", "json"]
    if pdf:
        steps["report_pdf"] = ["isu", "report", str(case.config), "--out", str(reports / "pdf"), "--format", "html,pdf"]
    if pandera and case.model == "fit":
        steps["pandera"] = ["pandera", str(case.config)]
    result = {"model": case.model, "label": case.label, "rows": case.rows, "data_mb": case.data.stat().st_size / 2**20}
    for step, args in steps.items():
        print(f"  {name}: {step} …", flush=True)
        try:
            result[step] = run_step(args, repeat, quiet_wait)
        except StepFailed as error:
            result[step] = {"error": str(error)}
            print(f"  {name}: {step} failed: {error}", flush=True)
    return result


def _seconds(result: dict, step: str, key: str = "seconds") -> float | None:
    """One figure of one step (`seconds` unless another key is named); None when the step is missing or failed."""
    return result.get(step, {}).get(key)


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def derived(result: dict, start_mb: float | None = None) -> dict:
    """The figures the tables show, computed from one size's raw measurements.

    `start_mb` is the peak of the engine process with no data (`isu models`): the
    net memory ratio leaves it out, so that small sizes show what the data cost.
    """
    reads = {engine: _seconds(result, f"read_{engine}") for engine in READ_ENGINES}
    reads = {engine: seconds for engine, seconds in reads.items() if seconds is not None}
    bare_engine = min(reads, key=reads.get) if reads else None
    raw_mb = _seconds(result, "read_c", "raw_mb") or _seconds(result, "read_pyarrow", "raw_mb")
    validate, json_s, pandera = (_seconds(result, step) for step in ("validate", "report_json", "pandera"))
    json_cpu = _seconds(result, "report_json", "cpu_seconds")
    peaks = [result[step]["peak_mb"] for step in ("validate", "report_json", "report_pdf")
             if "peak_mb" in result.get(step, {})]
    peak = max(peaks) if peaks else None
    shares = [value["others_share"] for value in result.values() if isinstance(value, dict) and "others_share" in value]
    per_million = 1e6 / result["rows"]
    return {
        "others_share": max(shares) if shares else None,
        "bare_engine": bare_engine,
        "bare_s": reads.get(bare_engine),
        "validate_s": validate,
        "json_s": json_s,
        "json_ratio": _ratio(json_s, reads.get(bare_engine)),
        "json_ratio_cpu": _ratio(json_cpu, _seconds(result, f"read_{bare_engine}", "cpu_seconds")),
        "pdf_run_s": _seconds(result, "report_pdf"),
        "pdf_s": result.get("report_pdf", {}).get("stages", {}).get("render_pdf"),
        "peak_mb": peak,
        "raw_mb": raw_mb,
        "memory_ratio": _ratio(peak, raw_mb),
        "net_memory_ratio": _ratio(peak - start_mb, raw_mb) if peak and start_mb else None,
        "pandera_s": pandera,
        "pandera_ratio": _ratio(pandera, validate),
        "pandera_ratio_cpu": _ratio(_seconds(result, "pandera", "cpu_seconds"),
                                    _seconds(result, "validate", "cpu_seconds")),
        "json_per_million": json_s * per_million if json_s else None,
        "json_cpu_per_million": json_cpu * per_million if json_cpu else None,
        "validate_per_million": validate * per_million if validate else None,
    }


def _f(value, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{suffix}".replace(",", " ")


def results_table(results: list[dict], start_mb: float | None) -> str:
    head = ("| size | rows | bare read s | validate s | report json s | json / bare | html+pdf s | pdf s "
            "| peak MB | raw frame MB | peak / raw | (peak − start) / raw | pandera s | pandera / validate "
            "| others' load |")
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for result in results:
        d = derived(result, start_mb)
        bare = f"{_f(d['bare_s'])} ({d['bare_engine']})" if d["bare_s"] is not None else "–"
        lines.append(
            f"| {result['model']} {result['label']} | {_f(result['rows'], 0)} | {bare} | {_f(d['validate_s'])} "
            f"| {_f(d['json_s'])} | {_f(d['json_ratio'], 1, '×')} | {_f(d['pdf_run_s'])} | {_f(d['pdf_s'])} "
            f"| {_f(d['peak_mb'], 0)} | {_f(d['raw_mb'], 0)} | {_f(d['memory_ratio'], 1, '×')} "
            f"| {_f(d['net_memory_ratio'], 1, '×')} "
            f"| {_f(d['pandera_s'])} | {_f(d['pandera_ratio'], 2, '×')} "
            f"| {_f(d['others_share'] * 100 if d['others_share'] is not None else None, 0, ' %')} |"
        )
    return "\n".join(lines)


def linearity_table(results: list[dict]) -> str:
    head = ("| size | rows | report json s per 1M rows | report json CPU s per 1M rows | validate s per 1M rows "
            "| bare read s per 1M rows |")
    lines = [head, "| --- | --- | --- | --- | --- | --- |"]
    for result in results:
        d = derived(result)
        bare = d["bare_s"] / result["rows"] * 1e6 if d["bare_s"] else None
        lines.append(f"| {result['model']} {result['label']} | {_f(result['rows'], 0)} | {_f(d['json_per_million'])} "
                     f"| {_f(d['json_cpu_per_million'])} | {_f(d['validate_per_million'])} | {_f(bare)} |")
    return "\n".join(lines)


def stage_table(results: list[dict]) -> str:
    """Seconds per pipeline stage: loading stages from the json run, rendering from the html,pdf run."""
    lines = ["| size | " + " | ".join(STAGE_COLUMNS) + " | peak MB validate / json / html+pdf |",
             "|" + " --- |" * (len(STAGE_COLUMNS) + 2)]
    for result in results:
        stages = dict(result.get("report_json", {}).get("stages", {}))
        pdf_stages = result.get("report_pdf", {}).get("stages", {})
        stages.update({key: pdf_stages[key] for key in ("render_html", "render_pdf") if key in pdf_stages})
        runs = ("validate", "report_json", "report_pdf")
        peaks = " / ".join(_f(_seconds(result, step, "peak_mb"), 0) for step in runs)
        lines.append(f"| {result['model']} {result['label']} | "
                     + " | ".join(_f(stages.get(stage)) for stage in STAGE_COLUMNS) + f" | {peaks} |")
    return "\n".join(lines)


def targets_table(results: list[dict]) -> str:
    """Each target of the issue, its measured value and whether it is met."""
    fit = [r for r in results if r["model"] == "fit"]
    rows = []
    near_million = min(fit, key=lambda r: abs(r["rows"] - 1e6), default=None)
    if near_million:
        d = derived(near_million)
        size = f"fit {near_million['label']}"
        rows.append((f"report json ≤ {TARGET_READ_RATIO:g}× bare read ({size})", d["json_ratio"],
                     lambda v: v <= TARGET_READ_RATIO, "×", d["json_ratio_cpu"]))
        rows.append((f"pandera / validate ≥ {TARGET_PANDERA_RATIO:g} ({size})", d["pandera_ratio"],
                     lambda v: v >= TARGET_PANDERA_RATIO, "×", d["pandera_ratio_cpu"]))
    for result in results:
        d = derived(result)
        rows.append((f"peak < {TARGET_MEMORY_RATIO:g}× raw frame ({result['model']} {result['label']})",
                     d["memory_ratio"], lambda v: v < TARGET_MEMORY_RATIO, "×", None))
    for result in results:
        d = derived(result)
        rows.append((f"PDF renders < {TARGET_PDF_SECONDS:g} s ({result['model']} {result['label']})", d["pdf_s"],
                     lambda v: v < TARGET_PDF_SECONDS, " s", None))
    for model in dict.fromkeys(r["model"] for r in results):
        sizes = [r for r in results if r["model"] == model]
        growth = _worst_growth(sizes)
        if growth is not None:
            label = f"report time linear in rows ({model}: largest rise of s/row between sizes ≤ {LINEAR_SLACK:g}×)"
            cpu = _worst_growth(sizes, "json_cpu_per_million")
            rows.append((label, growth, lambda v: v <= LINEAR_SLACK, "×", cpu))
    lines = ["| target | measured (wall) | met | measured (CPU time) |", "| --- | --- | --- | --- |"]
    for label, value, test, unit, cpu in rows:
        met = "–" if value is None else ("yes" if test(value) else "**no**")
        lines.append(f"| {label} | {_f(value, 2, unit)} | {met} | {_f(cpu, 2, unit)} |")
    return "\n".join(lines)


def _worst_growth(results: list[dict], figure: str = "json_per_million") -> float | None:
    """The largest factor by which report time per row rises from one size to the next larger one."""
    per_row = [derived(r)[figure] for r in sorted(results, key=lambda r: r["rows"])]
    pairs = [(a, b) for a, b in itertools.pairwise(per_row) if a and b]
    return max(b / a for a, b in pairs) if pairs else None


def environment(pdf: bool, pandera: bool) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    versions = {}
    for package in ("isu-engine", "pandas", "numpy", "pyarrow", "weasyprint", "pandera"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    return {"date": dt.datetime.now().isoformat(timespec="minutes"), "cpu": cpu,
            "cores_pinned": sorted(bench_cores()), "python": platform.python_version(), "versions": versions,
            "pdf": pdf, "pandera": pandera}


def markdown(results: list[dict], env: dict, baseline: dict | None) -> str:
    versions = ", ".join(f"{name} {version}" for name, version in env["versions"].items())
    start = f"{_f(baseline.get('peak_mb'), 0)} MB" if baseline else "–"
    return "\n\n".join([
        (f"Run {env['date']} on {env['cpu']}, pinned to cores {env['cores_pinned']}; "
         f"Python {env['python']}, {versions}. "
         f"Times are wall-clock seconds of the measured call in a fresh process (start-up excluded). "
         f"*Peak MB* is the largest peak of the validate, json and html+pdf runs; the engine process with its "
         f"modules loaded and no data (`isu models`) peaks at {start}. *Others' load* is the largest share of "
         f"the two cores that other processes took during a step of that size (50 %: one core busy with other "
         f"work): above a few per cent, wall times are inflated, and CPU times are the steadier figure."),
        results_table(results, baseline.get("peak_mb") if baseline else None),
        "Time per million rows (flat or falling means linear):\n\n" + linearity_table(results),
        "Seconds per pipeline stage (loading and analyses from the json run, rendering from the html,pdf run):\n\n"
        + stage_table(results),
        "Targets:\n\n" + targets_table(results),
    ]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", metavar="MODEL=SIZES", help="e.g. fit=100k,1M,5M loke=10k,100k,500k")
    parser.add_argument("--quick", action="store_true", help=f"only {' '.join(QUICK_SIZES)}")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--no-pdf", dest="pdf", action="store_false", help="skip the html,pdf report run")
    parser.add_argument("--no-pandera", dest="pandera", action="store_false", help="skip the pandera comparison")
    parser.add_argument("--repeat", type=int, default=1, help="run each step N times; keep the fastest")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--tables-only", action="store_true",
                        help="measure nothing: write OUT/results.md again from OUT/results.json")
    parser.add_argument("--quiet-wait", type=float, default=120.0, metavar="S",
                        help="before each step, wait up to S seconds for the cores to be quiet (0: don't wait)")
    args = parser.parse_args(argv)

    if args.tables_only:
        saved = json.loads((args.out / "results.json").read_text(encoding="utf-8"))
        text = markdown(saved["results"], saved["environment"], saved["engine_start"])
        (args.out / "results.md").write_text(text, encoding="utf-8")
        print(text)
        return 0
    sizes = parse_sizes(args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES))
    pandera = args.pandera and importlib.util.find_spec("pandera") is not None
    if args.pandera and not pandera:
        print('pandera is not installed: no pandera column (pip install -e ".[bench]")', file=sys.stderr)
    if len(bench_cores()) < CORES:
        print(f"only {len(bench_cores())} core(s) available: figures are not comparable", file=sys.stderr)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    env = environment(args.pdf, pandera)
    baseline = run_step(["isu", "models"])
    results = []
    for model, size in sizes:
        print(f"{model} {size_label(size)}: data …", flush=True)
        case = MAKERS[model](size, out / "data", seed=args.seed)
        results.append(measure_case(case, out, args.repeat, args.pdf, pandera, args.quiet_wait))
        text = markdown(results, env, baseline)
        (out / "results.md").write_text(text, encoding="utf-8")
        (out / "results.json").write_text(json.dumps({"environment": env, "engine_start": baseline,
                                                      "results": results}, indent=2), encoding="utf-8")
    print("\n" + text)
    print(f"written: {out / 'results.md'}, {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
