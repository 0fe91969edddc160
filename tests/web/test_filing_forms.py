"""Filing every type of the default policy through its form, as a user would (test client)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import dateformat, timezone
from django.utils.html import escape

from ombuds.cases.models import Case, Complaint
from ombuds.notify.outbox import deliver_outbox
from ombuds.policy.loader import get_policy
from tests.cases.filings import (
    FILINGS,
    FILINGS_BY_KEY,
    LISTING_URL,
    file_through_form,
    make_people,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people():
    return make_people()


def _reference(response) -> str:
    assert response.status_code == 302, re.findall(r'data-code="[^"]+">[^<]*', response.text)
    match = re.fullmatch(r"/complaints/(CMP-[A-Z0-9]{8})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def _plain(html: str) -> str:
    """The text of a page, roughly as a reader sees it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_type_of_the_policy_has_a_complete_filing_here():
    assert {f.type_key for f in FILINGS} == set(get_policy().types)
    offline = {(f.filer, f.data["scam_type"]) for f in FILINGS if f.type_key.startswith("offline")}
    assert offline == {("alice", "products_not_received"), ("bob", "payment_not_received")}


@pytest.mark.parametrize("filing", FILINGS, ids=lambda f: f.key)
def test_complete_filing_through_the_form(client, people, mailbox, filing):
    policy = get_policy()
    complaint_type = policy.types[filing.type_key]
    department = policy.departments[complaint_type.department]
    filer = people.get(filing.filer)
    client.force_login(filer)
    form = client.get(f"/report/{filing.type_key}/")
    assert form.status_code == 200
    assert f"<h1>{escape(complaint_type.label)}</h1>" in form.text

    before = timezone.now()
    reference = _reference(file_through_form(client, filing))

    complaint = Complaint.objects.select_related("case__department").get(reference=reference)
    case = complaint.case
    assert case is not None and case.department.code == complaint_type.department
    limit = complaint_type.time_limit
    assert limit.unit == "days" and limit.calendar == "calendar"
    answer = complaint_type.respondent_answer
    # The clock starts when the case can be decided: at once for urgent types, else once the
    # respondent's time to answer has passed.
    waits_for_answer = answer.allowed and not complaint_type.urgent
    starts = before + timedelta(days=answer.days if waits_for_answer else 0)
    expected_due = starts + timedelta(days=limit.amount)
    assert abs((case.due_at - expected_due).total_seconds()) < 60
    assert sorted(e.safe_name for e in complaint.evidence.all()) == sorted(
        name for name, _ in filing.evidence
    )

    page = client.get(f"/complaints/{reference}/")
    assert page.status_code == 200
    text = _plain(page.text)
    assert f'<span class="reference">{reference}</span>' in page.text
    assert "Submitted — under consideration" in text
    due = dateformat.format(timezone.localtime(case.due_at), "j F Y, H:i")
    assert f"The {department.name} team reviews it, usually by {due}" in text
    for name, _ in filing.evidence:
        assert name in text
    kind, label = complaint_type.kind, escape(complaint_type.label.lower())
    assert f"You filed this {kind}: {label}." in page.text
    for form_field in complaint_type.fields:
        if form_field.kind == "choice" and form_field.name in filing.data:
            chosen = next(c for c in form_field.choices if c.value == filing.data[form_field.name])
            assert escape(chosen.label) in page.text

    sent = client.get("/my-reports/?box=sent")
    assert reference in sent.text and "Submitted — under consideration" in sent.text

    assert deliver_outbox() >= 1
    receipts = mailbox.to(filer.email)
    assert len(receipts) == 1
    receipt = receipts[0]
    assert reference in receipt["Subject"]
    body = mailbox.body(receipt)
    assert "Status: Submitted — under consideration." in body
    assert f"http://127.0.0.1:8000/complaints/{reference}/" in body
    respondent = people.get(filing.respondent)
    notices = mailbox.to(respondent.email)
    assert len(notices) == 1 and case.reference in notices[0]["Subject"]


def test_members_only_forms_send_visitors_to_log_in(client):
    response = client.get("/report/offline_trade_dispute/?scam_type=products_not_received")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/report/offline_trade_dispute/")


def test_reports_of_two_people_about_one_listing_join_one_case(client, people, mailbox):
    filing = FILINGS_BY_KEY["prohibited_goods"]

    client.force_login(people.rita)
    first = _reference(file_through_form(client, filing))
    client.force_login(people.carol)
    joined = client.post(
        f"/report/{filing.type_key}/",
        {**filing.form(), "description": "This listing sells police handcuffs and stun guns."},
        follow=True,
    )
    second = joined.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[-1]
    assert second != first and second.startswith("CMP-")
    assert "your report joined their case" in joined.text

    case = Case.objects.get()
    assert case.reporter_count == 2
    assert set(case.complaints.values_list("reference", flat=True)) == {first, second}

    # Each reporter sees their own complaint, and only theirs.
    carol_page = client.get(f"/complaints/{second}/")
    assert carol_page.status_code == 200
    assert "Submitted — under consideration" in carol_page.text
    assert "your report joined their case, which is under consideration" in carol_page.text
    assert "This listing sells police handcuffs and stun guns." in carol_page.text
    assert client.get(f"/complaints/{first}/").status_code == 404
    client.force_login(people.rita)
    rita_page = client.get(f"/complaints/{first}/")
    assert rita_page.status_code == 200
    assert "Another report about the same thing joined this case." in rita_page.text
    assert "handcuffs and stun guns as an accessory bundle" in rita_page.text
    assert "This listing sells police handcuffs and stun guns." not in rita_page.text
    assert client.get(f"/complaints/{second}/").status_code == 404
    assert first in client.get("/my-reports/").text

    # The same reporter again about the same listing: pointed to the open complaint.
    again = client.post(
        f"/report/{filing.type_key}/",
        {**filing.form(), "description": "The same listing now also sells batons and knives."},
    )
    assert again.status_code == 400
    error = re.search(r'<ul class="errorlist" id="id_target-error">(.*?)</ul>', again.text)
    assert error and 'data-code="duplicate_complaint"' in error.group(1)
    assert f'href="/complaints/{first}/"' in error.group(1)
    assert escape(LISTING_URL) in again.text
    assert "The same listing now also sells batons and knives." in again.text
    assert Complaint.objects.count() == 2
    assert Case.objects.get().reporter_count == 2

    deliver_outbox()
    assert len(mailbox.to(people.rita.email)) == 1
    assert len(mailbox.to(people.carol.email)) == 1
    # The reported seller is told once, for the case, not once per reporter.
    assert len(mailbox.to(people.bob.email)) == 1


def test_my_reports_filters_by_box_status_and_type(client, people):
    client.force_login(people.rita)
    copyright_ref = _reference(file_through_form(client, FILINGS_BY_KEY["copyright"]))
    phishing_ref = _reference(file_through_form(client, FILINGS_BY_KEY["phishing"]))

    everything = client.get("/my-reports/?box=sent").text
    assert copyright_ref in everything and phishing_ref in everything
    only_copyright = client.get("/my-reports/?box=sent&type=copyright").text
    assert copyright_ref in only_copyright and phishing_ref not in only_copyright
    open_ones = client.get("/my-reports/?box=sent&status=open").text
    assert copyright_ref in open_ones and phishing_ref in open_ones
    decided = client.get("/my-reports/?box=sent&status=decided").text
    assert copyright_ref not in decided
    assert "You have not sent anything that matches these filters." in _plain(decided)
    assert "Nothing has been filed about you." in _plain(
        client.get("/my-reports/?box=received").text
    )

    client.force_login(people.bob)
    cases = {c.type_key: c.reference for c in Case.objects.all()}
    received = client.get("/my-reports/?box=received&type=phishing").text
    assert cases["phishing"] in received and cases["copyright"] not in received
    assert "You have not sent anything." in _plain(client.get("/my-reports/?box=sent").text)


def test_evidence_downloads_cannot_run_in_the_browser(client, people):
    client.force_login(people.rita)
    reference = _reference(file_through_form(client, FILINGS_BY_KEY["suspicious_behavior"]))
    client.force_login(people.alice)
    offline = _reference(file_through_form(client, FILINGS_BY_KEY["offline_buyer"]))
    (document,) = Complaint.objects.get(reference=reference).evidence.all()
    pdf = Complaint.objects.get(reference=offline).evidence.get(format="pdf")

    client.force_login(people.rita)
    response = client.get(f"/evidence/{document.public_id}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="brand-statement.docx"'
    client.force_login(people.alice)
    shown = client.get(f"/evidence/{pdf.public_id}/")
    assert shown["Content-Disposition"] == 'inline; filename="contract.pdf"'
    assert shown["Content-Type"] == "application/pdf"
    for download in (response, shown):
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert download["Cache-Control"] == "private, no-store"
