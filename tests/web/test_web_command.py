"""`isu serve` on the command line: one-line user errors (exit 2), and Django only when serve runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from live_server import SERVER_ENV_DROP


def isu(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SERVER_ENV_DROP}
    return subprocess.run([sys.executable, "-m", "isu_engine", *args], capture_output=True, text=True, timeout=120,
                          env={**clean, **(env or {})})


def one_line_error(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


def test_a_database_url_that_is_not_postgresql_is_one_line(tmp_path):
    line = one_line_error(isu("serve", "--data", str(tmp_path), env={"ISU_DATABASE_URL": "mysql://x@y/z"}))
    assert "ISU_DATABASE_URL" in line and "mysql" in line


def test_a_data_folder_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "data").write_text("x")
    line = one_line_error(isu("serve", "--data", str(tmp_path / "data")))
    assert str(tmp_path / "data") in line


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_line_error(isu("serve", "--data", str(tmp_path), "--port", str(port)))
    assert f"127.0.0.1:{port}" in line and "--port" in line


def test_the_first_administrator_and_a_second_one_by_the_same_name(tmp_path):
    first = isu("serve", "--data", str(tmp_path), "--create-admin", "anna")
    assert first.returncode == 0 and "anna" in first.stdout
    assert "anna" in one_line_error(isu("serve", "--data", str(tmp_path), "--create-admin", "anna"))


def test_other_commands_do_not_load_django():
    code = ("import sys; from isu_engine.commands.cli import main; main(['models']); "
            "print('django loaded' if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 'no django')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().endswith("no django"), done.stdout + done.stderr
