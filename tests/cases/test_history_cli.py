"""`ombuds history verify` names the first event changed behind the history's back."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ombuds.cases.actions.filing import file_complaint
from ombuds.cases.models import CaseEvent
from ombuds.intake.checks import Filer, Submission
from tests.factories import make_market, make_user

pytestmark = pytest.mark.django_db


def report(user, listing_url):
    submission = Submission(
        type_key="listing_rules",
        target=listing_url,
        answers={
            "violation": "bait_price",
            "description": "The price shown is one cent, the real price appears only at checkout.",
        },
        agreement=True,
    )
    return file_complaint(submission=submission, filer=Filer.for_user(user)).complaint


def test_verify_passes_then_names_the_changed_event():
    market = make_market()
    first = report(make_user("una"), market.listing.product_url)
    report(make_user("vic"), market.listing.product_url)
    case = first.case
    out = io.StringIO()
    call_command("history", "verify", stdout=out)
    assert "History intact: 1 case(s) verified." in out.getvalue()

    CaseEvent.objects.filter(case=case, seq=2).update(
        data={"complaint": "CMP-FORGED", "reporters": 9}
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 case"):
        call_command("history", "verify", stdout=io.StringIO(), stderr=err)
    assert f"{case.reference}: event 2 content was changed after it was written" in err.getvalue()


def test_verify_notices_a_deleted_event():
    market = make_market()
    first = report(make_user("wes"), market.listing.product_url)
    report(make_user("xia"), market.listing.product_url)
    CaseEvent.objects.filter(case=first.case, seq=2).delete()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("history", "verify", stdout=io.StringIO(), stderr=err)
    assert (
        f"{first.case.reference}: event 2 is missing: the history was cut short" in err.getvalue()
    )
