"""The rule book, exhaustively: every action on a case, in every state, by every kind of actor,
through every shell.

Allowed → it succeeds, through the domain, the console or party page, and the API alike, and
writes exactly the events expected. Refused → the same status and code from all three, and
nothing written (the case, its history, sanctions, appeals, questions, statements, emails,
notifications, webhooks all as they were).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from ombuds.accounts.models import Department, User
from ombuds.accounts.tokens import create_token
from ombuds.cases.actions.appeals import decide_appeal, open_appeal
from ombuds.cases.actions.claiming import add_note, claim_case, release_case, transfer_case
from ombuds.cases.actions.decisions import Decision, SanctionOrder, decide_case, lift_sanction
from ombuds.cases.actions.filing import file_complaint
from ombuds.cases.actions.questions import (
    answer_as_respondent,
    answer_information,
    request_information,
)
from ombuds.cases.errors import ActionRefused, refuse_unless_allowed
from ombuds.cases.models import Appeal, Case, CaseEvent, Complaint, Sanction
from ombuds.cases.rules import may_decide_appeal
from ombuds.cases.statements import Statement
from ombuds.intake.checks import Filer, Submission
from tests.factories import make_market, make_member, make_user

pytestmark = pytest.mark.django_db

STATES = ["submitted", "in_review", "waiting", "decided", "appealed", "closed"]
# The agent works the case (claims it, decides it); the colleague is another agent of the same
# department; the other department's agent and the stranger (a member) have nothing to do with
# it; the operator reads every case but acts on none.
ACTORS = [
    "complainant",
    "respondent",
    "stranger",
    "agent",
    "colleague",
    "other_department",
    "operator",
]
STATEMENT = {
    "facts": "The listing shows one cent; the cart asks fifty dollars for the same charger.",
    "ground": "Listing rules: misleading prices.",
    "scope": "The reported listing.",
}


@dataclass
class Scene:
    users: dict[str, User]
    complaint: Complaint
    case: Case
    tokens: dict[str, str] = field(default_factory=dict)

    def user(self, actor: str) -> User:
        return User.objects.get(pk=self.users[actor].pk)  # fresh: its departments read again

    @property
    def sanction(self) -> Sanction | None:
        return Sanction.objects.filter(case=self.case, lifted_at__isnull=True).first()

    @property
    def appeal(self) -> Appeal | None:
        return Appeal.objects.filter(case=self.case).order_by("-pk").first()

    def reference(self, actor: str) -> str:
        """The complainant knows their complaint; everyone else names the case."""
        return self.complaint.reference if actor == "complainant" else self.case.reference


def _scene(state: str) -> Scene:
    market = make_market()
    users = {
        "complainant": make_user("rhea", member=make_member("rheamember")),
        "respondent": make_user("bob", member=market.supplier),
        "stranger": make_user("carol", member=market.other_supplier),
        "agent": make_user("ada"),
        "colleague": make_user("ben"),
        "other_department": make_user("sam"),
        "operator": make_user("olga"),
    }
    for actor, code in (("agent", "listing_compliance"), ("colleague", "listing_compliance"),
                        ("other_department", "security")):  # fmt: skip
        users[actor].departments.add(Department.objects.get(code=code))
    users["operator"].is_operator = True
    users["operator"].save()
    users = {actor: User.objects.get(pk=user.pk) for actor, user in users.items()}
    submission = Submission(
        type_key="listing_rules",
        target=market.listing.product_url,
        answers={
            "violation": "bait_price",
            "description": "The listing shows a price of one cent, but the cart asks fifty "
            "dollars for the very same charger.",
        },
        agreement=True,
    )
    complaint = file_complaint(
        submission=submission, filer=Filer.for_user(users["complainant"])
    ).complaint
    case = complaint.case
    answer_as_respondent(user=users["respondent"], case=case, text="The price was a typo.")
    if state != "submitted":
        claim_case(agent=users["agent"], case=case)
    if state == "waiting":
        request_information(
            agent=users["agent"], case=case, party="complainant", question="Where?", days=3
        )
    if state in ("decided", "appealed", "closed"):
        decision = Decision("upheld", Statement(**STATEMENT), [SanctionOrder("listing_restricted")])
        decide_case(agent=users["agent"], case=case, decision=decision)
    if state in ("appealed", "closed"):
        open_appeal(user=users["respondent"], case=case, reason="We fixed the price at once.")
    if state == "closed":
        appeal = Appeal.objects.get(case=case)
        decide_appeal(agent=users["colleague"], appeal=appeal, reverse=False, statement="Stands.")
    scene = Scene(users, complaint, Case.objects.get(pk=case.pk))
    assert scene.case.status == state
    scene.tokens = {actor: create_token(name="t", user=user)[1] for actor, user in users.items()}
    return scene


# --- the actions, and how each shell is asked for them ----------------------------------------

Call = Callable[[Scene, User], Any]


@dataclass(frozen=True)
class Action:
    name: str
    domain: Call
    page: Callable[[Scene, str], tuple[str, dict[str, Any]] | None]  # (path, form data)
    api: Callable[[Scene, str], tuple[str, dict[str, Any]] | None]  # (path, JSON body)
    events: tuple[str, ...]
    applies: Callable[[Scene], bool] = lambda scene: True


def _console(name: str, data: dict[str, Any] | None = None) -> Any:
    return lambda scene, actor: (f"/console/cases/{scene.case.reference}/{name}/", data or {})


def _party_page(form: str, data: dict[str, Any]) -> Any:
    return lambda scene, actor: (f"/complaints/{scene.reference(actor)}/{form}/", data)


def _appeal_decision(scene: Scene, user: User) -> Any:
    appeal = scene.appeal
    if appeal is None:  # no appeal to decide: what the console asks the rule book
        refuse_unless_allowed(may_decide_appeal(user, scene.case))
    return decide_appeal(agent=user, appeal=appeal, reverse=False, statement="Confirmed.")


ACTIONS = [
    Action(
        "claim",
        lambda scene, user: claim_case(agent=user, case=scene.case),
        _console("claim"),
        lambda scene, actor: (f"/cases/{scene.case.reference}/claim", {}),
        ("claimed",),
    ),
    Action(
        "release",
        lambda scene, user: release_case(agent=user, case=scene.case),
        _console("release"),
        lambda scene, actor: (f"/cases/{scene.case.reference}/release", {}),
        ("released",),
    ),
    Action(
        "note",
        lambda scene, user: add_note(agent=user, case=scene.case, text="Checked the cart."),
        _console("note", {"text": "Checked the cart."}),
        lambda scene, actor: (f"/cases/{scene.case.reference}/notes", {"text": "Checked."}),
        ("note_added",),
    ),
    Action(
        "transfer",
        lambda scene, user: transfer_case(
            agent=user, case=scene.case, department="security", reason="Phishing, in fact."
        ),
        _console("transfer", {"department": "security", "reason": "Phishing, in fact."}),
        lambda scene, actor: (
            f"/cases/{scene.case.reference}/transfer",
            {"department": "security", "reason": "Phishing, in fact."},
        ),
        ("transferred",),
    ),
    Action(
        "request_information",
        lambda scene, user: request_information(
            agent=user, case=scene.case, party="respondent", question="Which price?", days=3
        ),
        _console(
            "request_information", {"party": "respondent", "question": "Which price?", "days": "3"}
        ),
        lambda scene, actor: (
            f"/cases/{scene.case.reference}/information-requests",
            {"party": "respondent", "question": "Which price?", "days": 3},
        ),
        ("information_requested",),
    ),
    Action(
        "decide",
        lambda scene, user: decide_case(
            agent=user,
            case=scene.case,
            decision=Decision("upheld", Statement(**STATEMENT), [SanctionOrder("warning")]),
        ),
        _console("decide", {"outcome": "upheld", "sanctions": "warning", **STATEMENT}),
        lambda scene, actor: (
            f"/cases/{scene.case.reference}/decision",
            {"outcome": "upheld", "sanctions": [{"kind": "warning"}], "statement": STATEMENT},
        ),
        ("ruled", "sanction_applied"),
    ),
    Action(
        "lift",
        lambda scene, user: lift_sanction(
            agent=user, sanction=scene.sanction, reason="Restored after review."
        ),
        lambda scene, actor: (
            f"/console/cases/{scene.case.reference}/lift/",
            {"sanction": scene.sanction.pk, "reason": "Restored after review."},
        ),
        lambda scene, actor: (
            f"/sanctions/{scene.sanction.pk}/lift",
            {"reason": "Restored after review."},
        ),
        ("sanction_lifted",),
        applies=lambda scene: scene.sanction is not None,
    ),
    Action(
        "decide_appeal",
        _appeal_decision,
        _console("decide_appeal", {"result": "confirm", "statement": "Confirmed."}),
        lambda scene, actor: (
            (f"/appeals/{scene.appeal.pk}/decision", {"reverse": False, "statement": "Confirmed."})
            if scene.appeal is not None
            else None  # the API decides an appeal by its id: there is none to name
        ),
        ("appeal_decided",),
    ),
    Action(
        "answer",
        lambda scene, user: answer_as_respondent(user=user, case=scene.case, text="Fixed."),
        _party_page("answer", {"text": "Fixed."}),
        lambda scene, actor: (
            f"/complaints/{scene.reference(actor)}/answers",
            {"text": "Fixed.", "to": "complaint"},
        ),
        ("respondent_answered",),
    ),
    Action(
        "answer_question",
        lambda scene, user: answer_information(user=user, case=scene.case, text="Second photo."),
        _party_page("information", {"text": "Second photo."}),
        lambda scene, actor: (
            f"/complaints/{scene.reference(actor)}/answers",
            {"text": "Second photo.", "to": "question"},
        ),
        ("answered",),
    ),
    Action(
        "appeal",
        lambda scene, user: open_appeal(user=user, case=scene.case, reason="It was a typo."),
        _party_page("appeal", {"reason": "It was a typo."}),
        lambda scene, actor: (
            f"/complaints/{scene.reference(actor)}/appeal",
            {"reason": "It was a typo."},
        ),
        ("appeal_opened",),
    ),
]

# What each (state, actor) may do; everything else is refused.
ALLOWED = {
    "submitted": {
        "agent": {"claim", "note", "transfer", "request_information"},
        "colleague": {"claim", "note", "transfer", "request_information"},
        "respondent": {"answer"},
    },
    "in_review": {
        "agent": {"release", "note", "transfer", "request_information", "decide"},
        "colleague": {"note", "transfer", "request_information"},
        "respondent": {"answer"},
    },
    "waiting": {
        "agent": {"release", "note", "transfer"},
        "colleague": {"note", "transfer"},
        "respondent": {"answer"},
        "complainant": {"answer_question"},
    },
    "decided": {
        "agent": {"note", "lift"},
        "colleague": {"note", "lift"},
        "respondent": {"appeal"},
    },
    "appealed": {
        "agent": {"note", "lift", "transfer"},
        "colleague": {"claim", "note", "lift", "transfer", "decide_appeal"},
    },
    "closed": {
        "agent": {"note", "lift"},
        "colleague": {"note", "lift"},
    },
}


# --- asking, and what was written --------------------------------------------------------------


def _written() -> tuple[Any, ...]:
    """Everything an action may write, in two statements."""
    tables = [
        "cases_caseevent", "cases_sanction", "cases_appeal", "cases_informationrequest",
        "cases_partystatement", "notify_outboxemail", "notify_notification",
        "notify_webhookdelivery", "cases_complaint",
    ]  # fmt: skip
    counts = ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {counts}, (SELECT COUNT(*) FROM cases_sanction WHERE lifted_at IS NULL)"
        )
        totals = cursor.fetchone()
    cases = list(Case.objects.order_by("pk").values())
    for row in cases:
        row.pop("updated_at")
    return totals, json.dumps(cases, default=str, sort_keys=True)


def _new_events(before: int) -> tuple[str, ...]:
    return tuple(
        CaseEvent.objects.filter(pk__gt=before).order_by("pk").values_list("kind", flat=True)
    )


class _Undo(Exception):
    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome


def _tried(attempt: Callable[[], Any]) -> Any:
    """(outcome, events written, unchanged?) of an attempt, whose writes are then undone."""
    try:
        with transaction.atomic():
            before, last = (
                _written(),
                CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first(),
            )
            outcome = attempt()
            raise _Undo((outcome, _new_events(last or 0), _written() == before))
    except _Undo as undone:
        return undone.outcome


def _by_domain(action: Action, scene: Scene, actor: str) -> tuple[int, str] | str:
    try:
        action.domain(scene, scene.user(actor))
    except ActionRefused as refused:
        return refused.status, str(refused.code)
    return "done"


_CODE = re.compile(r'(?:id="refusal" |<h1 )data-code="([^"]+)"')


def _by_page(action: Action, scene: Scene, actor: str) -> tuple[int, str] | str:
    path, data = action.page(scene, actor)
    client = Client()
    client.force_login(scene.users[actor])
    response = client.post(path, data)
    if response.status_code == 302 and "/accounts/login/" not in response["Location"]:
        return "done"
    found = _CODE.search(response.content.decode())
    return response.status_code, found.group(1) if found else "(no code on the page)"


def _by_api(action: Action, scene: Scene, actor: str) -> tuple[int, str] | str | None:
    asked = action.api(scene, actor)
    if asked is None:
        return None
    path, body = asked
    response = Client().post(
        "/api/v1" + path,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {scene.tokens[actor]}"},
    )
    if 200 <= response.status_code < 300:
        return "done"
    return response.status_code, response.json()["type"].rsplit("/", 1)[-1]


FORMS = {  # the form each page offers for an action, by its id
    "claim": "form-claim", "release": "form-release", "note": "form-note",
    "transfer": "form-transfer", "request_information": "form-request_information",
    "decide": "form-decide", "lift": "form-lift-", "decide_appeal": "form-decide_appeal",
    "answer": "form-answer", "answer_question": "form-information", "appeal": "form-appeal",
}  # fmt: skip


@pytest.mark.parametrize("state", STATES)
def test_the_pages_offer_exactly_the_forms_the_rule_book_allows(state):
    scene = _scene(state)
    for actor in ("complainant", "respondent", "agent", "colleague", "operator"):
        client = Client()
        client.force_login(scene.users[actor])
        page = client.get(f"/complaints/{scene.reference(actor)}/").content.decode()
        offered = {
            name
            for name, form in FORMS.items()
            if (f'id="{form}' if form.endswith("-") else f'id="{form}"') in page
        }
        assert offered == ALLOWED[state].get(actor, set()), (state, actor)


@pytest.mark.parametrize("state", STATES)
def test_every_action_in_every_state_by_every_actor_through_every_shell(state):
    scene = _scene(state)
    allowed = ALLOWED[state]
    problems = []
    for action in ACTIONS:
        if not action.applies(scene):
            continue
        for actor in ACTORS:
            expected_done = action.name in allowed.get(actor, set())
            domain, events, unchanged = _tried(partial(_by_domain, action, scene, actor))
            where = f"{action.name} by the {actor}"
            if expected_done != (domain == "done"):
                problems.append(f"{where}: the domain says {domain}")
                continue
            for shell, ask in (("page", _by_page), ("API", _by_api)):
                answer, shell_events, shell_unchanged = _tried(partial(ask, action, scene, actor))
                if answer is None:
                    continue
                if answer != domain:
                    problems.append(f"{where}: the domain says {domain}, the {shell} {answer}")
                elif domain == "done" and shell_events != action.events:
                    problems.append(f"{where} through the {shell} wrote {shell_events}")
                elif domain != "done" and not shell_unchanged:
                    problems.append(f"{where}: refused by the {shell}, but something was written")
            if domain == "done" and events != action.events:
                problems.append(f"{where} wrote {events}, not {action.events}")
            if domain != "done" and not unchanged:
                problems.append(f"{where}: refused ({domain}), but something was written")
    assert not problems, "\n".join(problems)
