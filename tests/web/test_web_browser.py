"""Tested as a person would: Debian's Chromium, driven by Playwright, against `isu serve` itself.

The administrator creates a unit and users; the analyst uploads the demo FIT export (its headings are
not the model's), confirms the proposed mapping and the unit's own categories (units, therapists), sees the
quarantined rows, runs the report; the manager
publishes it and records a decision; a staff member writes an interpretation; a second analyst uploads
and runs the next period, whose report shows the decision; a staff member of another unit is refused at
every step. The staff member and the second analyst have JavaScript turned off.
Every page is checked with axe-core (WCAG 2.1 AA) where scripts run; a page met again (the same address but
for its numbers, reached the same way, as when the administrator creates the fifth user) is checked once.
With ISU_SCREENSHOTS=folder every page is screenshotted into it; otherwise only each person's last page, when
a test fails (into the test's temporary folder).
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import subprocess
from pathlib import Path

import pytest

from browser_support import axe_violations, describe_violations, screenshot
from live_server import create_admin, running_server

pytestmark = pytest.mark.slow  # whole cycles through the server and its job worker, PDFs included

PASSWORD = "en lång och hemlig fras 2025"


class Screens:
    """A test's screenshots: of every page into `folder` (ISU_SCREENSHOTS), or none; the people who take them,
    and the pages already checked with axe-core."""

    def __init__(self, folder: Path | None, failed: Path):
        self.folder, self.failed = folder, failed
        self.people: list[Person] = []
        self.checked: set[tuple[str, str]] = set()

    def take(self, person: Person, label: str) -> None:
        if self.folder is not None:
            count = len(list(self.folder.glob("*.png"))) + 1
            screenshot(person.page, self.folder / f"{count:02d}-{person.name}-{label}.png")

    def first_time(self, label: str, url: str) -> bool:
        """Whether a page reached this way (`label`), at this address but for its numbers, is new to the test."""
        key = (label, re.sub(r"\d+", "N", url))
        new = key not in self.checked
        self.checked.add(key)
        return new


class Person:
    """One person's browser (own cookies), signing in, visiting pages, checking each (and screenshotting)."""

    def __init__(self, browser, base: str, name: str, shots: Screens, problems: list, javascript: bool = True):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript,
                                           bypass_csp=javascript)
        self.page = self.context.new_page()
        self.base, self.name, self.shots, self.problems, self.javascript = base, name, shots, problems, javascript
        self.visited: list[str] = []
        shots.people.append(self)

    def look(self, label: str) -> None:
        """Screenshot the page (when kept), and check it with axe-core where scripts may run, once per page."""
        self.shots.take(self, label)
        self.visited.append(self.page.url)
        if self.javascript and self.shots.first_time(label, self.page.url):
            found = axe_violations(self.page)
            if found:
                self.problems.append(f"{self.name} {label} {self.page.url}:\n{describe_violations(found)}")

    def go(self, path: str, label: str) -> None:
        self.page.goto(self.base + path)
        self.look(label)

    def click(self, text: str, label: str) -> None:
        self.page.get_by_role("button", name=text).or_(self.page.get_by_role("link", name=text)).first.click()
        self.page.wait_for_load_state()
        self.look(label)

    def sign_in(self, username: str, one_time: str, *, two_factor: bool) -> None:
        self.go("/login/", "sign-in")
        self.page.get_by_label("Användarnamn", exact=True).fill(username)
        self.page.get_by_label("Lösenord", exact=True).fill(one_time)
        self.click("Logga in", "new-password")
        self.page.get_by_label("Nytt lösenord", exact=True).fill(PASSWORD)
        self.page.get_by_label("Bekräfta nytt lösenord", exact=True).fill(PASSWORD)
        self.click("Spara lösenordet", "after-password")
        if two_factor:
            qr = self.page.locator("#otp-qr svg")  # the app scans this; the key as text serves those who type it
            assert qr.get_attribute("role") == "img" and qr.bounding_box()["width"] >= 150
            self.secret = self.page.locator("#otp-secret").inner_text().replace(" ", "")
            self.page.get_by_label("Sexsiffrig kod från appen", exact=True).fill(totp(self.secret))
            self.click("Bekräfta", "home")
        assert self.page.locator("h1").inner_text() == "Dina enheter"

    def wait_for_job(self) -> None:
        """Follow a job page until it is done: the page reloads itself, or (without JavaScript) by its link."""
        for _ in range(240):
            state = self.page.locator("#job-status strong").inner_text()
            if state in ("klar", "misslyckades"):
                break
            self.page.wait_for_timeout(1000)
            if not self.javascript:
                self.page.get_by_role("link", name="Uppdatera").click()
        self.look("job-" + state)
        assert state == "klar", self.page.locator("#job-status").inner_text()


def totp(secret: str, drift: int = 0) -> str:
    """The app's code now (`drift` 1: the next 30-second step, which the server also accepts once)."""
    from django_otp.oath import totp as code

    return f"{code(base64.b32decode(secret), drift=drift):06d}"


@pytest.fixture()
def shots(request, tmp_path):
    """This test's screenshots: every page under ISU_SCREENSHOTS when set (its folder emptied first); when the
    test fails, each person's last page in the test's temporary folder."""
    folder = None
    if os.environ.get("ISU_SCREENSHOTS"):
        folder = Path(os.environ["ISU_SCREENSHOTS"]) / request.node.name
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
    screens = Screens(folder, tmp_path / "screens-at-failure")
    yield screens
    report = getattr(request.node, "rep_call", None)  # set by tests/web/conftest.py
    if report is not None and report.failed:
        for person in screens.people:
            with contextlib.suppress(Exception):  # a page that closed: the others are still taken
                screenshot(person.page, screens.failed / f"{person.name}.png")


def test_the_isu_cycle_as_people_do_it(browser, tmp_path, shots):
    from isu_engine import library

    demo = library.write_demo_data(library.load_registry(), tmp_path / "export")
    export = demo.parent / "hasselberg_sessioner.csv"
    data = tmp_path / "server"
    data.mkdir()
    admin_password = create_admin(data, "admin")
    problems: list[str] = []
    with running_server(data) as (base, log):
        admin = Person(browser, base, "admin", shots, problems)
        admin.sign_in("admin", admin_password, two_factor=True)
        admin.click("Enheter", "units")
        passwords = {}
        for unit in ("Familjeteamet", "Annan enhet"):
            admin.page.get_by_label("Namn", exact=True).fill(unit)
            admin.click("Skapa enheten", "unit-created")
            admin.go("/admin/units/", "units")
        for username, role, unit in (("analytiker", "analytiker", "Familjeteamet"),
                                     ("analytiker2", "analytiker", "Familjeteamet"), ("chef", "chef", "Familjeteamet"),
                                     ("medarbetare", "medarbetare", "Familjeteamet"),
                                     ("utomstående", "medarbetare", "Annan enhet")):
            admin.go("/admin/users/", "users")
            admin.page.get_by_label("Användarnamn", exact=True).fill(username)
            admin.click("Skapa användaren", "user-created")
            passwords[username] = admin.page.locator("#one-time-password").inner_text()
            admin.click("Ge roller", "user")
            admin.page.get_by_label("Enhet", exact=True).select_option(label=unit)
            admin.page.get_by_label("Roll", exact=True).select_option(label=role)
            admin.click("Lägg till rollen", "role-added")

        analyst = Person(browser, base, "analyst", shots, problems)
        analyst.sign_in("analytiker", passwords["analytiker"], two_factor=True)
        analyst.click("Familjeteamet", "unit")
        analyst.click("Nytt dataset", "dataset-new")
        analyst.page.get_by_label("Kortnamn (a–z, siffror, -)", exact=True).fill("hasselberg")
        analyst.page.get_by_label("Rubrik", exact=True).fill("Familjeteamet Hasselberg")
        analyst.page.get_by_label("Modell", exact=True).select_option("fit")
        analyst.click("Skapa", "dataset")
        dataset_path = analyst.page.url.replace(base, "")
        analyst.click("Ladda upp data", "upload")
        analyst.page.get_by_label("Fil", exact=True).set_input_files(str(export))
        analyst.page.get_by_label("År som filen gäller", exact=True).fill("2025")
        analyst.click("Ladda upp", "mapping")
        assert analyst.page.get_by_label("Klient-ID", exact=True).input_value() == "client_id"
        assert analyst.page.get_by_label("Behandlare", exact=True).input_value() == "therapist_id"
        analyst.click("Bekräfta kolumnerna", "categories")
        assert analyst.page.get_by_label("T02", exact=True).is_checked(), "a therapist: ticked in advance"
        analyst.click("Bekräfta och validera", "job")
        analyst.wait_for_job()
        analyst.click("Visa resultatet", "validation")
        rows = analyst.page.locator("#quarantined-rows").inner_text()
        assert re.search(r"\d+, \d+", rows), rows
        analyst.click("Ta fram rapport", "run-new")
        analyst.page.get_by_label("Period", exact=True).select_option(label="2024")
        analyst.click("Starta", "job")
        analyst.wait_for_job()
        analyst.click("Visa resultatet", "run")
        run_url = analyst.page.url
        analyst.click("Öppna rapporten", "report-2024")
        assert "Familjeteamet Hasselberg" in analyst.page.content()
        analyst.go(dataset_path + "config/", "config")
        assert "Klient-ID: client_id" in analyst.page.get_by_label("Konfiguration (YAML)", exact=True).input_value()

        manager = Person(browser, base, "manager", shots, problems)
        manager.sign_in("chef", passwords["chef"], two_factor=True)
        manager.go(run_url.replace(base, ""), "run")
        manager.click("Publicera för enheten", "meeting")
        manager.page.get_by_label("Beslutets ämne", exact=True).fill("Låga SRS-skattningar")
        manager.page.get_by_label("Beslut – vad gör vi?", exact=True).fill("Vi frågar alltid om samarbetet när SRS är under 36.")
        manager.page.get_by_label("Vem följer upp?", exact=True).fill("Teamledaren")
        manager.page.get_by_label("Senast", exact=True).fill("2025-06-30")
        manager.page.get_by_label("Nyckeltal att följa", exact=True).select_option("srs.below_cutoff_pct")
        manager.click("Spara beslutet", "meeting-decided")
        meeting_url = manager.page.url

        staff = Person(browser, base, "staff", shots, problems, javascript=False)
        staff.sign_in("medarbetare", passwords["medarbetare"], two_factor=False)
        staff.click("Familjeteamet", "unit")
        staff.go(meeting_url.replace(base, ""), "meeting")
        staff.page.get_by_label("Ämne", exact=True).fill("Låga SRS-skattningar")
        staff.page.get_by_label("Vår tolkning", exact=True).fill("Vi tar sällan upp låga skattningar direkt i samtalet.")
        staff.click("Spara tolkningen", "meeting-interpreted")
        assert "Vi tar sällan upp låga skattningar" in staff.page.content()

        # The second analyst works without JavaScript: uploads this year's export again (it replaces the
        # period's rows), confirms the mapping, follows the job by its link, and runs this year's report.
        second = Person(browser, base, "analyst2", shots, problems, javascript=False)
        second.sign_in("analytiker2", passwords["analytiker2"], two_factor=True)
        second.go(dataset_path, "dataset")
        second.click("Ladda upp data", "upload")
        second.page.get_by_label("Fil", exact=True).set_input_files(str(export))
        second.page.get_by_label("År som filen gäller", exact=True).fill("2025")
        second.click("Ladda upp", "mapping")
        assert second.page.get_by_label("Klient-ID", exact=True).input_value() == "client_id"
        second.click("Bekräfta kolumnerna", "categories")
        assert second.page.get_by_label("T02", exact=True).is_checked(), "the categories saved last time"
        second.click("Bekräfta och validera", "job")
        second.wait_for_job()
        second.click("Visa resultatet", "validation")
        second.click("Ta fram rapport", "run-new")
        second.page.get_by_label("Period", exact=True).select_option(label="2025")
        second.click("Starta", "job")
        second.wait_for_job()
        second.click("Visa resultatet", "run-2025")
        pdf = second.context.request.get(base + second.page.get_by_role("link", name="PDF", exact=True)
                                         .get_attribute("href"))
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
        (tmp_path / "report-2025.pdf").write_bytes(pdf.body())
        pdf_text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "report-2025.pdf"), "-"],
                                           capture_output=True, text=True, check=True).stdout.split())
        assert "Vi frågar alltid om samarbetet när SRS är under 36." in pdf_text, "the decision, in the PDF too"
        assert "Vi tar sällan upp låga skattningar direkt i samtalet." in pdf_text
        second.click("Öppna rapporten", "report-2025")
        report = second.page.content()
        assert "Vi frågar alltid om samarbetet när SRS är under 36." in report
        assert re.search(r"Låga SRS-skattningar: [^<]+ är nu ", report), "the figure the decision follows, now"
        assert "Vi tar sällan upp låga skattningar direkt i samtalet." in report

        manager.click("Familjeteamet", "unit")
        manager.click("Beslut: 1 öppna, 1 försenade", "decisions")  # due 2025-06-30: overdue by now
        assert "Vi frågar alltid om samarbetet" in manager.page.content() and "försenat" in manager.page.content()
        analyst.go("/", "home")
        analyst.click("Familjeteamet", "unit")
        analyst.click("Importera reflektionslogg", "reflection-import")
        analyst.go(analyst.page.url.replace(base, "").replace("reflection/import/", "erase/"), "erase")
        admin.go("/admin/units/", "units")
        admin.click("Familjeteamet", "unit-settings")
        admin.click("Logga ut (admin)", "signed-out")
        admin.page.get_by_label("Användarnamn", exact=True).fill("admin")
        admin.page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
        admin.click("Logga in", "two-factor")
        admin.page.get_by_label("Sexsiffrig kod från appen", exact=True).fill(totp(admin.secret, drift=1))
        admin.click("Fortsätt", "home-again")
        assert admin.page.locator("h1").inner_text() == "Dina enheter"
        admin.go("/admin/audit/", "audit-log")
        assert "published" in admin.page.content() and "internal_view" in admin.page.content()
        admin.go("/admin/settings/", "settings")
        admin.click("In English", "settings-english")
        assert admin.page.locator("h1").inner_text() == "Settings"

        outsider = Person(browser, base, "outsider", shots, problems)
        outsider.sign_in("utomstående", passwords["utomstående"], two_factor=False)
        seen = {url for person in (admin, analyst, second, manager, staff) for url in person.visited
                if re.search(r"/(units|datasets|uploads|jobs|runs)/\d+", url) and "Annan" not in url}
        refused = 0
        for url in sorted(seen):
            response = outsider.page.goto(url)
            if response.status == 403:
                refused += 1
            else:
                assert "/units/" in url and response.status == 403, f"{url}: {response.status}"
        outsider.look("refused")
        assert refused == len(seen) >= 10
        assert "Du har inte behörighet" in outsider.page.content()
    assert not problems, "\n\n".join(problems)


def test_the_demo_compared(browser, shots, tmp_path):
    """`isu serve --demo`: the manager publishes the three units' reports; the administrator opens the comparison
    of every unit, a staff member the comparison page of a unit."""
    problems: list[str] = []
    data = tmp_path / "server"
    with running_server(data, "--demo") as (base, log):
        passwords = dict(re.findall(r"användarnamn (\w+), engångslösenord (\S+)", log.read_text()))
        manager = Person(browser, base, "manager", shots, problems)
        manager.sign_in("chef", passwords["chef"], two_factor=True)
        units = [name for name in manager.page.locator("ul.cards a").all_inner_texts()]
        assert len(units) == 3
        for unit in units:
            manager.go("/", "home")
            manager.click(unit, "unit")
            for _ in range(180):  # the demo's reports are made by the job worker after start
                if manager.page.locator("table a").count():
                    break
                manager.page.wait_for_timeout(1000)
                manager.page.reload()
            with manager.page.expect_navigation():   # the run's page, loaded before axe-core is put in it
                manager.page.locator("table a").first.click()
            manager.look("run")
            manager.click("Publicera för enheten", "meeting")
        manager.go("/", "home")
        manager.click(units[0], "unit")
        manager.click("Jämförelse", "unit-comparison")
        assert "Det finns ännu ingen period" in manager.page.content(), "one dataset per unit in the demo"

        admin = Person(browser, base, "admin", shots, problems)
        admin.sign_in("admin", passwords["admin"], two_factor=True)
        admin.click("Jämförelse", "comparison")
        for _ in range(240):  # built by the job worker after the publications; the page reloads itself meanwhile
            if admin.page.locator("#open-comparison").count():
                break
            admin.page.wait_for_timeout(1000)
        admin.look("comparison-built")
        assert admin.page.locator("table tbody tr").count() == 3
        admin.click("Öppna jämförelsen", "comparison-report")
        report = admin.page.content()
        assert all(report.count(unit) >= 2 for unit in units), "each dataset titled with its unit"

        staff = Person(browser, base, "staff", shots, problems, javascript=False)
        staff.sign_in("medarbetare", passwords["medarbetare"], two_factor=False)
        staff.click(units[0], "unit")
        staff.click("Jämförelse", "unit-comparison")
    assert not problems, "\n\n".join(problems)
