"""The audit log: one append-only line per sign-in, upload, run, publication, internal view,
download and user change. Lines name users and objects, never row data or identifiers."""

from __future__ import annotations

from isu_engine.serve.models import AuditEvent


def record(request_or_name, action: str, *, unit=None, target: str = "", detail: str = "") -> None:
    if isinstance(request_or_name, str) or request_or_name is None:
        username, address = request_or_name or "", ""
    else:
        user = request_or_name.user
        username = user.get_username() if user.is_authenticated else ""
        address = request_or_name.META.get("REMOTE_ADDR", "")
    AuditEvent.objects.create(username=username[:150], action=action, unit=str(unit or "")[:200],
                              target=str(target)[:300], detail=str(detail)[:500], address=address[:64])
