"""The bell: filing tells both sides in the product, with an unread count."""

import pytest
from django.urls import reverse

from ombuds.cases.actions.filing import file_complaint
from ombuds.intake.checks import Filer, Submission
from ombuds.notify.models import Notification
from tests.factories import make_market, make_user

pytestmark = pytest.mark.django_db


def test_filing_notifies_both_parties_and_the_bell_counts(client):
    market = make_market()
    reporter = make_user("yara")
    seller = make_user("bobuser", member=market.supplier)
    submission = Submission(
        type_key="copyright",
        target=market.listing.product_url,
        answers={
            "copied_material": "photos",
            "description": "The seller uses the product photos I took for my own shop last year.",
        },
        agreement=True,
    )
    filed = file_complaint(submission=submission, filer=Filer.for_user(reporter))
    (mine,) = Notification.objects.filter(user=reporter)
    assert filed.complaint.reference in mine.title
    (theirs,) = Notification.objects.filter(user=seller)
    assert theirs.title == f"Copyright infringement about you: {filed.complaint.case.reference}"
    assert "yara" not in theirs.title

    client.force_login(seller)
    page = client.get("/").content.decode()
    assert 'aria-label="Notifications, 1 unread"' in page and '<span class="badge">1</span>' in page
    opened = client.post(reverse("notification_open", args=[theirs.pk]))
    assert opened.status_code == 302 and opened["Location"] == theirs.url
    assert client.get(theirs.url).status_code == 200
    assert 'aria-label="Notifications, 0 unread"' in client.get("/").content.decode()


def test_nobody_opens_or_reads_another_users_notifications(client):
    owner = make_user("zoe")
    other = make_user("ann")
    note = Notification.objects.create(user=owner, kind="received", title="Private", url="/")
    client.force_login(other)
    assert "Private" not in client.get(reverse("notifications")).content.decode()
    client.post(reverse("notification_open", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is None
    assert client.get(reverse("notifications")).status_code == 200
    client.logout()
    assert client.get(reverse("notifications")).status_code == 302
