"""The parties' side of a case: answers (to the complaint or to a question) and appeals.

A party finds the case through the reference they know: the complainant their CMP-...
complaint, the respondent the CASE-... case. Who may act is the domain's to decide
(`party_of`, the open question, the answer window, the appeal window); anyone who may not
even see the complaint gets 404, as on the pages.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Router, Status

from ombuds.accounts.models import User
from ombuds.api.auth import UserToken
from ombuds.api.case_schemas import AnswerIn, AppealIn, AppealOpenedOut, PartyAnswerOut
from ombuds.api.complaints import evidence_items, question_status
from ombuds.api.problems import Problem, ProblemDetails
from ombuds.api.schemas import QuestionOut
from ombuds.cases.decisions import open_appeal
from ombuds.cases.errors import forbidden
from ombuds.cases.handling import (
    RESPONDENT,
    answer_as_respondent,
    answer_information,
    party_of,
)
from ombuds.cases.models import Case
from ombuds.cases.selectors import view_for
from ombuds.evidence.models import Evidence
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


def _field_problem(code: str, field_name: str, message: str, file: str = "") -> dict[str, str]:
    error = {"field": field_name, "code": code, "message": message}
    if file:
        error["file"] = file
    return error


def _evidence(user: User, case: Case, ids: list[str]) -> list[Evidence]:
    """The caller's own uploads for the case's type, not attached to anything yet."""
    wanted: dict[str, str] = {}  # the id as stored -> as given
    for value in dict.fromkeys(i.strip() for i in ids if i.strip()):
        wanted[_normal_uuid(value) or value] = value
    limit = get_policy().types[case.type_key].evidence.max_files
    errors = []
    if len(wanted) > limit:
        message = f"Attach at most {limit} files."
        errors.append(_field_problem("too_many_files", "evidence", message))
    found = {
        str(e.public_id): e
        for e in Evidence.objects.filter(
            public_id__in=[k for k in wanted if _normal_uuid(k)],
            uploaded_by=user,
            complaints__isnull=True,
            statements__isnull=True,
        )
    }
    evidence = []
    for key, given in wanted.items():
        item = found.get(key)
        if item is None:
            message = (
                f"No file {given} of yours is waiting to be attached. Upload it with "
                f"POST /api/v1/evidence?type={case.type_key}; an attached file cannot be reused."
            )
            errors.append(_field_problem("evidence_not_found", "evidence", message, given))
        elif item.type_key != case.type_key:
            message = (
                f"{item.safe_name} was checked against the evidence rules of another type "
                f"({item.type_key}); upload it again with ?type={case.type_key}."
            )
            errors.append(_field_problem("evidence_type_mismatch", "evidence", message, given))
        else:
            evidence.append(item)
    if errors:
        codes = list(dict.fromkeys(e["code"] for e in errors))
        detail = errors[0]["message"] if len(errors) == 1 else "Some files cannot be attached."
        raise Problem(422, codes[0] if len(codes) == 1 else "evidence_refused", detail, errors)
    return evidence


def _normal_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


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
    party = party_of(user, case)
    if party is None:
        raise forbidden("Only the parties of a case answer on it.")
    asked = case.information_requests.filter(
        party=party, answered_at__isnull=True, expired_at__isnull=True
    ).exists()
    if not asked and party != RESPONDENT:
        raise forbidden("There is no question waiting for your answer on this case.")
    evidence = _evidence(user, case, payload.evidence)
    if asked:
        statement = answer_information(user=user, case=case, text=payload.text, evidence=evidence)
    else:
        statement = answer_as_respondent(user=user, case=case, text=payload.text, evidence=evidence)
    question = statement.request
    return Status(
        201,
        PartyAnswerOut(
            id=statement.pk, reference=reference, party=statement.party,
            kind="information" if question else "answer",
            question=QuestionOut(
                id=question.pk, question=question.question, deadline=question.deadline,
                status=question_status(question), asked_at=question.created_at,
            ) if question else None,
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
