"""`isu serve`: prepare the data folder and database, start the job worker, serve with waitress."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TextIO

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def setup_django(data: Path, host: str | None = None) -> None:
    """Point Django at the data folder, load it, and bring the database up to date (migrations)."""
    os.environ["ISU_DATA_DIR"] = str(Path(data).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isu_engine.serve.settings")
    if host and host not in LOOPBACK:
        hosts = os.environ.get("ISU_ALLOWED_HOSTS", "127.0.0.1,localhost")
        os.environ["ISU_ALLOWED_HOSTS"] = f"{hosts},{host}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def serve(data: Path, host: str, port: int, demo: bool, create_admin: str | None, stream: TextIO) -> int:
    from isu_engine.i18n import t

    setup_django(data, host)
    from isu_engine.serve import accounts_admin

    if create_admin:
        password = accounts_admin.create_user(create_admin, administrator=True, by="")
        stream.write(t("serve.admin_created", name=create_admin, password=password) + "\n")
        return 0
    if demo:
        from isu_engine.serve.demo import seed_demo

        for line in seed_demo():
            stream.write(line + "\n")
    worker = subprocess.Popen([sys.executable, "-m", "isu_engine.serve.worker"], env=os.environ.copy())
    try:
        from waitress import serve as waitress_serve

        from isu_engine.serve.wsgi import application

        stream.write(t("serve.listening", url=f"http://{host}:{port}/") + "\n")
        stream.flush()
        waitress_serve(application, host=host, port=port, threads=8, ident="isu")
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    return 0
