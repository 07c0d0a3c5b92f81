"""Run one benchmark step in a fresh process pinned to two cores; collect its time and peak memory.

The two cores may be shared with other work on the machine. Before each step the
runner waits (up to a limit) until they are quiet, and it records how much of their
time other processes took while the step ran (`others_share`, 0–1), so that a figure
measured on a busy machine can be recognised.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEP = Path(__file__).resolve().parent / "step.py"
CORES = 2
QUIET_SHARE = 0.15  # the cores count as quiet when other processes use less than this share of them
TICKS = os.sysconf("SC_CLK_TCK")


class StepFailed(RuntimeError):
    """A step's process ended without writing its result."""


def bench_cores() -> set[int]:
    """The first two cores this process may use: every step is pinned to them."""
    return set(sorted(os.sched_getaffinity(0))[:CORES])


def busy_seconds(cores: set[int]) -> tuple[float, float]:
    """Seconds the `cores` have been busy and in all, since boot (from /proc/stat)."""
    busy = total = 0
    for line in Path("/proc/stat").read_text().splitlines():
        name, *ticks = line.split()
        if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cores:
            values = [int(tick) for tick in ticks]
            idle = values[3] + values[4]  # idle, iowait
            total += sum(values[:8])
            busy += sum(values[:8]) - idle
    return busy / TICKS, total / TICKS


def wait_until_quiet(max_wait: float) -> float:
    """Wait until other processes use less than QUIET_SHARE of the benchmark cores (at most `max_wait` s).

    Returns the share they used in the last second sampled.
    """
    cores = bench_cores()
    deadline = time.monotonic() + max_wait
    while True:
        busy_before, total_before = busy_seconds(cores)
        time.sleep(1.0)
        busy_after, total_after = busy_seconds(cores)
        share = (busy_after - busy_before) / max(total_after - total_before, 1e-9)
        if share < QUIET_SHARE or time.monotonic() >= deadline:
            return share


def run_step(args: list[str], repeat: int = 1, quiet_wait: float = 0.0) -> dict:
    """Run `step.py ARGS` `repeat` times, each in a fresh process, and summarise the runs (see `summarise`)."""
    runs = []
    for _ in range(max(1, repeat)):
        if quiet_wait > 0:
            wait_until_quiet(quiet_wait)
        runs.append(run_once(args))
    return summarise(runs)


def summarise(runs: list[dict]) -> dict:
    """The run with the median whole-process time, with the median of each time and the largest peak memory.

    Result: the step's own JSON (its `seconds` is the measured call and its `peak_mb` the
    process's peak resident memory), `process_s` (the whole process, interpreter start
    included) and `cpu_s` (user + system); `process_runs` lists every run's whole-process time.
    """
    middle = sorted(runs, key=lambda run: run["process_s"])[(len(runs) - 1) // 2]
    medians = {key: statistics.median(run[key] for run in runs)
               for key in ("seconds", "cpu_seconds", "process_s", "cpu_s") if all(key in run for run in runs)}
    peaks = [run["peak_mb"] for run in runs if "peak_mb" in run]
    return {**middle, **medians, **({"peak_mb": max(peaks)} if peaks else {}), "runs": len(runs),
            "process_runs": [round(run["process_s"], 3) for run in runs]}


def run_command(args: list[str]) -> dict:
    """Run a command as it is typed (no measuring wrapper), pinned like every step: its whole-process time."""
    cores = bench_cores()
    start = time.perf_counter()
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.sched_setaffinity(process.pid, cores)
    _, errors = process.communicate()
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        raise StepFailed(f"{' '.join(args)} ended with {process.returncode}:\n{errors.decode(errors='replace')[-2000:]}")
    return {"process_s": elapsed}


def run_once(args: list[str]) -> dict:
    cores = bench_cores()
    with tempfile.TemporaryDirectory() as scratch:
        result_path = Path(scratch) / "result.json"
        errors_path = Path(scratch) / "stderr.txt"
        with errors_path.open("wb") as errors:
            busy_before, total_before = busy_seconds(cores)
            start = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, str(STEP), str(result_path), *args],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
            )
            os.sched_setaffinity(process.pid, cores)  # before Python has started a thread: all of them inherit it
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            elapsed = time.perf_counter() - start
            busy_after, total_after = busy_seconds(cores)
        if process.returncode != 0 or not result_path.exists():
            tail = errors_path.read_text(errors="replace")[-2000:]
            raise StepFailed(f"{' '.join(args)} ended with {process.returncode}:\n{tail}")
        result = json.loads(result_path.read_text())
    own = usage.ru_utime + usage.ru_stime
    others = max(0.0, (busy_after - busy_before) - own)
    return {
        **result,
        "process_s": elapsed,
        "cpu_s": own,
        "others_share": min(1.0, others / max(total_after - total_before, 1e-9)),
        "maxrss_mb": usage.ru_maxrss / 1024,  # includes the forked runner's memory: see step.high_water_mb
    }
