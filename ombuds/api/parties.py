"""The parties' side of a case: answers (to the complaint or to a question) and appeals.

A party finds the case through the reference they know: the complainant their CMP-...
complaint, the respondent the CASE-... case. Who may act is the rule book's to say (the party,
the open question, the answer window, the appeal window); anyone who may not even see the
complaint gets 404, as on the pages.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from ombuds.accounts.models import User
from ombuds.api.auth import UserToken
from ombuds.api.case_schemas import AnswerIn, AppealIn, AppealOpenedOut, PartyAnswerOut
from ombuds.api.evidence import upload_owner
from ombuds.api.presenters import evidence_items, question_out
from ombuds.api.problems import Problem, ProblemDetails
from ombuds.cases.actions.appeals import open_appeal
from ombuds.cases.actions.questions import answer_as_respondent, answer_information
from ombuds.cases.models import Case
from ombuds.cases.read.visibility import view_for
from ombuds.cases.rules import RESPONDENT, may_answer_question, party_of
from ombuds.evidence.models import Evidence
from ombuds.evidence.uploads import gather_evidence
from ombuds.policy.loader import get_policy

router = Router(tags=["complaints"], auth=UserToken())

ACTED = {
    401: ProblemDetails,
    403: ProblemDetails,
    404: ProblemDetails,
    409: ProblemDetails,
    422: ProblemDetails,
}


def _user(request: HttpRequest) -> User:
    return request.auth.user  # type: ignore[attr-defined]


def _case(user: User, reference: str) -> tuple[str, Case]:
    """The case behind a complaint or case the caller may see; 404 if they may not."""
    reference = reference.strip().upper()
    view = view_for(reference, user)
    if view is None:
        raise Problem(404, "not_found", "No complaint with this reference is visible to you.")
    if view.case is None:
        raise Problem(409, "not_confirmed", "The complaint is not confirmed yet.")
    return reference, view.case


def _evidence(request: HttpRequest, case: Case, ids: list[str]) -> list[Evidence]:
    """The caller's own uploads for the case's type, not attached to anything yet."""
    complaint_type = get_policy().types[case.type_key]
    gathered = gather_evidence(
        upload_owner(request.auth), type_key=case.type_key, type_label=complaint_type.label,
        ids=ids, max_files=complaint_type.evidence.max_files,
    )  # fmt: skip
    if gathered.problems:
        errors = [
            {"field": "evidence", "code": p.code, "message": p.message, "file": p.filename}
            for p in gathered.problems
        ]
        codes = list(dict.fromkeys(e["code"] for e in errors))
        detail = errors[0]["message"] if len(errors) == 1 else "Some files cannot be attached."
        raise Problem(422, codes[0] if len(codes) == 1 else "evidence_refused", detail, errors)
    return gathered.evidence


@router.post(
    "/complaints/{reference}/answers",
    response={201: PartyAnswerOut, **ACTED},
    summary="Answer on a case: the respondent's answer, or a party's answer to a question",
    description="When the agents asked the caller's party a question that is still open, "
    "this answers it (the case's clock resumes). Otherwise the respondent answers the "
    "complaint, within the policy's time (409 `answer_too_late`). Evidence: ids of files the "
    "caller uploaded with POST /evidence?type=<the case's type>. The complainant uses their "
    "CMP-... reference, the respondent the CASE-... reference.",
)
def create_answer(request: HttpRequest, reference: str, payload: AnswerIn) -> Status:
    user = _user(request)
    reference, case = _case(user, reference)
    # An open question to the caller's party is answered first; else the respondent answers the
    # complaint. Either action asks the rule book whether the caller may, now.
    to = payload.to
    if to is None:
        asked = may_answer_question(user, case) is None
        to = "question" if asked or party_of(user, case) != RESPONDENT else "complaint"
    act = answer_information if to == "question" else answer_as_respondent
    evidence = _evidence(request, case, payload.evidence)
    statement = act(user=user, case=case, text=payload.text, evidence=evidence)
    question = statement.request
    return Status(
        201,
        PartyAnswerOut(
            id=statement.pk, reference=reference, party=statement.party,
            kind="information" if question else "answer",
            question=question_out(question) if question else None,
            text=statement.text,
            evidence=evidence_items(evidence),
            created_at=statement.created_at,
        ),
    )  # fmt: skip


@router.post(
    "/complaints/{reference}/appeal",
    response={201: AppealOpenedOut, **ACTED},
    summary="Appeal a decision (the respondent, within the policy's window)",
    description="Once per decision; decided by an agent other than the one who decided "
    "(see POST /appeals/{id}/decision). 409 `not_appealable` or `appeal_too_late`.",
)
def create_appeal(request: HttpRequest, reference: str, payload: AppealIn) -> Status:
    user = _user(request)
    reference, case = _case(user, reference)
    appeal = open_appeal(user=user, case=case, reason=payload.reason)
    return Status(
        201,
        AppealOpenedOut(
            id=appeal.pk, reference=reference, status="open", reason=appeal.reason,
            opened_at=appeal.opened_at,
        ),
    )  # fmt: skip
