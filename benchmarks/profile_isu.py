"""Profile one `isu` command with cProfile, pinned to two cores, and print where the time goes.

    python benchmarks/profile_isu.py --pstats OUT.pstats [--top 30] -- report CONFIG --out DIR --format json

Prints the functions with the most cumulative time and the most own time; the saved
statistics open in any pstats viewer (`python -m pstats OUT.pstats`, snakeviz).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import bench_cores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pstats", type=Path, required=True, help="where to save the statistics")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the isu command line after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    os.sched_setaffinity(0, bench_cores())
    from isu_engine.commands.cli import main as isu

    profiler = cProfile.Profile()
    with contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        code = profiler.runcall(isu, command)
        seconds = time.perf_counter() - start
    args.pstats.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(args.pstats)
    print(f"isu {' '.join(command)}: exit {code}, {seconds:.2f} s under the profiler")
    for order in ("cumulative", "tottime"):
        print(f"\n--- by {order} ---")
        pstats.Stats(profiler).strip_dirs().sort_stats(order).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
