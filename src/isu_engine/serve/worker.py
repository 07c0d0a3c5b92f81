"""The job worker: takes queued jobs from the database one at a time (no broker).

`isu serve` starts it as a process of its own. When it starts, jobs left `running` by a worker that
was stopped (a restart) are marked failed, so the page shows it and the job can be run again.
Once a day it queues the retention job (gallring).
"""

from __future__ import annotations

import contextlib
import os
import socket
import time

from django.utils import timezone

RETENTION_EVERY = 24 * 3600


def mark_cut_off() -> int:
    from isu_engine.serve.language import t
    from isu_engine.serve.models import Job

    return Job.objects.filter(state="running").update(state="failed", error=t("serve.job.cut_off"),
                                                      finished=timezone.now())


def claim(worker_id: str):
    """The oldest queued job, taken by this worker (an update that only one worker can win)."""
    from isu_engine.serve.models import Job

    for job in Job.objects.filter(state="queued").order_by("id")[:5]:
        if Job.objects.filter(pk=job.pk, state="queued").update(state="running", worker=worker_id,
                                                               started=timezone.now()):
            job.refresh_from_db()
            return job
    return None


def work(poll_seconds: float = 1.0, stop_after: float | None = None, once: bool = False) -> None:
    from isu_engine.serve.jobs import enqueue, execute

    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    mark_cut_off()
    started, last_retention = time.monotonic(), 0.0
    while stop_after is None or time.monotonic() - started < stop_after:
        if time.monotonic() - last_retention > RETENTION_EVERY or last_retention == 0.0:
            enqueue("retention", None, "")
            last_retention = time.monotonic()
        job = claim(worker_id)
        if job is not None:
            execute(job)
        elif once:
            return
        else:
            time.sleep(poll_seconds)


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isu_engine.serve.settings")
    django.setup()
    with contextlib.suppress(KeyboardInterrupt):
        work()


if __name__ == "__main__":
    main()
