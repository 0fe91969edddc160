"""`ombuds history verify` names the first event changed behind the history's back, and the
first field of a case's row that is not the replay of its events."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ombuds.accounts.models import Department
from ombuds.cases.actions.claiming import claim_case
from ombuds.cases.actions.filing import file_complaint
from ombuds.cases.models import Case, CaseEvent
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


@pytest.mark.edits_case_rows
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


@pytest.mark.edits_case_rows
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


@pytest.mark.edits_case_rows
@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("status", "closed", "status is 'closed' in the case but 'in_review'"),
        ("reporter_count", 7, "reporter_count is 7 in the case but 2"),
        ("breached", True, "breached is True in the case but False"),
    ],
)
def test_verify_names_a_case_whose_row_was_changed_behind_its_history(column, value, shown):
    """The chain is intact, but the row no longer equals the replay of its events."""
    market = make_market()
    agent = make_user("yan")
    agent.departments.set(Department.objects.filter(code="listing_compliance"))
    first = report(make_user("wes"), market.listing.product_url)
    report(make_user("xia"), market.listing.product_url)
    claim_case(agent=type(agent).objects.get(pk=agent.pk), case=first.case)
    call_command("history", "verify", stdout=io.StringIO())
    Case.objects.filter(pk=first.case_id).update(**{column: value})
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 case"):
        call_command("history", "verify", stdout=io.StringIO(), stderr=err)
    assert f"{first.case.reference}: {shown} in the replay of its 3 events" in err.getvalue()
