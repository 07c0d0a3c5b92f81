"""Users, units and signed-in clients for the web tests."""

from __future__ import annotations

import itertools
import os

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}-{os.getpid()}"


def make_user(role: str | None = None, unit=None, *, administrator: bool = False, name: str | None = None):
    from django.contrib.auth import get_user_model

    from isu_engine.serve.models import Membership, Profile

    user = get_user_model().objects.create_user(username=name or unique(role or "admin"), password="a long password 123")
    Profile.objects.create(user=user, administrator=administrator, must_change_password=False)
    if role:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def client_for(user):
    """A test client signed in as `user`, past the password and two-factor steps."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from isu_engine.serve.roles import needs_two_factor

    client = Client()
    if user is None:
        return client
    client.force_login(user)
    if needs_two_factor(user):
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def make_unit(**settings):
    from isu_engine.serve.models import Unit

    return Unit.objects.create(name=unique("Enhet "), **settings)


def csv_upload(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def run_jobs(expect: str = "done") -> None:
    """Run every queued job now, in this process (what the worker does); each must end as `expect`."""
    from isu_engine.serve.models import Job
    from isu_engine.serve.worker import work

    queued = list(Job.objects.filter(state="queued").values_list("id", flat=True))
    work(once=True)
    for job in Job.objects.filter(id__in=queued).exclude(kind="retention"):
        assert job.state == expect, f"job {job.pk} ({job.kind}): {job.state} {job.error}"



def new_dataset(client, unit, name: str = "sessions", model: str = "fit") -> int:
    import re

    response = client.post(f"/units/{unit.pk}/datasets/new/", {"name": name, "title": name, "model": model})
    return int(re.search(r"/datasets/(\d+)/", response.url).group(1))


def upload_and_confirm(client, dataset_id: int, file_name: str, text: str, period: str = "2025",
                       choose: dict | None = None, categories: bool = True) -> int:
    """Upload a file, take the proposed mapping and recodings (with `choose`: heading -> field or "__own__"),
    confirm it, and (with `categories`) the categories ticked in advance."""
    import re

    response = client.post(f"/datasets/{dataset_id}/upload/", {"period": period, "file": csv_upload(file_name, text)})
    upload_id = int(re.search(r"/uploads/(\d+)/mapping/", response.url).group(1))
    page = client.get(f"/uploads/{upload_id}/mapping/")
    data = {"action": "confirm", "sheet": "", "header_row": "1"}
    for row in page.context["rows"]:
        data[f"field_{row['index']}"] = (choose or {}).get(row["heading"], row["chosen"])
        data.update({f"value_{row['index']}_{v['index']}": v["chosen"] for v in row["values"]})
    confirmed = client.post(f"/uploads/{upload_id}/mapping/", data)
    assert confirmed.status_code == 302, confirmed.content.decode()[-2000:]
    if categories and "/categories/" in confirmed.url:
        confirm_categories(client, upload_id)
    return upload_id


def confirm_categories(client, upload_id: int, ticks: dict | None = None, names: dict | None = None):
    """Confirm the categories page: the values ticked in advance, or with `ticks` field -> the values to tick
    (`names`: (field, value) -> the name in the report). Returns the page that was offered."""
    page = client.get(f"/uploads/{upload_id}/categories/")
    assert page.status_code == 200, page.status_code
    data = {"action": "confirm"}
    for field in page.context["fields"]:
        for value in field.values:
            wanted = value.ticked if ticks is None or field.name not in ticks else value.value in ticks[field.name]
            if wanted:
                data[f"cat_{field.name}_{value.index}"] = "1"
            data[f"name_{field.name}_{value.index}"] = (names or {}).get((field.name, value.value), value.name)
    confirmed = client.post(f"/uploads/{upload_id}/categories/", data)
    assert confirmed.status_code == 302 and "/jobs/" in confirmed.url, confirmed.content.decode()[-2000:]
    return page


def database_text() -> list[str]:
    """Every value in every table of the application, as text (stored rows and files decoded)."""
    from django.apps import apps

    from isu_engine.serve.storage import rows_from_bytes

    lines = []
    for model in apps.get_models():
        for row in model.objects.all().values_list():
            for value in row:
                if isinstance(value, (bytes, memoryview)):
                    data = bytes(value)
                    try:
                        lines.extend(rows_from_bytes(data).astype(str).to_csv(index=False).splitlines())
                    except Exception:  # not Parquet: a CSV or another file
                        lines.append(data.decode("utf-8", "replace"))
                else:
                    lines.append(str(value))
    return lines
