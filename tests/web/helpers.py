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

