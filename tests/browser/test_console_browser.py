"""The agent console in Chromium: claim, ask, the complainant answers, decide, appeal, reverse.

Four people in four browser contexts: the agent who decides, the reporter, the reported seller
and a second agent who decides the appeal. Nothing of the reporter reaches the seller's pages.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from ombuds.accounts.models import Department, User
from ombuds.cases.models import Case, CaseStatus
from tests.cases.filings import (
    FILINGS_BY_KEY,
    RITA_EMAIL,
    RITA_IDENTITY,
    RITA_MEMBER_ID,
    RITA_NAME,
    file_through_form,
    make_people,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "s3cret-pass!"
SIGNED = (
    "Besides the chargers, this listing also sells police handcuffs and stun guns as an "
    f"accessory bundle. Reported by {RITA_NAME} ({RITA_EMAIL}, member ID {RITA_MEMBER_ID})."
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(browser: Browser, live_server, user: User) -> Page:
    """A new browser context with `user` signed in (a session made by the test client)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context.new_page()


def log_in_with_the_form(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/?next=/console/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/console/")


def assert_reporter_unknown(page: Page, where: str) -> None:
    text = page.locator("body").inner_text().lower()
    for secret in RITA_IDENTITY:
        assert secret.lower() not in text, f"{secret!r} reaches the reported party on {where}"


def test_claim_ask_answer_decide_appeal_and_reverse(live_server, browser, page):
    people = make_people()
    second = User.objects.create_user("agent-appeals", "appeals@example.com", PASSWORD)
    second.departments.add(Department.objects.get(code="listing_compliance"))
    reporter = Client()
    reporter.force_login(people.rita)
    filing = FILINGS_BY_KEY["prohibited_goods"]
    assert file_through_form(reporter, filing, description=SIGNED).status_code == 302
    case = Case.objects.get()
    complaint = case.complaints.get()

    # The agent logs in, opens the console and claims the next case.
    log_in_with_the_form(page, live_server, "agent-listing_compliance")
    department = page.locator("#dept-listing_compliance")
    expect(department.locator("dd").first).to_have_text("1")
    department.get_by_role("button", name="Claim next").click()
    page.wait_for_url(f"**/console/cases/{case.reference}/")
    expect(page.locator("#assignee")).to_have_text("You")
    expect(page.locator(".filing .reporter")).to_have_text(RITA_NAME)
    expect(page.locator("figure.evidence-item img")).to_have_count(1)

    # It asks the complainant a question.
    ask = page.locator("#form-request_information")
    ask.get_by_label("The complainant").check()
    ask.get_by_label("Question").fill("Which photo shows the stun gun?")
    ask.get_by_label("Days to answer").fill("2")
    ask.get_by_role("button", name="Send the question").click()
    expect(page.locator("#status")).to_have_text("Waiting for information")

    # The complainant answers on the complaint page.
    rita = signed_in(browser, live_server, people.rita)
    rita.goto(f"{live_server.url}/complaints/{complaint.reference}/")
    question = rita.locator("#information")
    expect(question).to_contain_text("Which photo shows the stun gun?")
    question.get_by_label("Your answer").fill("The second photo, at the bottom left.")
    question.get_by_role("button", name="Send my answer").click()
    expect(rita.get_by_role("status")).to_contain_text("Your answer was sent.")
    expect(rita.locator("#form-information")).to_have_count(0)

    # The agent sees the answer and decides: upheld, the listing removed, with reasons.
    page.reload()
    expect(page.locator("#status")).to_have_text("In review")
    expect(page.locator(".statement-complainant")).to_contain_text("The second photo")
    decide = page.locator("#form-decide")
    decide.get_by_label("Upheld").check()
    decide.get_by_label("Listing removed").check()
    decide.get_by_label("What was decided and its scope").fill("The listing named in the report.")
    decide.get_by_label("Facts relied on").fill("The second photo shows a stun gun in the bundle.")
    decide.get_by_label("Policy ground").fill("Prohibited goods policy: police equipment.")
    decide.get_by_role("button", name="Decide").click()
    expect(page.get_by_role("heading", name="Decision: Upheld")).to_be_visible()
    expect(page.locator("#listing-status")).to_have_text("Removed")

    # The respondent reads the decision and its statement of reasons, and appeals.
    bob = signed_in(browser, live_server, people.bob)
    bob.goto(f"{live_server.url}/complaints/{case.reference}/")
    decision = bob.locator("#decision")
    expect(decision.get_by_role("heading", name="Decision: Upheld")).to_be_visible()
    expect(decision).to_contain_text("The second photo shows a stun gun in the bundle.")
    expect(decision).to_contain_text("Prohibited goods policy: police equipment.")
    expect(decision).to_contain_text("No, decided by a person")
    expect(decision).to_contain_text("Listing removed")
    assert_reporter_unknown(bob, "the decided case")
    bob.get_by_label("Why the decision is wrong").fill("The handcuffs and the stun gun are toys.")
    bob.get_by_role("button", name="Send my appeal").click()
    expect(bob.locator("#appeal-status")).to_contain_text("Appeal under consideration")

    # The first decider may not decide the appeal.
    page.reload()
    expect(page.locator("#own-decision")).to_be_visible()

    # Another agent finds the case and reverses the decision.
    other = page.context.browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in_with_the_form(other, live_server, "agent-appeals")
    other.get_by_label("Search cases").fill(case.reference)
    other.get_by_role("button", name="Search").click()
    other.get_by_role("link", name=case.reference).click()
    appeal = other.locator("#form-decide_appeal")
    appeal.get_by_label("Reversed").check()
    appeal.get_by_label("Reasons").fill("The seller's invoice shows toy replicas.")
    appeal.get_by_role("button", name="Decide the appeal").click()
    expect(other.get_by_role("status")).to_contain_text("Appeal decided: the decision is reversed")
    expect(other.locator("#listing-status")).to_have_text("Active")
    case.refresh_from_db()
    people.market.listing.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and people.market.listing.status == "active"

    bob.reload()
    expect(bob.locator("#appeal-status")).to_contain_text("the decision is reversed")
    for path, where in (
        (f"/complaints/{case.reference}/", "the case page"),
        ("/my-reports/?box=received", "My Reports"),
        ("/notifications/", "the notifications"),
    ):
        bob.goto(live_server.url + path)
        assert_reporter_unknown(bob, where)
    rita.reload()
    expect(rita.locator("#decision")).to_contain_text("What was done: Listing removed")
    expect(rita.locator("#appeal-status")).to_contain_text("the decision is reversed")
