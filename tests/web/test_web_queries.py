"""What a request costs in SQL: an upper bound on the queries of typical pages, with several objects of each
kind so that a query per listed object shows; and the role check's memory lasts one request only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpers import client_for, make_unit, make_user

# Every signed-in request reads the session, the user with their profile, the two-factor device (analysts,
# managers, administrators), the organisation (the language), the user's memberships and the object the URL
# names; it saves the session (three statements). A refused request also writes its audit line.
PAGES = {
    "home as analyst": ("analyst", "/", 200, 9),
    "home as administrator": ("admin", "/", 200, 9),
    "unit as analyst": ("analyst", "/units/{unit}/", 200, 12),
    "unit as staff": ("staff", "/units/{unit}/", 200, 10),
    "dataset": ("analyst", "/datasets/{dataset}/", 200, 13),
    "upload": ("analyst", "/uploads/{upload}/", 200, 9),
    "run as analyst": ("analyst", "/runs/{run}/", 200, 10),
    "run as staff": ("staff", "/runs/{run}/", 200, 9),
    "refused": ("other_staff", "/uploads/{upload}/", 403, 9),
    "anonymous": ("nobody", "/units/{unit}/", 302, 1),
}


@pytest.fixture(scope="module")
def world():
    from isu_engine.serve.models import Dataset, Decision, Membership, Organisation, Run, Upload

    Organisation.current()  # made by whichever request comes first; not a cost of these pages
    unit, other, _ = make_unit(), make_unit(), make_unit()
    users = {"admin": make_user(administrator=True), "analyst": make_user("analyst", unit),
             "staff": make_user("staff", unit), "other_staff": make_user("staff", other), "nobody": None}
    Membership.objects.create(user=users["analyst"], unit=other, role="staff")
    datasets = [Dataset.objects.create(unit=unit, name=f"data{i}", model="fit") for i in range(3)]
    uploads = [Upload.objects.create(dataset=datasets[0], period=str(2020 + i), filename="x.csv", sha256="",
                                     state="validated", summary={"lines": ["ok"]}) for i in range(3)]
    runs = [Run.objects.create(dataset=d, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31),
                               fixed_period=True, run_by="x", published_at=dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc))
            for d in datasets]
    for due in (dt.date(2000, 1, 1), dt.date(2999, 1, 1), None):
        Decision.objects.create(dataset=datasets[0], run=runs[0], period_start=dt.date(2025, 1, 1),
                                period_end=dt.date(2025, 12, 31), topic="t", what="w", responsible="r", due=due)
    Decision.objects.create(dataset=datasets[1], run=runs[1], period_start=dt.date(2025, 1, 1),
                            period_end=dt.date(2025, 12, 31), topic="t", what="w", responsible="r",
                            due=dt.date(2000, 1, 1), followed_up_at=dt.date(2001, 1, 1))
    return {"clients": {who: client_for(user) for who, user in users.items()},
            "ids": {"unit": unit.pk, "dataset": datasets[0].pk, "upload": uploads[0].pk, "run": runs[0].pk}}


@pytest.mark.parametrize("page", PAGES)
def test_a_typical_page_issues_at_most_its_known_number_of_queries(world, page):
    who, url, status, most = PAGES[page]
    with CaptureQueriesContext(connection) as captured:
        response = world["clients"][who].get(url.format(**world["ids"]))
    assert response.status_code == status
    sql = "\n".join(query["sql"][:160] for query in captured.captured_queries)
    assert len(captured) <= most, f"{page}: {len(captured)} queries, at most {most} expected:\n{sql}"


def test_the_unit_page_counts_open_and_overdue_decisions(world):
    response = world["clients"]["staff"].get(f"/units/{world['ids']['unit']}/")
    assert (response.context["open_decisions"], response.context["overdue"]) == (3, 1)


def test_a_role_taken_away_or_given_counts_from_the_next_request():
    """The roles a request reads are kept on that request's user only: the next request reads them again."""
    from isu_engine.serve.models import Membership

    unit = make_unit()
    user = make_user("staff", unit)
    client = client_for(user)
    assert client.get(f"/units/{unit.pk}/").status_code == 200
    Membership.objects.filter(user=user).delete()
    assert client.get(f"/units/{unit.pk}/").status_code == 403
    Membership.objects.create(user=user, unit=unit, role="analyst")
    response = client.get(f"/units/{unit.pk}/")
    assert response.status_code == 302 and response.url == "/account/two-factor/setup/", "an analyst enrols first"
