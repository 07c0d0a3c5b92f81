"""`isu serve --demo`: the demo municipality — its units, the three datasets validated and stored, last
year's reflection log, and a user per role with one-time passwords — so a newcomer sees the whole cycle."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model

from isu_engine import library
from isu_engine.serve.language import t
from isu_engine.serve import accounts_admin, configs, jobs, storage
from isu_engine.serve.models import Dataset, Membership, Organisation, Unit, Upload
from isu_engine.serve.views_meeting import _import_log

DEMO_YEAR = "2025"
DEMO_USERS = (("admin", None), ("analytiker", "analyst"), ("chef", "manager"), ("medarbetare", "staff"))


def seed_demo() -> list[str]:
    """Create the demo once (a second start keeps what is there); the lines to print.

    Each dataset's rows are validated and stored, last year's reflection log is imported, and
    this year's report of each dataset is queued for the job worker, ready for the manager to publish.
    """
    if get_user_model().objects.filter(username=DEMO_USERS[0][0]).exists():
        return [t("serve.demo_ready", units=Unit.objects.count(), datasets=Dataset.objects.count())]
    organisation = Organisation.current()
    organisation.municipality = "Exempelkommun"
    organisation.save()
    folder = storage.folder("work", "demo")
    config_path = library.write_demo_data(jobs.registry(), folder)
    raw = yaml.safe_load(config_path.read_text("utf-8"))
    units = []
    for name, entry in raw["datasets"].items():
        unit = Unit.objects.create(name=entry.get("title", name), period_step=raw.get("period_step", "quarter"))
        units.append(unit)
        single = {key: value for key, value in raw.items() if key not in ("datasets", "compare", "reflection_log")}
        single["unit"] = unit.name
        single["datasets"] = {name: entry}
        dataset = Dataset.objects.create(unit=unit, name=name, model=entry["model"], config_yaml=configs.dump(single))
        upload_folder = storage.folder("uploads", f"demo-{name}")
        source = Path(entry["source"])
        stored = upload_folder / ("upload" + source.suffix)
        shutil.copyfile(folder / source, stored)
        upload = Upload.objects.create(dataset=dataset, period=DEMO_YEAR, filename=source.name, sha256="",
                                       size=stored.stat().st_size, uploaded_by="demo", stored_path=str(stored),
                                       state="queued")
        jobs.execute(jobs.enqueue("validate", unit, "demo", upload=upload.pk))
        _import_log(unit, (folder / "reflektion.yaml").read_bytes(), "demo")
        jobs.enqueue("run", unit, "demo", dataset=dataset.pk, start=f"{DEMO_YEAR}-01-01", end=f"{DEMO_YEAR}-12-31",
                     fixed=True)
    shutil.rmtree(folder, ignore_errors=True)
    lines = [t("serve.demo_ready", units=len(units), datasets=Dataset.objects.count())]
    for username, role in DEMO_USERS:
        password = accounts_admin.create_user(username, administrator=role is None, by="demo")
        if role:
            user = get_user_model().objects.get(username=username)
            for unit in units:
                Membership.objects.create(user=user, unit=unit, role=role)
        lines.append(t("serve.demo_user", role=t(f"serve.role.{role or 'administrator'}"), name=username,
                       password=password))
    lines.append(t("serve.demo_totp"))
    return lines
