"""The respondent's answer in Chromium: a refused file keeps the text, a good one reaches the
agent, and the reporter is told by the bell. The reporter stays unknown to the respondent."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from ombuds.cases.models import Case, PartyStatement
from tests.cases.filings import (
    FILINGS_BY_KEY,
    RITA_EMAIL,
    RITA_IDENTITY,
    RITA_NAME,
    file_through_form,
    make_people,
)
from tests.evidence import corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = "We never ask buyers to pay outside the marketplace; the text was an old template."


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(browser: Browser, live_server, user) -> Page:
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context.new_page()


def unread(page: Page) -> str:
    return page.locator("a.bell").get_attribute("aria-label")


def test_the_respondent_answers_with_a_file_and_the_reporter_is_told(live_server, browser):
    people = make_people()
    reporter = Client()
    reporter.force_login(people.rita)
    signed = f"{FILINGS_BY_KEY['listing_rules'].data['description']} {RITA_NAME}, {RITA_EMAIL}."
    response = file_through_form(reporter, FILINGS_BY_KEY["listing_rules"], description=signed)
    assert response.status_code == 302
    case = Case.objects.get()
    complaint = case.complaints.get()
    agent_client = Client()
    agent_client.force_login(people.agents["listing_compliance"])
    agent_client.post("/console/queue/listing_compliance/claim/")

    rita = signed_in(browser, live_server, people.rita)
    rita.goto(f"{live_server.url}/complaints/{complaint.reference}/")
    before = unread(rita)

    bob = signed_in(browser, live_server, people.bob)
    bob.goto(f"{live_server.url}/my-reports/?box=received")
    bob.get_by_role("link", name=case.reference).click()
    form = bob.locator("#form-answer")
    form.get_by_label("Your explanation").fill(ANSWER)
    form.get_by_label("Evidence").set_input_files(
        [{"name": "tool.exe", "mimeType": "application/octet-stream", "buffer": corpus.pe()}]
    )
    form.get_by_role("button", name="Send my answer").click()
    expect(form.locator("#answer-error")).to_contain_text("tool.exe")
    expect(form.get_by_label("Your explanation")).to_have_value(ANSWER)
    form.get_by_label("Evidence").set_input_files(
        [{"name": "template-history.pdf", "mimeType": "application/pdf", "buffer": corpus.pdf()}]
    )
    form.get_by_role("button", name="Send my answer").click()
    expect(bob.get_by_role("status")).to_contain_text("Your answer was sent.")
    expect(bob.locator("#answer .statement")).to_contain_text(ANSWER)
    expect(bob.locator("#answer .statement")).to_contain_text("template-history.pdf")
    statement = PartyStatement.objects.get(case=case)
    assert statement.party == "respondent" and statement.evidence.count() == 1

    # The agent reads the answer and its file on the case page.
    agent = signed_in(browser, live_server, people.agents["listing_compliance"])
    agent.goto(f"{live_server.url}/console/cases/{case.reference}/")
    answer = agent.locator(".statement-respondent")
    expect(answer).to_contain_text(ANSWER)
    expect(answer.get_by_role("link", name="template-history.pdf")).to_be_visible()
    expect(agent.locator("ol.history")).to_contain_text("The respondent answered")

    # The reporter is told: one more unread notification, and the timeline says so.
    rita.reload()
    assert unread(rita) != before
    count = int(rita.locator("a.bell .badge").inner_text())
    assert f"{count} unread" in unread(rita) and count >= 2
    expect(rita.locator("ol.timeline")).to_contain_text("The other party answered.")
    expect(rita.locator("body")).not_to_contain_text(ANSWER)

    # Decided after the answer: the respondent's pages never name the reporter.
    decide = agent.locator("#form-decide")
    decide.get_by_label("Rejected").check()
    decide.get_by_label("Facts relied on").fill("The listing text was changed before the report.")
    decide.get_by_label("Policy ground").fill("Listing rules: payment methods.")
    decide.get_by_role("button", name="Decide").click()
    expect(agent.get_by_role("heading", name="Decision: Rejected")).to_be_visible()
    for path in (f"/complaints/{case.reference}/", "/my-reports/?box=received", "/notifications/"):
        bob.goto(live_server.url + path)
        text = bob.locator("body").inner_text().lower()
        for secret in RITA_IDENTITY:
            assert secret.lower() not in text, (secret, path)
    bob.goto(f"{live_server.url}/complaints/{case.reference}/")
    expect(bob.locator("#decision")).to_contain_text("The listing text was changed")
