"""The load benchmark's smoke version: 20 signed-in users for 5 seconds, no errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # a server and twenty clients for five seconds


def test_twenty_users_open_reports_for_five_seconds_without_errors():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "serve_load.py"), "--seconds", "5", "--no-write"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={k: v for k, v in __import__("os").environ.items()
                               if k not in ("DJANGO_SETTINGS_MODULE", "ISU_DATA_DIR", "ISU_DATABASE_URL")})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Errors: 0." in done.stdout
    for page in ("unit", "run", "report", "meeting"):
        requests = int(re.search(rf"^\| {page} \| (\d+) \|", done.stdout, re.M).group(1))
        assert requests >= 20, f"{page}: {requests} requests in 5 s"
