"""Check that two runs published the same figures: every report.json and comparison.json under two folders.

    python benchmarks/same_reports.py BEFORE AFTER

The files are compared as JSON without the parts that name the build and the input files
rather than the figures (`engine`: versions; `inputs` and each report's provenance table:
versions and file hashes — an xlsx file written again has a new hash). Exit 0 when every file found under BEFORE is
in AFTER and equal, 1 otherwise (each difference named by file and key).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NAMES = ("report.json", "comparison.json")
LEFT_OUT = ("engine", "inputs")
PROVENANCE = ".provenance"


def published(path: Path) -> dict:
    """A run's JSON without its build and input hashes."""
    document = json.loads(path.read_text(encoding="utf-8"))
    for dataset in document.get("datasets", {}).values():
        if isinstance(dataset, dict) and "tables" in dataset:
            dataset["tables"] = [table for table in dataset["tables"] if not table.get("id", "").endswith(PROVENANCE)]
    return {key: value for key, value in document.items() if key not in LEFT_OUT}


def differences(before, after, where: str = "") -> list[str]:
    """The places (key paths) where two JSON values differ."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in sorted(set(before) | set(after), key=str):
            if key not in before or key not in after:
                found.append(f"{where}/{key}: only {'after' if key in after else 'before'}")
            else:
                found.extend(differences(before[key], after[key], f"{where}/{key}"))
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [line for index, (a, b) in enumerate(zip(before, after)) for line in differences(a, b, f"{where}[{index}]")]
    return [] if before == after else [f"{where}: {json.dumps(before)[:80]} ≠ {json.dumps(after)[:80]}"]


def main(argv: list[str]) -> int:
    before_root, after_root = (Path(arg) for arg in argv)
    files = sorted(path for name in NAMES for path in before_root.rglob(name))
    if not files:
        print(f"no {' or '.join(NAMES)} under {before_root}")
        return 1
    failed = 0
    for path in files:
        other = after_root / path.relative_to(before_root)
        found = differences(published(path), published(other)) if other.exists() else ["missing"]
        failed += bool(found)
        print(f"{'same' if not found else 'DIFFERENT'}: {path.relative_to(before_root)}")
        for line in found[:10]:
            print(f"    {line}")
    print(f"{len(files) - failed} of {len(files)} the same")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
