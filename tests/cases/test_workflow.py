"""A case worked to a decision: claim, question, answer, decision, sanction, appeal, lift."""

import threading

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from ombuds.accounts.models import Department
from ombuds.cases.actions.appeals import decide_appeal, open_appeal
from ombuds.cases.actions.claiming import add_note, claim_next_case
from ombuds.cases.actions.decisions import Decision, SanctionOrder, decide_case
from ombuds.cases.actions.filing import file_complaint
from ombuds.cases.actions.questions import (
    answer_as_respondent,
    answer_information,
    request_information,
)
from ombuds.cases.actions.sweeps import sweep_deadlines
from ombuds.cases.errors import ActionRefused
from ombuds.cases.history import verify_case
from ombuds.cases.models import Case, CaseEvent, CaseStatus
from ombuds.cases.read.dossier import strike_summary
from ombuds.cases.statements import Statement
from ombuds.directory.models import Listing
from ombuds.intake.checks import Filer, Submission
from ombuds.notify.models import WebhookEndpoint
from ombuds.notify.outbox import deliver_outbox
from ombuds.notify.webhooks import deliver_webhooks
from tests.factories import make_market, make_user
from tests.notify.test_webhooks import Receiver

STATEMENT = Statement(
    facts="Screenshots show the listing offers genuine ivory; the seller did not dispute it.",
    ground="Prohibited goods policy: endangered animals and their parts.",
    scope="The listing named in the report.",
)


def agent(username, *codes):
    user = make_user(username)
    user.departments.set(Department.objects.filter(code__in=codes))
    return type(user).objects.get(pk=user.pk)


def file_report(reporter, listing, type_key="prohibited_goods"):
    answers = {
        "category": "endangered_animals",
        "description": "The listing sells carved ivory from elephants, which is banned.",
    }
    if type_key == "listing_rules":
        answers = {
            "violation": "bait_price",
            "description": "The listed price is one cent but the real price appears at checkout.",
        }
    submission = Submission(
        type_key=type_key, target=listing.product_url, answers=answers, agreement=True
    )
    return file_complaint(submission=submission, filer=Filer.for_user(reporter)).complaint


@pytest.fixture
def receiver(settings):
    settings.OMBUDS_WEBHOOKS_ALLOW_PRIVATE = True
    server = Receiver()
    WebhookEndpoint.objects.create(url=server.url)
    yield server
    server.close()


@pytest.mark.django_db
def test_the_whole_path(receiver, mailbox):
    market = make_market()
    reporter = make_user("rhea")
    seller = make_user("bobseller", member=market.supplier)
    first, second = agent("ada", "listing_compliance"), agent("ben", "listing_compliance")
    complaint = file_report(reporter, market.listing)
    department = Department.objects.get(code="listing_compliance")

    case = claim_next_case(agent=first, department=department)
    assert case.pk == complaint.case_id and case.status == CaseStatus.IN_REVIEW
    assert claim_next_case(agent=second, department=department) is None

    due_before = case.due_at
    request_information(
        agent=first,
        case=case,
        party="complainant",
        question="Where did you see the ivory claim?",
        days=2,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING and case.paused_at is not None
    answer_information(
        user=reporter, case=case, text="In the title and the second photo of the listing."
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW and case.due_at > due_before
    add_note(agent=first, case=case, text="Photo 2 confirms it.")
    answer_as_respondent(user=seller, case=case, text="It is resin, not ivory.")

    decide_case(
        agent=first,
        case=case,
        decision=Decision("upheld", STATEMENT, [SanctionOrder("listing_removed")]),
    )
    case.refresh_from_db()
    market.listing.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and market.listing.status == "removed"
    assert set(case.statement) == {
        "decision",
        "scope",
        "facts",
        "automated_means",
        "ground",
        "redress",
    }

    deliver_webhooks()
    events = {}
    for headers, body in receiver.requests:
        payload = Webhook(WebhookEndpoint.objects.get().secret).verify(body, headers)
        events[payload["type"]] = payload
    assert {"complaint.created", "case.decided", "sanction.applied"} <= set(events)
    assert events["sanction.applied"]["data"]["listing"] == market.listing.product_url

    appeal = open_appeal(
        user=seller, case=case, reason="The bracelet is resin; here is the invoice."
    )
    with pytest.raises(ActionRefused) as same_agent:
        decide_appeal(agent=first, appeal=appeal, reverse=True, statement="Resin invoice accepted.")
    assert same_agent.value.status == 403
    decide_appeal(
        agent=second,
        appeal=appeal,
        reverse=True,
        statement="The invoice shows the bracelet is resin.",
    )
    market.listing.refresh_from_db()
    assert market.listing.status == "active"
    deliver_webhooks()
    types = [
        Webhook(WebhookEndpoint.objects.get().secret).verify(b, h)["type"]
        for h, b in receiver.requests
    ]
    assert types.count("sanction.lifted") == 1 and types.count("appeal.decided") == 1

    deliver_outbox()
    seller_mail = " ".join(m.as_string() for m in mailbox.to(market.supplier.email))
    assert "Decision on" in seller_mail and "Appeal on" in seller_mail
    for secret in ("rhea", reporter.email):
        assert secret not in seller_mail
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        "filed",
        "claimed",
        "information_requested",
        "answered",
        "note_added",
        "respondent_answered",
        "ruled",
        "sanction_applied",
        "appeal_opened",
        "appeal_decided",
        "sanction_lifted",
    ]


@pytest.mark.django_db
def test_permissions():
    market = make_market()
    reporter = make_user("ivy")
    member = make_user("memb", member=market.buyer)
    outsider = agent("otto", "disputes")
    insider = agent("inez", "listing_compliance")
    complaint = file_report(reporter, market.listing, "listing_rules")
    case = complaint.case
    department = Department.objects.get(code="listing_compliance")
    for actor in (member, outsider):
        with pytest.raises(ActionRefused) as refused:
            claim_next_case(agent=actor, department=department)
        assert refused.value.status == 403
        with pytest.raises(ActionRefused):
            add_note(agent=actor, case=case, text="x")
    claim_next_case(agent=insider, department=department)
    with pytest.raises(ActionRefused) as early:
        decide_case(agent=insider, case=case, decision=Decision("rejected", STATEMENT))
    assert early.value.code == "respondent_answer_pending"
    with pytest.raises(ActionRefused):
        answer_as_respondent(user=reporter, case=case, text="I am not the seller")


@pytest.mark.django_db
def test_unanswered_question_returns_the_case_to_the_queue_and_breaches_are_marked():
    market = make_market()
    insider = agent("gus", "listing_compliance")
    complaint = file_report(make_user("hal"), market.listing)
    department = Department.objects.get(code="listing_compliance")
    case = claim_next_case(agent=insider, department=department)
    request_information(agent=insider, case=case, party="complainant", question="Link?", days=1)
    later = timezone.now() + timezone.timedelta(days=2)
    counts = sweep_deadlines(now=later)
    case.refresh_from_db()
    assert (
        counts["expired"] == 1 and case.status == CaseStatus.SUBMITTED and case.assigned_to is None
    )
    assert case.events.last().kind == "question_expired"
    counts = sweep_deadlines(now=case.due_at + timezone.timedelta(minutes=1))
    case.refresh_from_db()
    assert counts["breached"] == 1 and case.breached
    assert insider.notifications.filter(kind="deadline_breached").exists()
    assert complaint.case_id == case.pk


@pytest.mark.django_db
def test_repeat_infringer_rule_proposes_and_never_acts():
    market = make_market()
    insider = agent("kim", "listing_compliance")
    department = Department.objects.get(code="listing_compliance")
    for index in range(3):
        listing = Listing.objects.create(
            product_url=f"https://market.example/product/ivory-{index}.html",
            title=f"Ivory {index}",
            store=market.store,
        )
        file_report(make_user(f"rep{index}"), listing)
        case = claim_next_case(agent=insider, department=department)
        decide_case(
            agent=insider,
            case=case,
            decision=Decision("upheld", STATEMENT, [SanctionOrder("warning")]),
        )
    summary = strike_summary(market.supplier)
    assert summary.serious == 3 and "account_disabled" in summary.proposals
    market.supplier.refresh_from_db()
    assert market.supplier.status == "active"


@pytest.mark.django_db(transaction=True)
def test_claim_next_with_8_concurrent_agents_never_gives_a_case_twice():
    market = make_market()
    department = Department.objects.get(code="listing_compliance")
    agents = [agent(f"agent{i}", "listing_compliance") for i in range(8)]
    for index in range(40):
        listing = Listing.objects.create(
            product_url=f"https://market.example/product/item-{index}.html",
            title=f"Item {index}",
            store=market.store,
        )
        file_report(make_user(f"reporter{index}"), listing, "listing_rules")
    claimed: list[int] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def work(me):
        try:
            while True:
                case = claim_next_case(agent=me, department=department)
                if case is None:
                    return
                with lock:
                    claimed.append(case.pk)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=work, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(claimed) == 40 and len(set(claimed)) == 40
    assert Case.objects.filter(assigned_to__isnull=True).count() == 0
    assert connection.vendor in ("postgresql", "sqlite")
    for case in Case.objects.filter(pk__in=claimed):
        (event,) = case.events.filter(kind="claimed")
        assert event.actor_id == case.assigned_to_id and verify_case(case) is None


@pytest.mark.django_db(transaction=True)
def test_claim_next_outside_a_transaction_returns_the_whole_case_and_undoes_a_failed_claim():
    """Claim next as the web and API call it (no transaction around it): an appeal comes back
    with its decision and statement as the ORM would load them, and a claim that fails half
    way leaves the case in the queue with its history untouched."""
    market = make_market()
    department = Department.objects.get(code="listing_compliance")
    first, second = agent("ada", "listing_compliance"), agent("ben", "listing_compliance")
    seller = make_user("bobseller", member=market.supplier)
    file_report(make_user("rhea"), market.listing)
    case = claim_next_case(agent=first, department=department)
    decide_case(agent=first, case=case, decision=Decision("upheld", STATEMENT, []))
    open_appeal(user=seller, case=case, reason="The bracelet is resin; here is the invoice.")
    assert claim_next_case(agent=first, department=department) is None  # not their own appeal

    events_before = case.events.count()
    # The claim's event cannot be written (its place in the history is taken): the claim
    # fails after the case was given to the agent, and all of it is undone.
    case.refresh_from_db()
    squatter = CaseEvent.objects.create(
        case=case, seq=case.event_count + 1, kind="note_added", data={}, created_at=timezone.now(),
        prev_hash=case.last_event_hash, hash="0" * 64,
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        claim_next_case(agent=second, department=department)
    squatter.delete()
    case.refresh_from_db()
    assert case.assigned_to is None and case.status == CaseStatus.APPEALED
    assert case.events.count() == events_before

    claimed = claim_next_case(agent=second, department=department)
    assert claimed.pk == case.pk and claimed.assigned_to == second
    assert claimed.status == CaseStatus.APPEALED and claimed.outcome == "upheld"
    assert claimed.statement == Case.objects.get(pk=case.pk).statement
    assert claimed.statement["ground"] == STATEMENT.ground
    assert claimed.department == department and claimed.decided_by == first
    assert claimed.event_count == events_before + 1 and verify_case(claimed) is None


@pytest.mark.django_db
def test_unanswered_order_dispute_is_ruled_for_the_buyer_by_automated_means():
    from ombuds.cases.actions.sweeps import run_schedule

    market = make_market()
    buyer = make_user("bea", member=market.buyer)
    submission = Submission(
        type_key="order_dispute",
        answers={
            "order_number": "ON-1",
            "reason": "damaged",
            "requested_resolution": "full_refund",
            "description": "The charger arrived with a cracked case and does not work.",
        },
    )
    case = file_complaint(submission=submission, filer=Filer.for_user(buyer)).complaint.case
    assert run_schedule()["ruled_for_complainant"] == 0
    later = case.respondent_answer_due_at + timezone.timedelta(minutes=1)
    assert run_schedule(later)["ruled_for_complainant"] == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and case.outcome == "full_refund"
    assert case.statement["automated_means"] is True and case.decided_by is None
    assert "did not answer within 5 days" in case.statement["facts"]


@pytest.mark.django_db
def test_a_sanction_with_an_end_is_lifted_when_it_ends(receiver):
    from ombuds.cases.actions.sweeps import run_schedule

    market = make_market()
    insider = agent("lea", "listing_compliance")
    file_report(make_user("mo"), market.listing)
    case = claim_next_case(
        agent=insider, department=Department.objects.get(code="listing_compliance")
    )
    ends = timezone.now() + timezone.timedelta(days=7)
    decide_case(
        agent=insider,
        case=case,
        decision=Decision("upheld", STATEMENT, [SanctionOrder("listing_restricted", ends_at=ends)]),
    )
    market.listing.refresh_from_db()
    assert market.listing.status == "restricted"
    assert run_schedule(ends + timezone.timedelta(minutes=1))["sanctions_ended"] == 1
    market.listing.refresh_from_db()
    assert market.listing.status == "active"
    deliver_webhooks()
    secret = WebhookEndpoint.objects.get().secret
    types = [Webhook(secret).verify(b, h)["type"] for h, b in receiver.requests]
    assert "sanction.lifted" in types
