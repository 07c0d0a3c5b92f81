"""Benchmark the engine on synthetic FIT and LOKE data as municipalities export it, against a bare pandas read.

    python benchmarks/run.py [--sizes fit=5k,100k,1M,5M loke=10k,100k,500k] [--inputs semicolon,comma,xlsx]
                             [--quick] [--out benchmarks/out] [--no-pdf] [--no-pandera] [--repeat N]
                             [--quiet-wait S] [--tables-only]

For each size and input kind (`;` with decimal comma, `,` with decimal point, xlsx up to
100k rows) the data are written once with a config; then every step runs in a fresh
process pinned to two cores: the bare pandas read (`read_csv` with the C and pyarrow
engines, the faster counts; `read_excel` with calamine), `isu validate`, `isu report
--format json`, `isu report --format html,pdf` and, for FIT with `;`, the same checks as a
pandera schema. The steps of a size run in turn, `--repeat` rounds (default 3), and each
figure is the median; ratios are of whole processes (interpreter start included) on both
sides. Start-up (`isu --help`, `isu models`) and the reader on a CSV one record deep and
100 000 fields wide are measured the same way. The tables go to the terminal and to
OUT/results.md (raw figures in OUT/results.json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import importlib.util
import json
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import INPUTS, XLSX_MAX_ROWS, Case, fit_case, loke_case, parse_size, read_engines, size_label, wide_file
from measure import CORES, StepFailed, bench_cores, run_command, run_once, summarise, wait_until_quiet

DEFAULT_SIZES = ["fit=5k,100k,1M,5M", "loke=10k,100k,500k"]
QUICK_SIZES = ["fit=5k", "loke=10k"]
MAKERS = {"fit": fit_case, "loke": loke_case}
ISU = str(Path(sys.executable).with_name("isu"))
MUNICIPALITY_ROWS = 10_000  # sizes up to this many rows are held to the municipality targets
TARGET_SMALL_JSON = 2.0  # report json / bare read, municipality size
TARGET_SMALL_PDF = 5.0  # report html,pdf / bare read, municipality size
TARGET_READ_RATIO = 3.0  # report json / bare read, a region's million rows
TARGET_PANDERA_RATIO = 1.0  # pandera's time / isu validate's time
TARGET_MEMORY_RATIO = 4.0
TARGET_START_SECONDS = 0.5
TARGET_WIDE_SECONDS = 5.0
LINEAR_SLACK = 1.2  # time per row may rise at most this much from one size to the next
WIDE_FIELDS = 100_000
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


def case_steps(case: Case, out: Path, pdf: bool, pandera: bool) -> dict[str, list[str]]:
    """The steps measured for one size and input kind: step name → arguments of step.py."""
    reports = out / "reports" / case_name(case)
    steps = {f"read_{engine}": ["read", case.kind, engine, str(case.data)] for engine in read_engines(case.kind)}
    steps["validate"] = ["isu", "validate", str(case.config)]
    steps["report_json"] = ["isu", "report", str(case.config), "--out", str(reports / "json"), "--format", "json"]
    if pdf:
        steps["report_pdf"] = ["isu", "report", str(case.config), "--out", str(reports / "pdf"), "--format", "html,pdf"]
    if pandera and case.model == "fit" and case.kind == "semicolon":
        steps["pandera"] = ["pandera", str(case.config)]
    return steps


def case_name(case: Case) -> str:
    return f"{case.model}-{case.label}" + ("" if case.kind == "semicolon" else f"-{case.kind}")


def measure_rounds(steps: dict[str, list[str]], repeat: int, quiet_wait: float, name: str, command=None) -> dict:
    """Every step `repeat` times, the steps in turn in each round; a step that fails is recorded with its error."""
    runs: dict[str, list[dict]] = {step: [] for step in steps}
    failed: dict[str, str] = {}
    for round_number in range(max(1, repeat)):
        for step, args in steps.items():
            if step in failed:
                continue
            print(f"  {name}: {step} ({round_number + 1}/{repeat}) …", flush=True)
            if quiet_wait > 0:
                wait_until_quiet(quiet_wait)
            try:
                runs[step].append((command or run_once)(args))
            except StepFailed as error:
                failed[step] = str(error)
                print(f"  {name}: {step} failed: {error}", flush=True)
    return {step: {"error": failed[step]} if step in failed else summarise(runs[step]) for step in steps}


def measure_case(case: Case, out: Path, repeat: int, pdf: bool, pandera: bool, quiet_wait: float) -> dict:
    result = {"model": case.model, "label": case.label, "kind": case.kind, "rows": case.rows,
              "data_mb": case.data.stat().st_size / 2**20}
    result.update(measure_rounds(case_steps(case, out, pdf, pandera), repeat, quiet_wait, case_name(case)))
    return result


def _seconds(result: dict, step: str, key: str = "process_s") -> float | None:
    """One figure of one step (the whole-process time unless another key is named); None when missing or failed."""
    return result.get(step, {}).get(key)


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def derived(result: dict, start_mb: float | None = None) -> dict:
    """The figures the tables show, computed from one size's raw measurements (times: whole processes).

    `start_mb` is the peak of the engine process with no data (`isu models`): the
    net memory ratio leaves it out, so that small sizes show what the data cost.
    """
    reads = {engine: _seconds(result, f"read_{engine}") for engine in read_engines(result.get("kind", "semicolon"))}
    reads = {engine: seconds for engine, seconds in reads.items() if seconds is not None}
    bare_engine = min(reads, key=reads.get) if reads else None
    bare = reads.get(bare_engine)
    raw_mb = next((_seconds(result, f"read_{engine}", "raw_mb") for engine in reads), None)
    validate, json_s, pdf_run, pandera = (_seconds(result, step) for step in ("validate", "report_json", "report_pdf",
                                                                            "pandera"))
    json_cpu = _seconds(result, "report_json", "cpu_s")
    peaks = [result[step]["peak_mb"] for step in ("validate", "report_json", "report_pdf")
             if "peak_mb" in result.get(step, {})]
    peak = max(peaks) if peaks else None
    shares = [value["others_share"] for value in result.values() if isinstance(value, dict) and "others_share" in value]
    per_million = 1e6 / result["rows"]
    return {
        "others_share": max(shares) if shares else None,
        "bare_engine": bare_engine,
        "bare_s": bare,
        "validate_s": validate,
        "json_s": json_s,
        "json_ratio": _ratio(json_s, bare),
        "json_ratio_cpu": _ratio(json_cpu, _seconds(result, f"read_{bare_engine}", "cpu_s")),
        "pdf_run_s": pdf_run,
        "pdf_ratio": _ratio(pdf_run, bare),
        "pdf_s": result.get("report_pdf", {}).get("stages", {}).get("render_pdf"),
        "peak_mb": peak,
        "raw_mb": raw_mb,
        "memory_ratio": _ratio(peak, raw_mb),
        "net_memory_ratio": _ratio(peak - start_mb, raw_mb) if peak and start_mb else None,
        "pandera_s": pandera,
        "pandera_ratio": _ratio(pandera, validate),
        "pandera_ratio_cpu": _ratio(_seconds(result, "pandera", "cpu_s"), _seconds(result, "validate", "cpu_s")),
        "json_per_million": json_s * per_million if json_s else None,
        "json_cpu_per_million": json_cpu * per_million if json_cpu else None,
        "validate_per_million": validate * per_million if validate else None,
        "bare_per_million": bare * per_million if bare else None,
    }


def _f(value, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{suffix}".replace(",", " ")


def _size(result: dict) -> str:
    kind = result.get("kind", "semicolon")
    return f"{result['model']} {result['label']} ({kind})"


def results_table(results: list[dict], start_mb: float | None) -> str:
    head = ("| size (input) | rows | bare read s | validate s | report json s | json / bare | html+pdf s "
            "| html+pdf / bare | pdf stage s | peak MB | raw frame MB | peak / raw | (peak − start) / raw | pandera s "
            "| pandera / validate | others' load |")
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for result in results:
        d = derived(result, start_mb)
        bare = f"{_f(d['bare_s'])} ({d['bare_engine']})" if d["bare_s"] is not None else "–"
        lines.append(
            f"| {_size(result)} | {_f(result['rows'], 0)} | {bare} | {_f(d['validate_s'])} "
            f"| {_f(d['json_s'])} | {_f(d['json_ratio'], 1, '×')} | {_f(d['pdf_run_s'])} "
            f"| {_f(d['pdf_ratio'], 1, '×')} | {_f(d['pdf_s'])} "
            f"| {_f(d['peak_mb'], 0)} | {_f(d['raw_mb'], 0)} | {_f(d['memory_ratio'], 1, '×')} "
            f"| {_f(d['net_memory_ratio'], 1, '×')} "
            f"| {_f(d['pandera_s'])} | {_f(d['pandera_ratio'], 2, '×')} "
            f"| {_f(d['others_share'] * 100 if d['others_share'] is not None else None, 0, ' %')} |"
        )
    return "\n".join(lines)


def linearity_table(results: list[dict]) -> str:
    head = ("| size (input) | rows | report json s per 1M rows | report json CPU s per 1M rows "
            "| validate s per 1M rows | bare read s per 1M rows |")
    lines = [head, "| --- | --- | --- | --- | --- | --- |"]
    for result in results:
        d = derived(result)
        lines.append(f"| {_size(result)} | {_f(result['rows'], 0)} | {_f(d['json_per_million'])} "
                     f"| {_f(d['json_cpu_per_million'])} | {_f(d['validate_per_million'])} "
                     f"| {_f(d['bare_per_million'])} |")
    return "\n".join(lines)


def stage_table(results: list[dict]) -> str:
    """Seconds per pipeline stage: loading stages from the json run, rendering from the html,pdf run."""
    lines = ["| size (input) | " + " | ".join(STAGE_COLUMNS) + " | peak MB validate / json / html+pdf |",
             "|" + " --- |" * (len(STAGE_COLUMNS) + 2)]
    for result in results:
        stages = dict(result.get("report_json", {}).get("stages", {}))
        pdf_stages = result.get("report_pdf", {}).get("stages", {})
        stages.update({key: pdf_stages[key] for key in ("render_html", "render_pdf") if key in pdf_stages})
        runs = ("validate", "report_json", "report_pdf")
        peaks = " / ".join(_f(_seconds(result, step, "peak_mb"), 0) for step in runs)
        lines.append(f"| {_size(result)} | " + " | ".join(_f(stages.get(stage)) for stage in STAGE_COLUMNS)
                     + f" | {peaks} |")
    return "\n".join(lines)


def targets_table(results: list[dict], extra: dict) -> str:
    """Each target of the issue, its measured value and whether it is met."""
    rows = []
    fit = [r for r in results if r["model"] == "fit"]
    for result in fit:
        d, size = derived(result), _size(result)
        if result["rows"] <= MUNICIPALITY_ROWS:
            rows.append((f"report json ≤ {TARGET_SMALL_JSON:g}× bare read ({size})", d["json_ratio"],
                         lambda v: v <= TARGET_SMALL_JSON, "×", d["json_ratio_cpu"]))
            rows.append((f"report html,pdf ≤ {TARGET_SMALL_PDF:g}× bare read ({size})", d["pdf_ratio"],
                         lambda v: v <= TARGET_SMALL_PDF, "×", None))
        if result["rows"] >= 900_000:
            rows.append((f"report json ≤ {TARGET_READ_RATIO:g}× bare read ({size})", d["json_ratio"],
                         lambda v: v <= TARGET_READ_RATIO, "×", d["json_ratio_cpu"]))
            rows.append((f"peak ≤ {TARGET_MEMORY_RATIO:g}× raw frame ({size})", d["memory_ratio"],
                         lambda v: v <= TARGET_MEMORY_RATIO, "×", None))
            if d["pandera_ratio"] is not None:
                rows.append((f"validate at least as fast as pandera: pandera / validate ≥ {TARGET_PANDERA_RATIO:g} "
                             f"({size})", d["pandera_ratio"], lambda v: v >= TARGET_PANDERA_RATIO, "×",
                             d["pandera_ratio_cpu"]))
    for kind in dict.fromkeys(r.get("kind", "semicolon") for r in fit):
        large = sorted((r for r in fit if r.get("kind", "semicolon") == kind and r["rows"] >= 900_000),
                       key=lambda r: r["rows"])
        if len(large) > 1:
            growth = _worst_growth(large)
            rows.append((f"s per million rows, largest / 1M ≤ {LINEAR_SLACK:g} (fit, {kind})", growth,
                         lambda v: v <= LINEAR_SLACK, "×", _worst_growth(large, "json_cpu_per_million")))
    for command, measured in extra.get("start", {}).items():
        rows.append((f"`{command}` ≤ {TARGET_START_SECONDS:g} s", measured.get("process_s"),
                     lambda v: v <= TARGET_START_SECONDS, " s", None))
    if "wide" in extra:
        wide = extra["wide"]
        rows.append((f"CSV one record deep, {_f(WIDE_FIELDS, 0)} fields wide, read ≤ {TARGET_WIDE_SECONDS:g} s "
                     f"(reader; whole process {_f(wide.get('process_s'))} s)", wide.get("seconds"),
                     lambda v: v <= TARGET_WIDE_SECONDS, " s", None))
    lines = ["| target | measured (wall) | met | measured (CPU time) |", "| --- | --- | --- | --- |"]
    for label, value, test, unit, cpu in rows:
        met = "–" if value is None else ("yes" if test(value) else "**no**")
        lines.append(f"| {label} | {_f(value, 2, unit)} | {met} | {_f(cpu, 2, unit)} |")
    return "\n".join(lines)


def _worst_growth(results: list[dict], figure: str = "json_per_million") -> float | None:
    """The factor by which report time per row at the largest size exceeds that at the smallest."""
    per_row = [derived(r)[figure] for r in sorted(results, key=lambda r: r["rows"])]
    return per_row[-1] / per_row[0] if len(per_row) > 1 and per_row[0] and per_row[-1] else None


def environment(pdf: bool, pandera: bool, repeat: int) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    versions = {}
    for package in ("isu-engine", "pandas", "numpy", "pyarrow", "weasyprint", "pandera"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    load = Path("/proc/loadavg").read_text().split()[:3]
    return {"date": dt.datetime.now().isoformat(timespec="minutes"), "cpu": cpu,
            "cores_pinned": sorted(bench_cores()), "python": platform.python_version(), "versions": versions,
            "pdf": pdf, "pandera": pandera, "repeat": repeat, "load_average": load}


def markdown(results: list[dict], env: dict, extra: dict) -> str:
    versions = ", ".join(f"{name} {version}" for name, version in env["versions"].items())
    start_mb = extra.get("baseline", {}).get("peak_mb")
    start = extra.get("start", {})
    start_line = "; ".join(f"`{command}` {_f(measured.get('process_s'))} s" for command, measured in start.items())
    return "\n\n".join([
        (f"Run {env['date']} on {env['cpu']}, pinned to cores {env['cores_pinned']}; "
         f"Python {env['python']}, {versions}; load average at the start {' '.join(env.get('load_average', []))}. "
         f"Times are wall-clock seconds of whole processes (interpreter start included, on both sides of each "
         f"ratio), the median of {env.get('repeat', 1)} runs taken in turn with the other steps of that size. "
         f"*Peak MB* is the largest peak of the validate, json and html+pdf runs; the engine process with its "
         f"modules loaded and no data (`isu models`) peaks at {_f(start_mb, 0)} MB. *Others' load* is the largest "
         f"share of the two cores that other processes took during a step of that size (50 %: one core busy with "
         f"other work): above a few per cent, wall times are inflated, and CPU times are the steadier figure."),
        f"Start-up, whole process: {start_line or '–'}.",
        results_table(results, start_mb),
        "Time per million rows (flat or falling means linear):\n\n" + linearity_table(results),
        "Seconds per pipeline stage inside the process (loading and analyses from the json run, rendering from the "
        "html,pdf run):\n\n" + stage_table(results),
        "Targets:\n\n" + targets_table(results, extra),
    ]) + "\n"


def measure_extra(out: Path, repeat: int, quiet_wait: float) -> dict:
    """Start-up of the command line, the engine's peak with no data, and the reader on a very wide CSV."""
    start = measure_rounds({"isu --help": [ISU, "--help"], "isu models": [ISU, "models"]}, repeat, quiet_wait,
                           "start-up", command=run_command)
    wide = measure_rounds({"wide": ["read_table", str(wide_file(out / "data", WIDE_FIELDS))]}, repeat, quiet_wait,
                          "wide CSV")["wide"]
    return {"start": start, "baseline": run_once(["isu", "models"]), "wide": wide}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", metavar="MODEL=SIZES", help="e.g. fit=5k,1M,5M loke=10k,100k,500k")
    parser.add_argument("--inputs", default=",".join(INPUTS), help=f"comma-separated: {','.join(INPUTS)} "
                        f"(xlsx only for sizes up to {XLSX_MAX_ROWS:,} rows)")
    parser.add_argument("--quick", action="store_true", help=f"only {' '.join(QUICK_SIZES)}, one run each")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--no-pdf", dest="pdf", action="store_false", help="skip the html,pdf report run")
    parser.add_argument("--no-pandera", dest="pandera", action="store_false", help="skip the pandera comparison")
    parser.add_argument("--repeat", type=int, default=None, help="runs of each step (median); default 3, --quick 1")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--tables-only", action="store_true",
                        help="measure nothing: write OUT/results.md again from OUT/results.json")
    parser.add_argument("--quiet-wait", type=float, default=120.0, metavar="S",
                        help="before each step, wait up to S seconds for the cores to be quiet (0: don't wait)")
    args = parser.parse_args(argv)

    if args.tables_only:
        saved = json.loads((args.out / "results.json").read_text(encoding="utf-8"))
        text = markdown(saved["results"], saved["environment"], saved["extra"])
        (args.out / "results.md").write_text(text, encoding="utf-8")
        print(text)
        return 0
    kinds = [kind.strip() for kind in args.inputs.split(",") if kind.strip()]
    if unknown := [kind for kind in kinds if kind not in INPUTS]:
        raise SystemExit(f"--inputs: unknown {', '.join(unknown)} (known: {', '.join(INPUTS)})")
    repeat = args.repeat or (1 if args.quick else 3)
    sizes = parse_sizes(args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES))
    pandera = args.pandera and importlib.util.find_spec("pandera") is not None
    if args.pandera and not pandera:
        print('pandera is not installed: no pandera column (pip install -e ".[bench]")', file=sys.stderr)
    if len(bench_cores()) < CORES:
        print(f"only {len(bench_cores())} core(s) available: figures are not comparable", file=sys.stderr)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    env = environment(args.pdf, pandera, repeat)
    extra = measure_extra(out, repeat, args.quiet_wait)
    results = []
    for model, size in sizes:
        for kind in kinds:
            if kind == "xlsx" and size > XLSX_MAX_ROWS:
                continue
            print(f"{model} {size_label(size)} ({kind}): data …", flush=True)
            case = MAKERS[model](size, out / "data", seed=args.seed, kind=kind)
            results.append(measure_case(case, out, repeat, args.pdf, pandera, args.quiet_wait))
            text = markdown(results, env, extra)
            (out / "results.md").write_text(text, encoding="utf-8")
            (out / "results.json").write_text(json.dumps({"environment": env, "extra": extra, "results": results},
                                                         indent=2), encoding="utf-8")
    print("\n" + text)
    print(f"written: {out / 'results.md'}, {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
