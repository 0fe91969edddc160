"""Time limits: calendar and business time, the stopped clock, appeals, and the sweep that
warns, reminds and marks breaches once however many workers run it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from ombuds.accounts.models import Department
from ombuds.cases.actions.appeals import open_appeal
from ombuds.cases.actions.claiming import claim_next_case
from ombuds.cases.actions.decisions import Decision, decide_case
from ombuds.cases.actions.questions import request_information
from ombuds.cases.actions.sweeps import sweep_deadlines
from ombuds.cases.deadlines import clock_time_between, due_time, resumed_due_time
from ombuds.cases.models import Case, CaseEvent, CaseStatus
from ombuds.cases.read.lists import time_left
from ombuds.directory.models import Listing
from ombuds.notify.models import Notification, OutboxEmail
from ombuds.notify.outbox import deliver_outbox
from ombuds.policy.loader import get_policy
from ombuds.policy.schema import TimeLimit
from tests.cases.test_workflow import STATEMENT, agent, file_report
from tests.factories import make_market, make_user

UTC = ZoneInfo("UTC")
BUSINESS = TimeLimit(amount=2, unit="days", calendar="business")
CALENDAR = TimeLimit(amount=2, unit="days", calendar="calendar")


def at(text: str, zone: ZoneInfo = UTC) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


# --- the clock ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "limit", "due"),
    [
        ("2026-12-01 10:00", CALENDAR, "2026-12-03 10:00"),  # a Tuesday
        ("2026-12-04 10:00", CALENDAR, "2026-12-06 10:00"),  # Friday: weekends count
        ("2026-12-01 10:00", BUSINESS, "2026-12-03 10:00"),
        ("2026-12-04 10:00", BUSINESS, "2026-12-08 10:00"),  # Friday -> Tuesday
        ("2026-12-05 10:00", BUSINESS, "2026-12-09 00:00"),  # Saturday: from Monday 00:00
        (
            "2026-12-04 20:00",
            TimeLimit(amount=6, unit="hours", calendar="business"),
            "2026-12-07 02:00",
        ),
    ],
)
def test_due_time_on_calendar_and_business_time(settings, start, limit, due):
    settings.TIME_ZONE = "UTC"
    assert due_time(at(start), limit) == at(due)


def test_business_days_follow_the_marketplaces_time_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    shanghai = ZoneInfo("Asia/Shanghai")
    # Friday 23:00 in UTC is already Saturday 07:00 in Shanghai: the clock waits for Monday.
    assert due_time(at("2026-12-04 23:00"), BUSINESS) == at("2026-12-09 00:00", shanghai)


def test_a_stopped_clock_keeps_what_was_left(settings):
    settings.TIME_ZONE = "UTC"
    paused, resumed = at("2026-12-04 10:00"), at("2026-12-07 10:00")  # Friday, Monday
    due = due_time(paused, BUSINESS)  # Tuesday 10:00, two business days left
    assert clock_time_between(paused, due, BUSINESS) == timedelta(days=2)
    assert resumed_due_time(due, paused, resumed, BUSINESS) == at("2026-12-09 10:00")
    calendar_due = due_time(paused, CALENDAR)
    assert resumed_due_time(calendar_due, paused, resumed, CALENDAR) == at("2026-12-09 10:00")


# --- the case's clock --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.edits_case_rows
def test_time_left_stops_while_a_party_is_asked_and_shows_it(client: Client):
    market = make_market()
    reporter = make_user("rhea")
    ada = agent("ada", "listing_compliance")
    case = file_report(reporter, market.listing).case
    claim_next_case(agent=ada, department=Department.objects.get(code="listing_compliance"))
    request_information(agent=ada, case=case, party="complainant", question="Which photo?")
    # Asked five days ago with two days left then: its due time has passed, its time has not.
    paused = timezone.now() - timedelta(days=5)
    Case.objects.filter(pk=case.pk).update(paused_at=paused, due_at=paused + timedelta(hours=49))
    case.refresh_from_db()
    assert time_left(case) == "2 days, clock stopped"
    client.force_login(reporter)
    reports = client.get("/my-reports/").text
    assert ", clock stopped" in reports and "Overdue" not in reports
    page = client.get(f"/complaints/{case.complaints.get().reference}/").text
    assert "its clock is stopped" in page and "Overdue" not in page
    assert sweep_deadlines()["breached"] == 0  # a stopped clock never breaches


@pytest.mark.django_db
@pytest.mark.edits_case_rows
def test_an_appeal_gets_its_own_time_limit_and_breaches_when_it_passes(settings):
    market = make_market()
    seller = make_user("bobseller", member=market.supplier)
    ada = agent("ada", "listing_compliance")
    ben = agent("ben", "listing_compliance")
    department = Department.objects.get(code="listing_compliance")
    case = file_report(make_user("rhea"), market.listing).case
    claim_next_case(agent=ada, department=department)
    decide_case(agent=ada, case=case, decision=Decision("upheld", STATEMENT, []))
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(days=3))
    open_appeal(user=seller, case=case, reason="The bracelet is resin; here is the invoice.")
    case.refresh_from_db()
    limit = get_policy().types[case.type_key].time_limit
    assert abs(case.due_at - due_time(timezone.now(), limit)) < timedelta(minutes=1)
    assert not case.breached and time_left(case) not in ("Overdue", "—")

    later = case.due_at + timedelta(minutes=1)
    assert sweep_deadlines(later)["breached"] == 1
    case.refresh_from_db()
    assert case.breached and case.status == CaseStatus.APPEALED
    assert claim_next_case(agent=ben, department=department).pk == case.pk  # the top


# --- the sweep ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deadlines_near_are_told_by_email_and_bell_and_breaches_to_the_department(mailbox):
    market = make_market()
    reporter = make_user("rhea")
    ada = agent("ada", "listing_compliance")
    agent("ben", "listing_compliance")
    other = agent("oscar", "security")
    department = Department.objects.get(code="listing_compliance")
    worked = file_report(reporter, market.listing).case
    claim_next_case(agent=ada, department=department)
    other_listing = Listing.objects.create(
        product_url="https://market.example/product/other-1.html", title="Other",
        store=market.store,
    )  # fmt: skip
    asked = file_report(reporter, other_listing).case
    claim_next_case(agent=ada, department=department)
    question = request_information(agent=ada, case=asked, party="complainant", question="Which?")
    worked.refresh_from_db()
    OutboxEmail.objects.all().delete()

    near = worked.due_at - timedelta(hours=1)
    counts = sweep_deadlines(near)
    assert counts["warned"] == 1 and counts["reminded"] == 0
    assert Notification.objects.filter(user=ada, kind="deadline_near").count() == 1
    deliver_outbox()
    (warning,) = mailbox.to(ada.email)
    assert f"{worked.reference} is due" in warning["Subject"]

    overdue = worked.due_at + timedelta(minutes=1)
    assert sweep_deadlines(overdue)["breached"] == 1
    breached = Notification.objects.filter(kind="deadline_breached")
    assert set(breached.values_list("user__username", flat=True)) == {"ada", "ben"}
    assert not breached.filter(user=other).exists()
    deliver_outbox()
    assert any("is overdue" in m["Subject"] for m in mailbox.to(ada.email))

    reminder_time = question.deadline - timedelta(hours=2)
    assert sweep_deadlines(reminder_time)["reminded"] == 1
    deliver_outbox()
    (reminder,) = mailbox.to(reporter.email)
    assert "is due" in reminder["Subject"] and "Which?" in mailbox.body(reminder)
    assert Notification.objects.filter(user=reporter, kind="deadline_near").count() == 1

    # Sweeping again (or by a second worker) does nothing twice.
    assert sweep_deadlines(reminder_time) == {
        "expired": 0, "reminded": 0, "warned": 0, "breached": 0
    }  # fmt: skip
    assert CaseEvent.objects.filter(case=worked, kind="deadline_breached").count() == 1
