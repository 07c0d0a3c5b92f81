"""Who may do what (docs/roles.md): the role matrix, and the one check every view goes through.

Each view names one action of the matrix; the check loads the objects named in the URL, finds
their unit, and refuses (403) unless the signed-in user has a role that allows the action in
that unit (or is an administrator where the matrix says so).
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from isu_engine.serve import audit
from isu_engine.serve.models import Dataset, Decision, Job, Membership, Run, Unit, Upload

ADMINISTRATOR = "administrator"

# action -> roles that may do it (each analyst/manager/staff role counts only in its own units)
MATRIX: dict[str, tuple[str, ...]] = {
    "administer": (ADMINISTRATOR,),
    "work_with_data": ("analyst",),
    "view_internal": ("analyst", "manager"),
    "publish": ("manager",),
    "view_published": (ADMINISTRATOR, "analyst", "manager", "staff"),
    "interpret": ("analyst", "manager", "staff"),
    "decide": ("manager",),
    "signed_in": (ADMINISTRATOR, "analyst", "manager", "staff"),
}

# URL argument -> (model, the relations that lead from an object to its unit; loaded with it in one query)
OBJECTS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "unit": (Unit, ()),
    "dataset": (Dataset, ("unit",)),
    "upload": (Upload, ("dataset", "unit")),
    "run": (Run, ("dataset", "unit")),
    "job": (Job, ("unit",)),
    "decision": (Decision, ("dataset", "unit")),
}


def is_administrator(user) -> bool:
    return bool(user.is_authenticated and getattr(getattr(user, "profile", None), "administrator", False))


def _memberships(user) -> dict[int, set[str]]:
    """The user's roles per unit id: one query, kept on the request's user object for that request only."""
    if "_isu_memberships" not in user.__dict__:
        found: dict[int, set[str]] = {}
        for unit_id, role in Membership.objects.filter(user=user).values_list("unit_id", "role"):
            found.setdefault(unit_id, set()).add(role)
        user.__dict__["_isu_memberships"] = found
    return user.__dict__["_isu_memberships"]


def roles_in(user, unit: Unit | None) -> set[str]:
    """The user's roles in `unit` (administrator counts everywhere)."""
    if not user.is_authenticated:
        return set()
    roles = {ADMINISTRATOR} if is_administrator(user) else set()
    if unit is not None:
        roles |= _memberships(user).get(unit.pk, set())
    return roles


def may(user, action: str, unit: Unit | None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if action == "signed_in":
        return True
    return bool(roles_in(user, unit) & set(MATRIX[action]))


def needs_two_factor(user) -> bool:
    """Administrators, analysts and managers sign in with a second factor (TOTP)."""
    return is_administrator(user) or any(roles & {"analyst", "manager"} for roles in _memberships(user).values())


def sign_in_step(request) -> str | None:
    """The sign-in step still missing: a new password, two-factor set-up or check; None when fully signed in."""
    user = request.user
    if user.profile.must_change_password:
        return "password_change"
    verified = getattr(user, "is_verified", None)  # set by django-otp's middleware; not on a user signed in just now
    if needs_two_factor(user) and not (verified is not None and verified()):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        return "otp_verify" if confirmed else "otp_setup"
    return None


def run_action(run: Run) -> str:
    """A published run of a fixed period is for every role of the unit; anything else is internal."""
    return "view_published" if run.published and not run.internal else "view_internal"


def load_objects(kwargs: dict) -> tuple[dict, Unit | None]:
    objects, unit = {}, None
    for name, value in kwargs.items():
        if name in OBJECTS:
            model, path = OBJECTS[name]
            found = model.objects.select_related("__".join(path)) if path else model.objects.all()
            try:
                obj = found.get(pk=value)
            except model.DoesNotExist:
                raise Http404 from None
            objects[name] = obj
            unit = functools.reduce(getattr, path, obj)
        else:
            objects[name] = value
    return objects, unit


def allowed(action, *, step_ok: bool = False):
    """Decorate a view: `action` is a matrix action, or a function of the loaded objects that returns one.

    Anonymous users go to sign-in; users who have not finished signing in (new password, TOTP) go to
    that step unless `step_ok`; everyone else without the right role in the unit gets 403.
    """

    def decorate(view):
        @functools.wraps(view)
        def check(request, **kwargs):
            if not request.user.is_authenticated:
                return redirect(f"/login/?next={request.path}")
            if not step_ok:
                step = sign_in_step(request)
                if step:
                    return redirect(step)
            objects, unit = load_objects(kwargs)
            wanted = action(objects) if callable(action) else action
            if not may(request.user, wanted, unit):
                audit.record(request, "refused", unit=unit, target=request.path)
                raise PermissionDenied
            if wanted == "view_internal" and request.method == "GET":
                audit.record(request, "internal_view", unit=unit, target=request.path)
            request.isu_unit = unit
            return view(request, **objects)

        check.isu_action = action  # type: ignore[attr-defined]  # the action a view needs, read by the role tests
        return check

    return decorate


def public(view):
    """Mark a view that anyone may open (sign-in, sign-out, the language choice)."""
    view.isu_action = "public"
    return view


def units_for(user):
    """The units a user sees on the start page: every unit for an administrator, else their own."""
    if is_administrator(user):
        return Unit.objects.all()
    return Unit.objects.filter(memberships__user=user).distinct()
