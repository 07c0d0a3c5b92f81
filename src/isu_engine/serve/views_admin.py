"""The administrator's pages: units, users and their roles, organisation settings, the audit log."""

from __future__ import annotations

import pandas as pd
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from isu_engine import library
from isu_engine.serve import accounts_admin, audit
from isu_engine.serve.forms import MembershipForm, NewUserForm, OrganisationForm, UnitForm
from isu_engine.serve.models import AuditEvent, Membership, Organisation, Unit
from isu_engine.serve.roles import allowed

AUDIT_PAGE = 300


@allowed("administer")
def units(request):
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = Unit.objects.create(**form.cleaned_data)
        audit.record(request, "unit_created", unit=unit)
        return redirect("admin_unit", unit=unit.pk)
    return render(request, "isu/admin_units.html", {"form": form, "units": Unit.objects.all()})


@allowed("administer")
def unit_edit(request, unit):
    form = UnitForm(request.POST or None, initial={f: getattr(unit, f) for f in UnitForm.base_fields})
    if request.method == "POST" and form.is_valid():
        for name, value in form.cleaned_data.items():
            setattr(unit, name, value)
        unit.save()
        audit.record(request, "unit_changed", unit=unit,
                     detail=", ".join(f"{k}={v}" for k, v in form.cleaned_data.items()))
        return redirect("admin_units")
    return render(request, "isu/admin_unit.html", {"form": form, "unit": unit,
                                                   "members": unit.memberships.select_related("user")})


@allowed("administer")
def users(request):
    form = NewUserForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=name).exists():
            form.add_error("username", audit_text("serve.admin.user_exists"))
        else:
            password = accounts_admin.create_user(name, administrator=form.cleaned_data["administrator"],
                                                  by=request.user.get_username())
            created = {"name": name, "password": password, "id": get_user_model().objects.get(username=name).pk}
            form = NewUserForm()
    people = (get_user_model().objects.select_related("profile").prefetch_related("memberships__unit")
              .order_by("username"))
    return render(request, "isu/admin_users.html", {"form": form, "people": people, "created": created})


def audit_text(key):
    from isu_engine.serve.language import t

    return t(key)


@allowed("administer")
def user_edit(request, user_id):
    person = get_object_or_404(get_user_model(), pk=user_id)
    form = MembershipForm(request.POST if request.POST.get("action") == "add_role" else None, units=Unit.objects.all())
    issued = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add_role" and form.is_valid():
            unit = Unit.objects.get(pk=form.cleaned_data["unit"])
            Membership.objects.get_or_create(user=person, unit=unit, role=form.cleaned_data["role"])
            audit.record(request, "role_added", unit=unit, target=person.get_username(),
                         detail=form.cleaned_data["role"])
            return redirect("admin_user", user_id=person.pk)
        if action == "remove_role":
            membership = Membership.objects.filter(pk=request.POST.get("membership"), user=person).first()
            if membership:
                audit.record(request, "role_removed", unit=membership.unit, target=person.get_username(),
                             detail=membership.role)
                membership.delete()
            return redirect("admin_user", user_id=person.pk)
        if action == "one_time_password":
            issued = accounts_admin.issue_one_time_password(person, request.user.get_username())
        if action in ("deactivate", "activate") and person != request.user:
            person.is_active = action == "activate"
            person.save()
            audit.record(request, f"user_{action}d", target=person.get_username())
            return redirect("admin_user", user_id=person.pk)
    return render(request, "isu/admin_user.html", {"person": person, "form": form, "issued": issued,
                                                   "memberships": person.memberships.select_related("unit")})


@allowed("administer")
def organisation(request):
    current = Organisation.current()
    form = OrganisationForm(request.POST or None, initial={"municipality": current.municipality,
                                                           "min_cell_floor": current.min_cell_floor,
                                                           "language": current.language})
    if request.method == "POST" and form.is_valid():
        for name, value in form.cleaned_data.items():
            setattr(current, name, value)
        current.save()
        audit.record(request, "settings_changed", detail=", ".join(f"{k}={v}" for k, v in form.cleaned_data.items()))
        return redirect("admin_settings")
    return render(request, "isu/admin_settings.html", {"form": form})


@allowed("administer")
def audit_log(request):
    audit.record(request, "audit_log_viewed")
    return render(request, "isu/admin_audit.html", {"events": AuditEvent.objects.all()[:AUDIT_PAGE]})


@allowed("administer")
def audit_export(request):
    audit.record(request, "audit_log_exported")
    columns = ["at", "username", "action", "unit", "target", "detail", "address"]
    frame = pd.DataFrame.from_records(AuditEvent.objects.order_by("at", "id").values_list(*columns), columns=columns)
    frame["at"] = frame["at"].map(lambda at: at.isoformat())
    text = library.spreadsheet_safe(frame).to_csv(index=False)
    response = HttpResponse(text.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
