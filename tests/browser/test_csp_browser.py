"""The Content-Security-Policy in Chromium: it breaks no page.

A member and an agent go through the pages with their forms while every console message,
page error and `securitypolicyviolation` event is collected; any CSP violation (or a
Permissions-Policy the browser cannot read) fails the test. Swagger UI must actually render
the operations of the API from our own static files.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect

from ombuds.accounts.models import User
from ombuds.cases.models import Case
from tests.cases.filings import FILINGS_BY_KEY, file_through_form, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium's words for what a policy blocks, and for a header it cannot read.
BLOCKED = re.compile(
    r"Refused to|Content Security Policy|Content-Security-Policy|Permissions-Policy|"
    r"Permissions policy",
    re.I,
)
# Recorded by the page itself, before any of its own scripts run.
VIOLATION_LISTENER = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}` +
    ` at ${e.sourceFile || document.location.href}:${e.lineNumber}`);
});
"""


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Watched:
    """A page whose console messages, page errors and policy violations are kept."""

    def __init__(self, page: Page, who: str) -> None:
        self.page, self.who = page, who
        self.messages: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))
        page.add_init_script(VIOLATION_LISTENER)

    def _console(self, message: ConsoleMessage) -> None:
        self.messages.append(f"{message.type}: {message.text} ({message.location.get('url')})")

    def check(self, where: str) -> None:
        """No CSP violation (nor any page error) so far, on this page or before it."""
        violations = self.page.evaluate("window.__violations || []")
        problems = [m for m in self.messages if BLOCKED.search(m) or m.startswith("page error")]
        assert not violations and not problems, (
            f"{self.who} on {where}: violations {violations}, console {problems}"
        )


def signed_in(browser: Browser, live_server, user: User, who: str) -> Watched:
    """A new browser context with `user` signed in (a session made by the test client)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return Watched(context.new_page(), who)


def test_the_policy_breaks_no_page(live_server, browser):
    people = make_people()
    filer = Client()
    filer.force_login(people.alice)
    # Alice's dispute, with a PDF (previewed in a frame on the console) and a photo.
    assert file_through_form(filer, FILINGS_BY_KEY["offline_buyer"]).status_code == 302
    case = Case.objects.get()
    complaint = case.complaints.get()
    url = live_server.url

    # A visitor: the home page, the catalog, the admin's log-in.
    visitor = Watched(browser.new_context().new_page(), "a visitor")
    visitor.page.goto(url + "/")
    expect(visitor.page.locator("header.site")).to_be_visible()
    # Our stylesheet applies (the header is dark, the skip link off screen).
    header = visitor.page.locator("header.site")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(27, 31, 36)"
    assert visitor.page.locator("a.skip").bounding_box()["x"] < 0
    visitor.check("the home page")
    visitor.page.goto(url + "/types/")
    visitor.page.locator("details summary").first.click()
    visitor.check("the complaint types")
    visitor.page.goto(url + "/admin/login/")
    expect(visitor.page.locator("#login-form")).to_be_visible()
    visitor.check("the admin's log-in")

    # Alice: a filing form, typed into and refused; My Reports; her complaint; the bell.
    alice = signed_in(browser, live_server, people.alice, "the member")
    page = alice.page
    page.goto(url + "/report/offline_trade_dispute/")
    page.get_by_label("What happened").fill("It never came.")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.get_by_label("What happened")).to_have_value("It never came.")
    alice.check("a refused filing form")
    page.goto(url + "/my-reports/")
    expect(page.get_by_role("link", name=complaint.reference)).to_be_visible()
    page.get_by_label("Status").select_option(index=1)
    page.get_by_role("button", name="Filter").click()
    alice.check("My Reports")
    page.goto(url + f"/complaints/{complaint.reference}/")
    expect(page.locator("#status")).to_be_visible()
    alice.check("her complaint's page")
    page.locator("a.bell").click()
    page.wait_for_url("**/notifications/")
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    alice.check("the notifications")

    # The agent: the console, the queue, the case with its PDF preview; claim, then a note.
    agent = signed_in(browser, live_server, people.agents[case.department.code], "the agent")
    page = agent.page
    page.goto(url + "/console/")
    expect(page.get_by_role("heading", name="Console", level=1)).to_be_visible()
    page.goto(url + f"/console/queue/{case.department.code}/")
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    agent.check("the queue")
    pdf = complaint.evidence.get(format="pdf")
    pdf_url = f"{url}/evidence/{pdf.public_id}/"
    loaded: list[str] = []

    def keep_the_pdf(response: Response) -> None:
        if response.url == pdf_url and response.ok:
            loaded.append(response.headers.get("content-type", ""))

    page.on("response", keep_the_pdf)
    page.get_by_role("link", name=case.reference).click()
    page.wait_for_url(f"**/console/cases/{case.reference}/")
    page.wait_for_load_state("load")
    agent.check("a case page with its PDF preview")
    preview = page.locator("iframe.pdf-preview")
    expect(preview).to_be_visible()
    assert preview.bounding_box()["height"] > 50
    assert loaded == ["application/pdf"], "the PDF preview did not load"
    page.locator("#form-claim").get_by_role("button", name="Claim this case").click()
    expect(page.locator("#assignee")).to_have_text("You")
    agent.check("the case after the claim")
    note = page.locator("#form-note")
    note.get_by_label("Note").fill("Checked the contract: the delivery date is 1 May.")
    note.get_by_role("button", name="Add the note").click()
    expect(page.locator(".history")).to_contain_text("Checked the contract")
    agent.check("the case after a note")

    # The API docs: Swagger UI renders the operations from our own files; one opens.
    page.goto(url + "/api/v1/docs")
    operation = page.locator(".opblock").first
    expect(operation).to_be_visible(timeout=15000)
    assert page.locator(".opblock").count() > 5
    operation.locator(".opblock-summary").click()
    expect(operation.locator(".opblock-body")).to_be_visible()
    agent.check("the API docs")
