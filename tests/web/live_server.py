"""`isu serve` as a person meets it: the real command, its production server and job worker, on loopback."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

SERVER_ENV_DROP = ("DJANGO_SETTINGS_MODULE", "ISU_DATA_DIR", "ISU_DATABASE_URL", "ISU_PSEUDONYM_KEY")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in SERVER_ENV_DROP}


def create_admin(data: Path, name: str) -> str:
    """`isu serve --create-admin NAME`: the one-time password it prints."""
    done = subprocess.run([sys.executable, "-m", "isu_engine", "serve", "--data", str(data), "--create-admin", name],
                          env=_env(), capture_output=True, text=True, timeout=120, check=True)
    return re.search(r"(\w{4}-\w{4}-\w{4}-\w{4})", done.stdout).group(1)


@contextmanager
def running_server(data: Path, *extra: str):
    """Start `isu serve` on a free loopback port; yield (base URL, the lines it printed first); stop it."""
    port = free_port()
    log = Path(data, "serve.log")
    data.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "isu_engine", "serve", "--data", str(data),
                                   "--port", str(port), *extra], env=_env(), stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        base = f"http://localhost:{port}"
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(base + "/login/", timeout=2)
                    break
                except OSError:
                    if server.poll() is not None:
                        raise RuntimeError(log.read_text())
                    time.sleep(0.3)
            else:
                raise RuntimeError("isu serve did not answer: " + log.read_text())
            yield base, log
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=20)
