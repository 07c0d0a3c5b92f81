"""The database tests again on PostgreSQL: a cluster of its own, the same test file, ISU_DATABASE_URL set."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from postgres_cluster import cluster

HERE = Path(__file__).parent


@pytest.mark.postgres
def test_the_database_tests_pass_on_postgresql(tmp_path):
    with cluster() as url:
        env = {**os.environ, "ISU_DATABASE_URL": url, "ISU_DATA_DIR": str(tmp_path)}
        done = subprocess.run([sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider", "-x",
                               str(HERE / "test_web_db.py")], env=env, capture_output=True, text=True,
                              cwd=HERE.parent.parent, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed.group(1)) >= 8 and "failed" not in done.stdout, done.stdout[-2000:]
