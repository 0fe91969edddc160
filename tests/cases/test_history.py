"""The case history is hash-chained: filing and joining write events; a change shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.test import Client

from ombuds.cases.actions.claiming import add_note
from ombuds.cases.history import GENESIS, event_hash, event_hash_sql, verify_all, verify_case
from ombuds.cases.models import Case, CaseEvent
from tests.cases.filings import FILINGS_BY_KEY, filed, make_people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def joined_case():
    """A report case with two reporters, filed through the forms."""
    people = make_people()
    report = FILINGS_BY_KEY["prohibited_goods"]
    first = filed(Client(), people, report)
    report_by_carol = replace(report, filer="carol")
    second = filed(Client(), people, report_by_carol)
    assert first.case_id == second.case_id
    return Case.objects.get(pk=first.case_id), first, second, people


def test_filing_and_joining_write_chained_events(joined_case):
    case, first, second, people = joined_case
    events = list(case.events.order_by("seq"))
    assert [(e.seq, e.kind) for e in events] == [(1, "filed"), (2, "reporter_joined")]
    filed_event, joined_event = events
    assert filed_event.complaint_id == first.pk and filed_event.actor_id == people.rita.pk
    assert filed_event.data == {
        "complaint": first.reference,
        "type": "prohibited_goods",
        "department": "listing_compliance",
        "due_at": filed_event.data["due_at"],
        "respondent_answer_due_at": filed_event.data["respondent_answer_due_at"],
    }
    assert datetime.fromisoformat(filed_event.data["due_at"]) == case.due_at
    assert joined_event.complaint_id == second.pk and joined_event.actor_id == people.carol.pk
    assert joined_event.data == {"complaint": second.reference, "reporters": 2}
    assert filed_event.prev_hash == GENESIS
    assert joined_event.prev_hash == filed_event.hash != joined_event.hash
    assert case.event_count == 2 and case.last_event_hash == joined_event.hash
    assert verify_case(case) is None
    assert list(verify_all()) == []


def test_a_single_complaint_writes_complaint_filed():
    people = make_people()
    complaint = filed(Client(), people, FILINGS_BY_KEY["offline_buyer"])
    (event,) = complaint.case.events.all()
    assert (event.seq, event.kind, event.complaint_id) == (1, "filed", complaint.pk)
    assert verify_case(complaint.case) is None


@pytest.mark.parametrize("seq", [1, 2])
@pytest.mark.edits_case_rows
def test_changing_an_events_data_is_found_at_that_event(joined_case, seq):
    case = joined_case[0]
    CaseEvent.objects.filter(case=case, seq=seq).update(
        data={"complaint": "CMP-FORGED00", "reporters": 7}
    )
    broken = verify_case(case)
    assert broken is not None
    assert (broken.case_reference, broken.seq) == (case.reference, seq)
    assert "changed" in broken.reason
    assert [b.seq for b in verify_all()] == [seq]


@pytest.mark.edits_case_rows
def test_a_number_changed_into_text_is_found(joined_case):
    case, _, second, _ = joined_case
    CaseEvent.objects.filter(case=case, seq=2).update(
        data={"complaint": second.reference, "reporters": "2"}
    )
    broken = verify_case(case)
    assert broken is not None and broken.seq == 2


@pytest.mark.edits_case_rows
def test_rewriting_an_event_and_its_hash_breaks_the_next_link(joined_case):
    """Recomputing the forged event's own hash is not enough: the next event points at the old one."""
    case, _, _, _ = joined_case
    event = case.events.get(seq=1)
    forged = {"complaint": "CMP-FORGED00", "type": "prohibited_goods"}
    new_hash = event_hash(
        case_reference=case.reference, seq=1, kind=event.kind, actor_id=event.actor_id,
        complaint_id=event.complaint_id, data=forged, created_at=event.created_at.isoformat(),
        prev_hash=event.prev_hash,
    )  # fmt: skip
    CaseEvent.objects.filter(pk=event.pk).update(data=forged, hash=new_hash)
    broken = verify_case(case)
    assert broken is not None and broken.seq == 2
    assert "does not follow" in broken.reason


@pytest.mark.edits_case_rows
def test_a_removed_last_event_is_found(joined_case):
    case, _, _, _ = joined_case
    CaseEvent.objects.filter(case=case, seq=2).delete()
    case.refresh_from_db()
    broken = verify_case(case)
    assert broken is not None and broken.seq == 2
    assert "missing" in broken.reason


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database hashes events on PostgreSQL only"
)
def test_postgresql_hashes_an_event_exactly_as_python_does():
    """Claim next has PostgreSQL hash its event (one statement): the same text, the same hash,
    whatever the data holds."""
    fields = {
        "kind": "claimed", "actor_id": 7, "complaint_id": None,
        "data": {"agent": "zoë", "note": 'say "ok"\n\ttab \\ ü 漢字', "n": 3, "z": [1, None]},
        "created_at": "2026-12-01T08:10:14.778533+00:00",
    }  # fmt: skip
    sql, params = event_hash_sql(
        reference_sql="%(reference)s::text",
        seq_sql="%(seq)s::int",
        prev_sql="%(prev)s::text",
        **fields,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql}", {**params, "reference": "CASE-ABC234", "seq": 12, "prev": "ab" * 32}
        )
        (in_sql,) = cursor.fetchone()
    assert in_sql == event_hash(case_reference="CASE-ABC234", seq=12, prev_hash="ab" * 32, **fields)
    with pytest.raises(ValueError):
        event_hash_sql(
            reference_sql="r", seq_sql="1", prev_sql="p", **{**fields, "data": {"x": "\x00seq\x00"}}
        )


def test_a_person_who_acted_on_a_case_stays_so_its_history_stays_whole(joined_case):
    """The actor is part of each event's hash: deleting them would make the history read as
    tampered with. They are deactivated instead."""
    case, _, _, people = joined_case
    actor = people.agents["listing_compliance"]
    add_note(agent=actor, case=case, text="Photo 2 shows the ivory.")
    with pytest.raises(ProtectedError):
        actor.delete()
    actor.is_active = False
    actor.save()
    case.refresh_from_db()
    assert verify_case(case) is None
