"""Filing in Chromium: every refusal at its field, nothing typed or uploaded lost, triage, visitors.

Each test walks one person through several tries of a form, so that one page shows several
refusals at once and the browser suite stays quick.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, Response, expect

from ombuds.cases.models import Case, Complaint
from ombuds.notify.outbox import deliver_outbox
from tests.cases.filings import LISTING_URL
from tests.evidence import corpus
from tests.factories import make_market, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RUSSIAN = (
    "Я оплатил поставщику четыре тысячи долларов банковским переводом, но товар так и не "
    "пришёл. После оплаты поставщик перестал отвечать на мои письма и звонки."
)
CHINESE = (
    "我通过银行转账向供应商支付了四千美元，但是货物一直没有到达。付款以后，供应商就不再回复我的"
    "邮件和电话了。我们签订了书面合同，合同上写明了交货日期。"
)
ENGLISH = (
    "I paid the supplier 4000 USD by bank transfer for two hundred chargers as agreed in our "
    "contract, and the products never arrived. The supplier stopped answering after payment."
)
PASSWORD = "s3cret-pass!"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def market():
    return make_market()


def log_in(page: Page, live_server, user) -> None:
    """Sign `user` in by handing the browser a session made by the test client."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def submit(page: Page) -> Response:
    """Click Submit like a user; the response to the form's POST."""
    with (
        page.expect_navigation(),
        page.expect_response(lambda r: r.request.method == "POST") as posted,
    ):
        page.get_by_role("button", name="Submit").click()
    return posted.value


def field_of(page: Page, control: str):
    field = page.locator("div.field").filter(has=page.locator(f"#{control}"))
    expect(field).to_have_count(1)
    return field


def expect_error(page: Page, control: str, code: str, *texts: str):
    """The error `code` is shown inside the field of `control`, in its `-error` list."""
    error = field_of(page, control).locator(f"#{control}-error li[data-code='{code}']")
    expect(error.first).to_be_visible()
    for text in texts:
        expect(error.filter(has_text=text)).to_have_count(1)
    # Nowhere else on the page: not only in a summary far from the field.
    expect(page.locator(f"li[data-code='{code}']")).to_have_count(error.count())
    expect(field_of(page, control)).to_have_class(re.compile(r"\binvalid\b"))
    return error


def expect_no_error(page: Page, code: str) -> None:
    expect(page.locator(f"[data-code='{code}']")).to_have_count(0)


def accepted_files(page: Page) -> list[str]:
    items = page.get_by_role("list", name="Files already accepted").get_by_role("listitem")
    return [items.nth(i).inner_text() for i in range(items.count())]


def choose(page: Page, label: str) -> None:
    page.get_by_label(label, exact=True).check()


def test_offline_dispute_refusals_at_their_fields_keep_everything(live_server, page, market):
    alice = make_user("alice", member=market.buyer)
    log_in(page, live_server, alice)
    page.goto(live_server.url + "/report/offline_trade_dispute/")
    upload = page.locator("#id_evidence")
    warning = page.locator("#evidence-visibility")
    expect(warning).to_contain_text("Everything you upload is shown to both parties.")
    assert warning.bounding_box()["y"] < upload.bounding_box()["y"]
    assert "evidence-visibility" in upload.get_attribute("aria-describedby")

    # 1. A minisite address, a scam type not handled offline, a text in Russian; a good photo.
    paid_on = (timezone.localdate() - timedelta(days=30)).isoformat()
    page.get_by_label("Respondent").fill("https://bobsupplies.market.example")
    choose(page, "Products damaged")
    page.get_by_label("Order, invoice or contract reference").fill("PI-2026-0415")
    choose(page, "Bank transfer (T/T)")
    page.get_by_label("Amount paid or owed").fill("4000 USD")
    page.get_by_label("Date of payment or shipment").fill(paid_on)
    page.get_by_label("What happened", exact=True).fill(RUSSIAN)
    upload.set_input_files(
        [{"name": "bank-receipt.jpg", "mimeType": "image/jpeg", "buffer": corpus.jpg()}]
    )
    response = submit(page)
    assert response.status == 400
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("3 things to fix")
    expect(summary).to_contain_text("and every file already accepted, is kept")
    links = summary.get_by_role("link")
    assert [links.nth(i).inner_text() for i in range(links.count())] == [
        "Respondent",
        "Scam type",
        "What happened",
    ]
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#id_target",
        "#id_scam_type",
        "#id_description",
    ]
    expect_error(page, "id_target", "respondent_minisite_url", "use the product URL instead")
    refusal = expect_error(
        page, "id_scam_type", "not_eligible", "covered only for orders paid online"
    )
    assert refusal.get_by_role("link", name="Open the right form").get_attribute("href") == (
        "/report/order_dispute/"
    )
    expect_error(page, "id_description", "language_not_english", "Russian", "write it in English")
    assert page.locator("#id_description").get_attribute("aria-invalid") == "true"
    assert "id_description-error" in page.locator("#id_description").get_attribute(
        "aria-describedby"
    )
    assert [name.split(" ")[0] for name in accepted_files(page)] == ["bank-receipt.jpg"]
    assert "accepted" in accepted_files(page)[0]
    expect(page.get_by_label("Respondent")).to_have_value("https://bobsupplies.market.example")
    expect(page.get_by_label("Products damaged", exact=True)).to_be_checked()
    expect(page.get_by_label("Order, invoice or contract reference")).to_have_value("PI-2026-0415")
    expect(page.get_by_label("Bank transfer (T/T)", exact=True)).to_be_checked()
    expect(page.get_by_label("Amount paid or owed")).to_have_value("4000 USD")
    expect(page.get_by_label("Date of payment or shipment")).to_have_value(paid_on)
    expect(page.get_by_label("What happened", exact=True)).to_have_value(RUSSIAN)
    page.screenshot(path="/tmp/ombuds-refused.png", full_page=True)

    # 2. Files that cannot be accepted, all at once: each is named at the evidence field.
    upload.set_input_files(
        [
            {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": corpus.pe()},
            {
                "name": "scan.pdf",
                "mimeType": "application/pdf",
                "buffer": corpus.pdf_with_random_payload(2_300_000),
            },
            {"name": "photos.zip", "mimeType": "application/zip", "buffer": corpus.overlap_bomb()},
            {
                "name": "documents.zip",
                "mimeType": "application/zip",
                "buffer": corpus.zip_of({"../../etc/cron.d/contract.pdf": corpus.pdf()}),
            },
            {"name": "secret.zip", "mimeType": "application/zip", "buffer": corpus.encrypted_zip()},
        ]
    )
    assert submit(page).status == 400
    expect_error(page, "id_evidence", "evidence_format", "invoice.pdf")
    expect_error(page, "id_evidence", "evidence_too_large", "scan.pdf", "2 MB")
    expect_error(page, "id_evidence", "evidence_archive_unsafe", "photos.zip", "documents.zip")
    expect_error(page, "id_evidence", "evidence_archive_encrypted", "secret.zip", "password")
    # The other problems are still named: nothing was fixed there.
    expect_error(page, "id_target", "respondent_minisite_url")
    expect_error(page, "id_description", "language_not_english", "Russian")
    assert [name.split(" ")[0] for name in accepted_files(page)] == ["bank-receipt.jpg"]
    expect(page.get_by_label("Respondent")).to_have_value("https://bobsupplies.market.example")
    expect(page.get_by_label("What happened", exact=True)).to_have_value(RUSSIAN)
    expect(page.get_by_label("Amount paid or owed")).to_have_value("4000 USD")

    # 3. An address nobody has, a text in Chinese, a second photo (two .jpg files).
    page.get_by_label("Respondent").fill("nobody@nowhere.example")
    choose(page, "Products not received after payment")
    page.get_by_label("What happened", exact=True).fill(CHINESE)
    upload.set_input_files(
        [{"name": "parcel.jpg", "mimeType": "image/jpeg", "buffer": corpus.jpg(seed=7)}]
    )
    assert submit(page).status == 400
    expect_error(page, "id_target", "respondent_not_found", "nobody@nowhere.example")
    expect_error(page, "id_description", "language_not_english", "Chinese", "write it in English")
    expect_error(page, "id_evidence", "evidence_zip_required", "bank-receipt.jpg", "parcel.jpg")
    expect_no_error(page, "not_eligible")
    expect_no_error(page, "evidence_format")
    assert [name.split(" ")[0] for name in accepted_files(page)] == [
        "bank-receipt.jpg",
        "parcel.jpg",
    ]
    expect(page.get_by_label("Products not received after payment", exact=True)).to_be_checked()

    # 4. Her own email address; the second photo removed, the text in English.
    page.get_by_label("Respondent").fill("buyeralice@example.com")
    page.get_by_label("What happened", exact=True).fill(ENGLISH)
    page.get_by_role("listitem").filter(has_text="parcel.jpg").get_by_label("remove").check()
    assert submit(page).status == 400
    expect_error(page, "id_target", "respondent_is_self", "against yourself")
    expect(page.get_by_role("alert")).to_contain_text("1 thing to fix")
    assert [name.split(" ")[0] for name in accepted_files(page)] == ["bank-receipt.jpg"]

    # 5. The supplier's email: filed, with the photo accepted on the first try.
    page.get_by_label("Respondent").fill("supbob@example.com")
    response = submit(page)
    assert response.status == 302
    expect(page.locator("#status")).to_have_text("Submitted — under consideration")
    reference = page.locator(".reference").inner_text()
    complaint = Complaint.objects.get(reference=reference)
    assert [e.safe_name for e in complaint.evidence.all()] == ["bank-receipt.jpg"]
    assert complaint.answers["description"] == ENGLISH
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.locator("main")).to_contain_text("The Disputes team reviews it, usually by")
    expect(page.locator("main")).to_contain_text("Products not received after payment")
    photo = page.get_by_role("link", name="bank-receipt.jpg")
    download = page.request.get(live_server.url + photo.get_attribute("href"))
    assert download.status == 200 and download.body() == complaint.evidence.get().file.read()
    page.screenshot(path="/tmp/ombuds-complaint.png", full_page=True)

    # 6. The same complaint again: pointed to the first one.
    page.goto(live_server.url + "/report/offline_trade_dispute/")
    page.get_by_label("Respondent").fill("supbob@example.com")
    choose(page, "Products not received after payment")
    choose(page, "Bank transfer (T/T)")
    page.get_by_label("Amount paid or owed").fill("4000 USD")
    page.get_by_label("Date of payment or shipment").fill(paid_on)
    page.get_by_label("What happened", exact=True).fill(ENGLISH + " I am still waiting.")
    assert submit(page).status == 400
    duplicate = expect_error(page, "id_target", "duplicate_complaint", reference)
    expect(page.get_by_label("What happened", exact=True)).to_have_value(
        ENGLISH + " I am still waiting."
    )
    duplicate.get_by_role("link", name=f"See {reference}").click()
    page.wait_for_url(f"**/complaints/{reference}/")
    expect(page.locator("#status")).to_have_text("Submitted — under consideration")
    assert Complaint.objects.count() == 1


def test_supplier_cannot_claim_products_not_received_and_is_slowed_down(
    live_server, page, market, settings
):
    settings.OMBUDS_FILING_RATE_PER_USER = "2/hour"
    make_user("bob", member=market.supplier)
    page.goto(live_server.url + "/accounts/login/?next=/report/offline_trade_dispute/")
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/report/offline_trade_dispute/")

    page.get_by_label("Respondent").fill("buyeralice")
    choose(page, "Products not received after payment")
    choose(page, "Money transfer service")
    page.get_by_label("Amount paid or owed").fill("1250 USD")
    page.get_by_label("Date of payment or shipment").fill(
        (timezone.localdate() - timedelta(days=9)).isoformat()
    )
    page.get_by_label("What happened", exact=True).fill(ENGLISH)
    assert submit(page).status == 400
    expect_error(page, "id_scam_type", "not_eligible", "Only a buyer can complain")

    choose(page, "Payment not received after shipping")
    page.get_by_label("What happened", exact=True).fill("Too short.")
    assert submit(page).status == 400
    expect_error(page, "id_description", "too_short", "at least 50 characters")

    page.get_by_label("What happened", exact=True).fill(ENGLISH.replace("I paid", "I shipped"))
    response = submit(page)
    assert response.status == 429
    wait = int(response.headers["retry-after"])
    assert 0 < wait <= 3600
    summary = page.get_by_role("alert")
    expect(summary.locator("li[data-code='rate_limited']")).to_have_text(
        re.compile(r"^You have filed many complaints in a short time\. Please wait \d+ minutes? ")
    )
    expect(page.locator("li[data-code]")).to_have_count(1)
    expect(page.get_by_label("Respondent")).to_have_value("buyeralice")
    expect(page.get_by_label("Payment not received after shipping", exact=True)).to_be_checked()
    expect(page.get_by_label("What happened", exact=True)).to_have_value(
        ENGLISH.replace("I paid", "I shipped")
    )
    assert not Complaint.objects.exists()


def test_order_dispute_on_an_offline_order_and_rights_holder_form_refused(
    live_server, page, market
):
    alice = make_user("alice", member=market.buyer)
    log_in(page, live_server, alice)

    page.goto(live_server.url + "/report/order_dispute/")
    page.get_by_label("Order number", exact=True).fill("OF-1")
    choose(page, "Not delivered")
    choose(page, "Full refund")
    page.get_by_label("Describe the problem").fill(
        "I paid for two hundred chargers and nothing has arrived after a month."
    )
    assert submit(page).status == 400
    refusal = expect_error(
        page, "id_order_number", "not_eligible", "Order OF-1 was paid outside the marketplace"
    )
    refusal.get_by_role("link", name="Open the right form").click()
    page.wait_for_url("**/report/offline_trade_dispute/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Offline trade dispute")

    # Told on opening the form, before typing anything.
    opened = page.goto(live_server.url + "/report/ip_rights_holder/")
    assert opened.status == 200
    expect(page.get_by_role("alert").get_by_role("heading")).to_have_text(
        "You cannot file this form"
    )
    told = page.get_by_role("alert").locator("li[data-code='not_eligible']")
    expect(told).to_contain_text("Only verified rights holders can file")
    expect(page.locator(".field.invalid")).to_have_count(0)
    page.get_by_label("Listing URLs").fill(LISTING_URL)
    choose(page, "Trademark")
    choose(page, "Trademark registration")
    page.get_by_label("Registration number").fill("EUTM 018000001")
    page.get_by_label("Why the listings infringe").fill(
        "The listing shows our registered word mark without any authorization."
    )
    page.locator("#id_evidence").set_input_files(
        [{"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": corpus.pdf()}]
    )
    page.get_by_label("I accept the user agreement").check()
    assert submit(page).status == 400
    refusal = page.get_by_role("alert").locator("li[data-code='not_eligible']")
    expect(refusal).to_contain_text("Only verified rights holders can file")
    expect(refusal).to_contain_text("proof of your rights")
    expect(page.get_by_label("Listing URLs")).to_have_value(LISTING_URL)
    expect(page.get_by_label("Registration number")).to_have_value("EUTM 018000001")
    assert [name.split(" ")[0] for name in accepted_files(page)] == ["certificate.pdf"]
    assert not Complaint.objects.exists()


def test_triage_refuses_offline_quality_problems_and_presets_the_scam_type(
    live_server, page, market
):
    make_user("alice", member=market.buyer)
    page.goto(live_server.url + "/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What happened?")
    page.get_by_role("link", name=re.compile("^I bought something")).click()
    page.get_by_role("link", name=re.compile("^Outside the marketplace")).click()
    page.get_by_role(
        "link", name=re.compile("^The products arrived, but are not as agreed")
    ).click()
    refusal = page.locator("#refusal")
    expect(refusal).to_contain_text("We cannot handle this as a complaint")
    expect(refusal).to_contain_text("covered only for orders paid online with buyer protection")
    route = refusal.get_by_role("link", name="Open an order dispute instead")
    assert route.get_attribute("href") == "/report/order_dispute/"

    page.get_by_role("link", name="I paid, and the products never arrived").click()
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/report/offline_trade_dispute/?scam_type=products_not_received")
    expect(page.get_by_role("heading", level=1)).to_have_text("Offline trade dispute")
    expect(page.get_by_label("Products not received after payment", exact=True)).to_be_checked()
    expect(page.get_by_label("Payment not received after shipping", exact=True)).not_to_be_checked()
    expect(page.locator("#evidence-visibility")).to_contain_text(
        "Everything you upload is shown to both parties."
    )


def test_visitor_reports_prohibited_goods_and_confirms_by_email(
    live_server, page, market, mailbox, settings
):
    settings.OMBUDS_BASE_URL = live_server.url
    page.goto(live_server.url + "/report/prohibited_goods/")
    page.get_by_label("Your email address").fill("Vera.Visitor@example.org")
    page.get_by_label("Listing or store").fill(LISTING_URL)
    choose(page, "Police equipment")
    page.get_by_label("Why the goods are prohibited").fill(
        "This listing sells police handcuffs and stun guns together with the chargers."
    )
    page.locator("#id_evidence").set_input_files(
        [{"name": "listing.jpg", "mimeType": "image/jpeg", "buffer": corpus.jpg()}]
    )
    assert submit(page).status == 400
    expect_error(page, "id_agreement", "agreement_required", "Accept the user agreement")
    expect(page.get_by_label("Your email address")).to_have_value("Vera.Visitor@example.org")
    expect(page.get_by_label("Listing or store")).to_have_value(LISTING_URL)
    expect(page.get_by_label("Police equipment", exact=True)).to_be_checked()
    assert [name.split(" ")[0] for name in accepted_files(page)] == ["listing.jpg"]

    page.get_by_label("I accept the user agreement").check()
    assert submit(page).status == 302
    expect(page.locator("#status")).to_have_text("Waiting for your email confirmation")
    expect(page.locator("main")).to_contain_text("We sent you an email: open its link")
    expect(page.locator(".status-block")).to_contain_text(re.compile(r"About\s*USB-C charger 65W"))
    reference = page.locator(".reference").inner_text()
    expect(page.get_by_role("link", name="listing.jpg")).to_be_visible()
    assert not Case.objects.exists()

    assert deliver_outbox() == 1
    (confirmation,) = mailbox.to("vera.visitor@example.org")
    assert reference in confirmation["Subject"]
    link = re.search(r"(http://\S+/reports/confirm/\S+/)", mailbox.body(confirmation)).group(1)
    assert link.startswith(live_server.url)

    page.goto(link)
    assert not Case.objects.exists()  # opening the link alone confirms nothing
    page.get_by_role("button", name="Confirm and send my report").click()
    page.wait_for_url(f"**/complaints/{reference}/?k=*")
    expect(page.get_by_role("status")).to_contain_text("your email address is confirmed")
    expect(page.locator("#status")).to_have_text("Submitted — under consideration")
    expect(page.locator("main")).to_contain_text("The Listing compliance team reviews it")
    expect(page.locator(".status-block")).to_contain_text(re.compile(r"About\s*USB-C charger 65W"))
    case = Case.objects.get()
    assert case.complaints.get().reference == reference
    assert deliver_outbox() == 2  # the receipt to the visitor, the notice to the seller
    receipt = [m for m in mailbox.to("vera.visitor@example.org") if "received" in m["Subject"]]
    assert len(receipt) == 1 and reference in receipt[0]["Subject"]
