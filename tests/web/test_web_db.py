"""What the database holds and refuses. These tests run on SQLite here and on PostgreSQL through
test_web_postgres.py (the same file, with ISU_DATABASE_URL set)."""

from __future__ import annotations

import re

import datetime as dt

import pandas as pd
import pytest
from django.db import DatabaseError, connection, transaction

from isu_engine.protect.identifiers import mask_text
from helpers import client_for, database_text, make_unit, make_user, new_dataset, run_jobs, upload_and_confirm

PERSONNUMMER = ("19121212-1212", "121212-1212", "121212+1212", "1212121212", "191212121212")


def written(spelling: str, line: str) -> bool:
    """Whether `spelling` stands in `line` as a number of its own (not inside a longer number such as the
    published share 21.212121212121)."""
    return re.search(rf"(?<![\d.]){re.escape(spelling)}(?![\d])", line) is not None


def without_machine_digits(line: str) -> str:
    """The line without what the application writes from random or computed digits: hexadecimal
    strings of 16 characters or more (keyed pseudonyms, which the engine itself never reads as a
    personal number, and checksums) and the decimals of a number (a share or a time such as
    0.8501011239). A personal number in any spelling stays."""
    return re.sub(r"\d*\.\d+", "", re.sub(r"[0-9a-f]{16,}", "", line))


SESSIONS = """client_id;session_date;instrument;age;gender;unit;ors_total;srs_total;Anteckning
19121212-1212;2025-01-10;ORS;40;kvinna;Vuxen;12;30;första
191212121212;2025-02-10;ORS;40;kvinna;Vuxen;20;38;
121212+1212;2025-03-10;ORS;40;kvinna;Vuxen;26;39;
K2;2025-01-11;ORS;35;man;Vuxen 19121212-1212;15;36;ringde 19121212-1212 idag
K2;2025-02-11;ORS;35;man;Vuxen;22;37;
K3;2025-01-12;ORS;50;kvinna;Vuxen;18;37;
"""


def test_the_database_is_the_one_configured():
    import os

    assert connection.vendor == ("postgresql" if os.environ.get("ISU_DATABASE_URL") else "sqlite")


def test_the_audit_log_refuses_update_and_delete():
    from isu_engine.serve.models import AuditEvent

    event = AuditEvent.objects.create(action="sign_in", username="x")
    for change in (lambda: AuditEvent.objects.filter(pk=event.pk).update(detail="changed"),
                   lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
                   lambda: _raw("UPDATE isu_auditevent SET detail = 'x' WHERE id = %s", event.pk),
                   lambda: _raw("DELETE FROM isu_auditevent WHERE id = %s", event.pk)):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change()
    event.refresh_from_db()
    assert event.detail == ""
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw("TRUNCATE isu_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def _raw(sql: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture()
def stored():
    """An analyst uploads sessions whose client ids are personal identity numbers in several spellings."""
    unit = make_unit()
    analyst = client_for(make_user("analyst", unit))
    dataset_id = new_dataset(analyst, unit)
    upload_id = upload_and_confirm(analyst, dataset_id, "191212121212 sessioner.csv", SESSIONS)
    run_jobs()
    return {"unit": unit, "analyst": analyst, "dataset": dataset_id, "upload": upload_id}


def test_identifiers_are_stored_as_keyed_pseudonyms_and_personnummer_never(stored):
    from isu_engine import library
    from isu_engine.protect.identifiers import personal_number_mask
    from isu_engine.serve import storage
    from isu_engine.serve.models import PeriodRows, Upload

    upload = Upload.objects.get(pk=stored["upload"])
    assert upload.state == "validated", upload.error
    assert (upload.summary["rows_in"], upload.summary["rows_valid"], upload.summary["rows_quarantined"]) == (6, 5, 1)
    assert upload.summary["quarantined_rows"] == [5], "a personal number in a field quarantines its row"
    assert "Anteckning" not in upload.dataset.config_yaml, "a column with personal numbers is left out of the mapping"
    assert b"********-****" in bytes(upload.quarantine_csv), "the quarantined row is stored masked"
    assert "191212121212" not in upload.filename
    rows = storage.rows_from_bytes(PeriodRows.objects.get(dataset_id=stored["dataset"]).rows)
    key = storage.pseudonym_key()
    expected = {library.pseudonym(p, key) for p in ("19121212-1212", "K2", "K3")}
    assert set(rows["client_id"]) == expected, "three spellings of one number are one client"
    assert len(expected) == 3 and all(p.startswith("p_") for p in expected)

    text = database_text()
    found = personal_number_mask(pd.Series([without_machine_digits(line) for line in text], dtype=object))
    assert not found.any(), [mask_text(line) for line in pd.Series(text)[found.to_numpy()]]
    for spelling in PERSONNUMMER:
        assert not any(written(spelling, line) for line in text), spelling
    assert not any(key.decode() in line for line in text), "the key is never in the database"
    assert storage.key_file().resolve().parent.name == "keys"


def test_a_new_upload_for_a_period_replaces_its_rows(stored):
    from isu_engine.serve.models import PeriodRows

    upload_and_confirm(stored["analyst"], stored["dataset"], "igen.csv", SESSIONS)
    run_jobs()
    assert PeriodRows.objects.filter(dataset_id=stored["dataset"]).count() == 1
    assert PeriodRows.objects.get(dataset_id=stored["dataset"]).n_rows == 5
    upload_and_confirm(stored["analyst"], stored["dataset"], "2024.csv", SESSIONS.replace("2025-", "2024-"),
                       period="2024")
    run_jobs()
    assert sorted(PeriodRows.objects.filter(dataset_id=stored["dataset"]).values_list("period", "n_rows")) == \
        [("2024", 5), ("2025", 5)]


def test_erasure_computes_the_pseudonym_and_neither_stores_nor_logs_the_identifier(stored):
    from isu_engine.serve import storage
    from isu_engine.serve.models import AuditEvent, PeriodRows

    page = stored["analyst"].post(f"/units/{stored['unit'].pk}/erase/", {"identifier": "121212+1212"})
    assert "3 rader raderade" in page.content.decode()
    rows = storage.rows_from_bytes(PeriodRows.objects.get(dataset_id=stored["dataset"]).rows)
    assert len(rows) == 2 and rows["client_id"].nunique() == 2
    event = AuditEvent.objects.filter(action="erasure").latest("id")
    assert event.detail == "rows=3"
    assert not any(written("121212", line) for line in database_text())


def test_a_job_cut_off_by_a_restart_shows_failed_and_can_be_run_again(stored, monkeypatch):
    from isu_engine.serve import jobs
    from isu_engine.serve.models import Job
    from isu_engine.serve.worker import mark_cut_off

    monkeypatch.setattr(jobs, "RUN_FORMATS", ("json",))  # what is tested is the job, not the run's documents

    job = Job.objects.create(kind="run", unit=stored["unit"], created_by="x", state="running",
                             payload={"dataset": stored["dataset"], "start": "2025-01-01", "end": "2025-12-31",
                                      "fixed": True})
    assert mark_cut_off() == 1
    page = stored["analyst"].get(f"/jobs/{job.pk}/")
    assert "avbröts av en omstart" in page.content.decode() and "Kör igen" in page.content.decode()
    again = stored["analyst"].post(f"/jobs/{job.pk}/rerun/")
    rerun = Job.objects.latest("id")
    assert again.url == f"/jobs/{rerun.pk}/" and rerun.state == "queued" and rerun.payload == job.payload
    run_jobs()
    rerun.refresh_from_db()
    assert rerun.state == "done" and rerun.result_url.startswith("/runs/")


def test_two_workers_never_take_the_same_job(stored):
    from isu_engine.serve.models import Job
    from isu_engine.serve.worker import claim

    job = Job.objects.create(kind="retention", created_by="x")
    first, second = claim("one"), claim("two")
    assert first is not None and first.pk == job.pk and second is None
    assert Job.objects.get(pk=job.pk).worker == "one"
    Job.objects.filter(pk=job.pk).update(state="done")


def test_retention_deletes_old_rows_and_says_so_in_the_audit_log(stored):
    from isu_engine.serve.jobs import enqueue
    from isu_engine.serve.models import AuditEvent, PeriodRows

    unit = stored["unit"]
    unit.retention_years = 1
    unit.save()
    PeriodRows.objects.filter(dataset_id=stored["dataset"]).update(period=str(dt.date.today().year - 2))
    enqueue("retention", None, "")
    run_jobs()
    assert not PeriodRows.objects.filter(dataset_id=stored["dataset"]).exists()
    event = AuditEvent.objects.filter(action="retention", unit=unit.name).latest("id")
    assert event.detail == f"period={dt.date.today().year - 2} rows=5"
