"""`isu serve` under load: signed-in users opening reports at once, on loopback, for a bounded time.

    .venv/bin/python benchmarks/serve_load.py                 # 20 users, 60 s; results into RESULTS.md
    .venv/bin/python benchmarks/serve_load.py --seconds 5     # the smoke version the test suite runs

It prepares a data folder of its own (one unit, a staff member per simulated user, the demo's GAS
data validated and a published run made by the job code), starts `isu serve` on a free loopback port
(waitress and the job worker, as in production), and lets every user sign in and then open, in turn, the
unit page, the run page, the report and the analysis meeting until the time is up. It prints the
median and 95th percentile time per page, the number of requests and every error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "web"))

from live_server import running_server  # noqa: E402  (the test suite's way to start isu serve)

PASSWORD = "load test password 2025"
MAX_REQUESTS_PER_USER = 20_000
MARK_START, MARK_END = "<!-- serve_load: start -->", "<!-- serve_load: end -->"


def prepare(data: Path, users: int) -> dict:
    """A unit with a published run and `users` staff members, made through the application's own code."""
    from isu_engine.serve.server import setup_django

    setup_django(data)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from isu_engine import library
    from isu_engine.serve import configs, jobs, storage
    from isu_engine.serve.models import Dataset, Membership, Profile, Run, Unit, Upload

    demo = library.write_demo_data(library.load_registry(), storage.folder("work", "load-demo"))
    raw = __import__("yaml").safe_load(demo.read_text("utf-8"))
    entry = raw["datasets"]["larkan"]
    unit = Unit.objects.create(name="Boendestöd Lärkan")
    config = {k: v for k, v in raw.items() if k not in ("datasets", "compare", "reflection_log")}
    dataset = Dataset.objects.create(unit=unit, name="larkan", model=entry["model"],
                                     config_yaml=configs.dump({**config, "datasets": {"larkan": entry}}))
    upload_folder = storage.folder("uploads", "load")
    stored = upload_folder / "upload.csv"
    stored.write_bytes((demo.parent / entry["source"]).read_bytes())
    upload = Upload.objects.create(dataset=dataset, period="2025", filename="larkan.csv", sha256="", uploaded_by="load",
                                   stored_path=str(stored), state="queued")
    jobs.execute(jobs.enqueue("validate", unit, "load", upload=upload.pk))
    jobs.execute(jobs.enqueue("run", unit, "load", dataset=dataset.pk, start="2025-01-01", end="2025-12-31", fixed=True))
    run = Run.objects.get(dataset=dataset)
    run.published_by, run.published_at = "load", timezone.now()
    run.save()
    names = []
    hashed = make_password(PASSWORD)  # hashed once (deliberately slow); every user is given the same hash
    for number in range(users):
        user = get_user_model().objects.create(username=f"staff{number}", password=hashed)
        Profile.objects.create(user=user, must_change_password=False)
        Membership.objects.create(user=user, unit=unit, role="staff")
        names.append(user.username)
    return {"users": names, "pages": {"unit": f"/units/{unit.pk}/", "run": f"/runs/{run.pk}/",
                                      "report": f"/runs/{run.pk}/report/", "meeting": f"/runs/{run.pk}/meeting/"}}


class Visitor:
    """One signed-in person with their own cookies (sent by hand: the cookies are Secure, the loopback is http)."""

    def __init__(self, base: str):
        parts = urlparse(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.host = parts.netloc
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = {"Host": self.host, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Referer": f"http://{self.host}{path}", "Origin": f"http://{self.host}"})
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content

    def sign_in(self, username: str) -> None:
        status, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _ = self.request("POST", "/login/", {"csrfmiddlewaretoken": token, "username": username,
                                                     "password": PASSWORD, "next": "/"})
        if status != 302:
            raise RuntimeError(f"sign-in of {username} answered {status}")


def load(base: str, world: dict, seconds: float) -> dict:
    times: dict[str, list[float]] = {name: [] for name in world["pages"]}
    errors: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(len(world["users"]))

    def person(username: str) -> None:
        visitor = Visitor(base)
        try:
            visitor.sign_in(username)
        except Exception as error:  # counted, not raised: the run reports every error
            with lock:
                errors.append(f"{username}: {error}")
            return
        start_line.wait()
        ends = time.monotonic() + seconds
        count = 0
        while time.monotonic() < ends and count < MAX_REQUESTS_PER_USER:
            for name, path in world["pages"].items():
                began = time.perf_counter()
                try:
                    status, _ = visitor.request("GET", path)
                except Exception as error:
                    status, error_text = 0, f"{type(error).__name__}: {error}"
                else:
                    error_text = ""
                took = time.perf_counter() - began
                with lock:
                    if status == 200:
                        times[name].append(took)
                    else:
                        errors.append(f"{username} {path}: {status} {error_text}")
                count += 1

    threads = [threading.Thread(target=person, args=(name,)) for name in world["users"]]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"times": times, "errors": errors, "elapsed": time.monotonic() - began}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


def table(result: dict, users: int, seconds: float) -> str:
    lines = [f"Run {dt.datetime.now(dt.timezone.utc).isoformat(timespec='minutes')}: {users} signed-in users for {seconds:g} s on "
             f"loopback (waitress, 8 threads; SQLite), each opening the unit page, the run page, the report and the "
             f"analysis meeting in turn. Errors: {len(result['errors'])}.", "",
             "| page | requests | median ms | 95th percentile ms |", "| --- | --- | --- | --- |"]
    every = []
    for name, values in result["times"].items():
        every += values
        lines.append(f"| {name} | {len(values)} | {1000 * statistics.median(values):.0f} | "
                     f"{1000 * percentile(values, 0.95):.0f} |" if values else f"| {name} | 0 | – | – |")
    if every:
        lines.append(f"| all | {len(every)} | {1000 * statistics.median(every):.0f} | "
                     f"{1000 * percentile(every, 0.95):.0f} |")
    return "\n".join(lines)


def write_results(text: str, path: Path = HERE / "RESULTS.md") -> None:
    current = path.read_text("utf-8") if path.exists() else ""
    block = f"{MARK_START}\n## isu serve under load (benchmarks/serve_load.py)\n\n{text}\n{MARK_END}"
    if MARK_START in current:
        current = re.sub(re.escape(MARK_START) + ".*?" + re.escape(MARK_END), lambda _: block, current, flags=re.S)
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(current, "utf-8")


def run(users: int = 20, seconds: float = 60.0, folder: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as temporary:
        data = Path(folder or temporary) / "data"
        world = prepare(data, users)
        with running_server(data) as (base, _log):
            result = load(base, world, seconds)
    result["table"] = table(result, users, seconds)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md as it is")
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or not 0 < args.users <= 100:
        parser.error("--seconds must be in (0, 600] and --users in (0, 100]")
    result = run(args.users, args.seconds)
    print(result["table"])
    for error in result["errors"][:20]:
        print("error:", error)
    if not args.no_write and args.seconds >= 60:
        write_results(result["table"])
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
