"""Users: creating them with a one-time password, and issuing a new one (password reset without e-mail)."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model

from isu_engine.serve import audit
from isu_engine.serve.models import Profile

ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    """Four groups of four characters that are easy to read aloud (no 0/o, 1/l/i)."""
    return "-".join("".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(4)) for _ in range(4))


def create_user(username: str, *, administrator: bool = False, by: str = "") -> str:
    """A new user who must choose a password at first sign-in; returns the one-time password."""
    password = one_time_password()
    user = get_user_model().objects.create_user(username=username, password=password)
    Profile.objects.create(user=user, administrator=administrator, must_change_password=True)
    audit.record(by, "user_created", target=username, detail="administrator" if administrator else "")
    return password


def issue_one_time_password(user, by: str) -> str:
    """A new one-time password; the user's two-factor device is removed so they enrol again."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    password = one_time_password()
    user.set_password(password)
    user.save()
    user.profile.must_change_password = True
    user.profile.save()
    TOTPDevice.objects.filter(user=user).delete()
    audit.record(by, "password_reset", target=user.get_username())
    return password
