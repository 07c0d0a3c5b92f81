"""`isu serve`: prepare the data folder and database, start the job worker, serve with waitress."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TextIO

from isu_engine.i18n import register_messages

LOOPBACK = ("127.0.0.1", "localhost", "::1")
register_messages(Path(__file__).parent / "messages")  # the server's own texts, also before Django loads


def setup_django(data: Path, host: str | None = None) -> None:
    """Point Django at the data folder, load it, and bring the database up to date (migrations)."""
    from isu_engine.errors import UserError

    url = os.environ.get("ISU_DATABASE_URL", "")
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise UserError("serve.bad_database_url", scheme=url.split(":", 1)[0])
    data = Path(data)
    if data.exists() and not data.is_dir():
        raise UserError("serve.not_a_folder", file=data)
    os.environ["ISU_DATA_DIR"] = str(data.resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isu_engine.serve.settings")
    if host and host not in LOOPBACK:
        hosts = os.environ.get("ISU_ALLOWED_HOSTS", "127.0.0.1,localhost")
        os.environ["ISU_ALLOWED_HOSTS"] = f"{hosts},{host}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def serve(data: Path, host: str, port: int, demo: bool, create_admin: str | None, stream: TextIO) -> int:
    from isu_engine.errors import UserError
    from isu_engine.serve.language import t

    setup_django(data, host)
    from django.contrib.auth import get_user_model

    from isu_engine.serve import accounts_admin

    if create_admin:
        if get_user_model().objects.filter(username__iexact=create_admin).exists():
            raise UserError("serve.admin_exists", name=create_admin)
        password = accounts_admin.create_user(create_admin, administrator=True, by="")
        stream.write(t("serve.admin_created", name=create_admin, password=password) + "\n")
        return 0
    if demo:
        from isu_engine.serve.demo import seed_demo

        for line in seed_demo():
            stream.write(line + "\n")
    from waitress.server import create_server

    from isu_engine.serve.wsgi import application

    try:
        server = create_server(application, host=host, port=port, threads=8, ident="isu")
    except OSError as error:
        raise UserError("serve.cannot_listen", host=host, port=port, reason=error.strerror or str(error)) from None
    worker = subprocess.Popen([sys.executable, "-m", "isu_engine.serve.worker"], env=os.environ.copy())
    try:
        stream.write(t("serve.listening", url=f"http://{host}:{port}/") + "\n")
        stream.flush()
        server.run()
    finally:
        server.close()
        worker.terminate()
        worker.wait(timeout=10)
    return 0
