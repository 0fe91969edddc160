"""Complaints through the API: the catalog, evidence uploads, filing, and reading them back.

Handlers translate HTTP to the domain and back: filing is `file_complaint`, reading is
`view_for` and the My Reports selectors, so the API refuses and hides exactly what the pages
do. The only rows written here are idempotency keys, which are an HTTP concern.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

import pydantic
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from ninja import File, Header, Query, Router, Status, UploadedFile
from ninja.errors import ValidationError

from ombuds.accounts.models import User
from ombuds.accounts.tokens import Principal
from ombuds.api.problems import Problem, ProblemDetails
from ombuds.api.schemas import (
    MULTIPART_COMPLAINT_SCHEMA,
    PROBLEMS,
    AnswerOut,
    AppealBriefOut,
    ArchiveMemberOut,
    CatalogOut,
    ChoiceOut,
    ComplaintIn,
    ComplaintList,
    ComplaintListItem,
    ComplaintOut,
    ComplaintTypeOut,
    DecisionOut,
    EvidenceItemOut,
    EvidenceOut,
    EvidenceRulesOut,
    FieldOut,
    FilersOut,
    FilingOut,
    FilingProblem,
    PartyOut,
    PartyStatementBriefOut,
    QuestionOut,
    ReasonsOut,
    SanctionBriefOut,
    TargetOut,
    TimeLimitOut,
    TimelineEntryOut,
)
from ombuds.cases.actions import file_complaint
from ombuds.cases.models import (
    Case,
    CaseStatus,
    Complaint,
    IdempotencyKey,
    InformationRequest,
    PartyStatement,
)
from ombuds.cases.selectors import (
    AGENT,
    COMPLAINANT,
    RESPONDENT,
    CaseView,
    case_to_submit_again,
    party_statements,
    received_cases,
    sent_complaints,
    status_of,
    target_label,
    time_left,
    view_for,
)
from ombuds.directory.models import Member
from ombuds.evidence.inspection import EvidenceError
from ombuds.evidence.models import Evidence
from ombuds.evidence.storage import store_evidence
from ombuds.intake.checks import EVIDENCE, Filer, Submission, check_submission
from ombuds.intake.errors import NON_FIELD, FieldError, SubmissionRefused
from ombuds.intake.ratelimit import check_filing_rate, client_ip
from ombuds.policy.loader import get_policy
from ombuds.policy.schema import ComplaintType

router = Router(tags=["complaints"])

IDEMPOTENCY_KEY_MAX = 200
TRUE_WORDS = {"true", "on", "1", "yes"}


def _field_problem(status: int, code: str, field_name: str, message: str) -> Problem:
    """A refusal about one request field, told as the problem and as its one field error."""
    return Problem(
        status, code, message, errors=[{"field": field_name, "code": code, "message": message}]
    )


# --- the catalog -----------------------------------------------------------------------------


@router.get(
    "/complaint-types",
    auth=None,
    response={200: CatalogOut},
    summary="The catalog of complaint types, with each type's fields and rules",
)
def complaint_types(request: HttpRequest) -> CatalogOut:
    policy = get_policy()
    return CatalogOut(
        policy=policy.name,
        languages=policy.marketplace.languages,
        user_agreement_url=policy.marketplace.user_agreement_url,
        types=[
            _type_out(key, t, policy.departments[t.department].name)
            for key, t in policy.types.items()
        ],
    )


def _type_out(key: str, t: ComplaintType, department_name: str) -> ComplaintTypeOut:
    return ComplaintTypeOut(
        key=key, kind=t.kind, label=t.label, summary=t.summary, help=t.help,
        department=t.department, department_name=department_name,
        filers=FilersOut(who=t.filers.who, member_kinds=list(t.filers.member_kinds)),
        target=TargetOut(**t.target.model_dump()),
        fields=[
            FieldOut(
                name=f.name, kind=f.kind, label=f.label, help=f.help, required=f.required,
                choices=[ChoiceOut(**c.model_dump()) for c in f.choices],
                min_length=f.min_length, max_length=f.max_length,
                language_checked=f.checks_language,
            )
            for f in t.fields
        ],
        evidence=EvidenceRulesOut(
            required=t.evidence.required, allowed_formats=list(t.evidence.allowed_formats),
            max_file_bytes=t.evidence.max_file_bytes,
            max_archive_bytes=t.evidence.max_archive_bytes, max_files=t.evidence.max_files,
            one_file_per_format=t.evidence.one_file_per_format,
            visible_to_respondent=t.evidence.visible_to_respondent, help=t.evidence.help,
        ),
        time_limit=TimeLimitOut(**t.time_limit.model_dump()),
        reporter_anonymous=t.reporter_anonymous, requires_agreement=t.requires_agreement,
        urgent=t.urgent,
    )  # fmt: skip


# --- evidence --------------------------------------------------------------------------------


def _uploader(principal: Principal) -> dict[str, Any]:
    """Who owns an upload: the token's user, or (for the service) the token itself."""
    if principal.user is not None:
        return {"uploaded_by": principal.user, "upload_session": ""}
    return {"uploaded_by": None, "upload_session": f"service:{principal.token.prefix}"}


def _owned_by(principal: Principal) -> dict[str, Any]:
    if principal.user is not None:
        return {"uploaded_by": principal.user}
    return {"uploaded_by__isnull": True, "upload_session": f"service:{principal.token.prefix}"}


def _known_type(type_key: str, field_name: str = "type") -> ComplaintType:
    complaint_type = get_policy().types.get(type_key)
    if complaint_type is None:
        message = f"There is no complaint type {type_key!r}: see GET /api/v1/complaint-types."
        raise _field_problem(422, "unknown_type", field_name, message)
    return complaint_type


def _evidence_out(evidence: Evidence) -> EvidenceOut:
    return EvidenceOut(
        id=evidence.public_id,
        name=evidence.safe_name,
        size=evidence.size,
        sha256=evidence.sha256,
        format=evidence.format,
        mime=evidence.mime,
        archive_members=[
            ArchiveMemberOut(path=path, format=fmt, size=size)
            for path, fmt, size in evidence.archive_members
        ],
    )


@router.post(
    "/evidence",
    response={201: EvidenceOut, 401: ProblemDetails, 422: FilingProblem},
    summary="Upload one evidence file for a complaint type",
    description="The file is inspected against the type's evidence rules (format by content, "
    "sizes, archives) and kept until a complaint names its id in `evidence`.",
    # Checked in the handler, so that a missing file is reported at `file` like other refusals.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": {"required": ["file"]}}},
        }
    },
)
def upload_evidence(
    request: HttpRequest,
    file: UploadedFile | None = File(None),  # noqa: B008 - ninja's way of declaring a file
    type_key: str = Query(..., alias="type"),
) -> Status[EvidenceOut]:
    _known_type(type_key)
    if file is None:
        message = "Send the file as multipart/form-data under the name 'file'."
        raise _field_problem(422, "missing", "file", message)
    try:
        evidence = store_evidence(
            file, filename=file.name or "file", type_key=type_key, **_uploader(request.auth)
        )
    except EvidenceError as exc:
        raise _field_problem(422, exc.code, "file", exc.message) from exc
    return Status(201, _evidence_out(evidence))


# --- filing ----------------------------------------------------------------------------------


@dataclass
class _Request:
    data: ComplaintIn
    uploads: list[UploadedFile] = field(default_factory=list)


def _invalid(exc: pydantic.ValidationError) -> ValidationError:
    return ValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])


def _read_request(request: HttpRequest) -> _Request:
    """JSON, or multipart with `answers` as a JSON string and files under `evidence`."""
    if request.content_type == "multipart/form-data":
        post = request.POST
        raw_answers = post.get("answers", "").strip()
        try:
            answers = json.loads(raw_answers) if raw_answers else {}
        except ValueError as exc:
            message = (
                'answers must be a JSON object of the type\'s fields, like {"description": "..."}.'
            )
            raise _field_problem(422, "invalid_json", "answers", message) from exc
        data = {
            "type": post.get("type", ""),
            "target": post.get("target", ""),
            "answers": answers,
            "evidence": [i for v in post.getlist("evidence_ids") for i in v.split(",") if i],
            "agreement": post.get("agreement", "").strip().lower() in TRUE_WORDS,
            "on_behalf_of": post.get("on_behalf_of") or None,
            "previous_case": post.get("previous_case") or None,
        }
        uploads = request.FILES.getlist("evidence")
    elif request.content_type == "application/json" or request.content_type.endswith("+json"):
        try:
            data = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise Problem(400, "invalid_json", f"The body is not valid JSON: {exc}") from exc
        uploads = []
    else:
        raise Problem(
            415,
            "unsupported_media_type",
            "Send the complaint as application/json, or as multipart/form-data with files.",
        )
    try:
        return _Request(ComplaintIn.model_validate(data), uploads)
    except pydantic.ValidationError as exc:
        raise _invalid(exc) from exc


def _filer(principal: Principal, on_behalf_of: str | None) -> Filer:
    """A user files as themselves; the marketplace's service files for one of its members."""
    if principal.user is not None:
        if on_behalf_of:
            message = "Only the marketplace's service token may file on behalf of a member."
            raise _field_problem(403, "on_behalf_of_forbidden", "on_behalf_of", message)
        return Filer.for_user(principal.user)
    if not on_behalf_of:
        message = "A service token files for a member: give their member ID in on_behalf_of."
        raise _field_problem(422, "on_behalf_of_required", "on_behalf_of", message)
    member = Member.objects.filter(member_id=on_behalf_of.strip()).first()
    if member is None:
        message = f"No member has the member ID {on_behalf_of!r}."
        raise _field_problem(422, "member_not_found", "on_behalf_of", message)
    user = User.objects.filter(member=member, is_active=True).first()
    if user is not None:
        return Filer.for_user(user)
    return Filer(email=member.email, member=member, name=member.display_name)


def _request_digest(form: _Request) -> str:
    files = []
    for upload in form.uploads:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        files.append(digest.hexdigest())
    body = form.data.model_dump()
    body["evidence"] = sorted(set(form.data.evidence))
    body["files"] = sorted(files)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _scope(principal: Principal) -> str:
    if principal.user is not None:
        return str(principal.user.pk)
    return f"service:{principal.token.prefix}"


def _check_key(key: str) -> None:
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX:
        message = f"An Idempotency-Key is 1 to {IDEMPOTENCY_KEY_MAX} characters (a UUID is best)."
        raise _field_problem(422, "idempotency_key_invalid", "Idempotency-Key", message)


def _stored_complaint(scope: str, key: str, digest: str) -> Complaint | None:
    """The complaint an earlier request with this key made, if any."""
    record = IdempotencyKey.objects.filter(scope=scope, key=key).select_related("complaint").first()
    if record is None:
        return None
    if record.request_digest != digest:
        message = (
            "This Idempotency-Key was used for a different request. Use a new key for a new "
            "complaint; retry with the same key only to resend the very same request."
        )
        raise _field_problem(422, "idempotency_key_reused", "Idempotency-Key", message)
    if record.complaint is None:
        raise Problem(409, "idempotency_key_in_progress", "A request with this key is in progress.")
    return record.complaint


@dataclass
class _Filing:
    """One filing attempt: what was sent, who files, and the files stored from the request."""

    form: _Request
    principal: Principal
    filer: Filer
    uploaded: list[Evidence]
    upload_errors: list[FieldError]

    def file(self) -> Complaint:
        """Attach the named evidence and file; raises SubmissionRefused with every problem.

        Evidence ids are looked up here, inside the idempotent transaction when there is
        one: a concurrent retry finds them attached only after it has found the key taken.
        """
        data = self.form.data
        evidence, errors = _evidence_by_id(self.principal, data.type, data.evidence)
        previous = None
        if data.previous_case:
            previous = case_to_submit_again(self.filer.user, data.previous_case, data.type)
            if previous is None:
                errors.append(FieldError(
                    "previous_case", "previous_case_invalid",
                    f"{data.previous_case} is not a decided {data.type} complaint of yours: "
                    "give the CASE-... reference of the case you submit again, or leave it out.",
                ))  # fmt: skip
        submission = Submission(
            type_key=data.type,
            target=data.target,
            answers=data.answers,
            evidence=[*evidence, *self.uploaded],
            agreement=data.agreement,
        )
        if errors or self.upload_errors:
            others = _other_problems(submission, self.filer)
            raise SubmissionRefused([*errors, *self.upload_errors, *others])
        return file_complaint(
            submission=submission, filer=self.filer, via="api", previous_case=previous
        ).complaint


def _file_once(filing: _Filing, *, scope: str, key: str, digest: str) -> tuple[Complaint, bool]:
    """File under an idempotency key: the key's unique row decides which request files.

    The key is inserted first, in the transaction that files, so a concurrent retry waits
    on it (PostgreSQL: the unique index; SQLite: the write lock) and then replays; a refused
    request rolls its key back, so a corrected retry with the same key can still file.
    """
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(scope=scope, key=key, request_digest=digest)
            record.complaint = filing.file()
            record.save(update_fields=["complaint"])
        return record.complaint, False
    except IntegrityError:
        complaint = _stored_complaint(scope, key, digest)
        if complaint is None:
            raise
        return complaint, True


def _check_rate(request: HttpRequest, principal: Principal, filer: Filer) -> None:
    # The service's address is the marketplace's own: it is limited per member, not per IP.
    refusal = check_filing_rate(
        user_id=filer.user.pk if filer.user is not None else None,
        ip=None if principal.is_service else client_ip(request.META),
    )
    if refusal is not None:
        problem = _field_problem(429, "rate_limited", "body", refusal.message)
        problem.headers["Retry-After"] = str(refusal.retry_after)
        raise problem


def _evidence_by_id(
    principal: Principal, type_key: str, ids: list[str]
) -> tuple[list[Evidence], list[FieldError]]:
    """The caller's uploads not yet attached to a complaint; anything else is not found."""
    wanted: dict[str, str] = {}  # the id as stored -> as given
    for value in dict.fromkeys(i.strip() for i in ids if i.strip()):
        wanted[_normal_uuid(value) or value] = value
    found = {
        str(e.public_id): e
        for e in Evidence.objects.filter(
            public_id__in=[k for k in wanted if _normal_uuid(k)],
            complaints__isnull=True,
            **_owned_by(principal),
        )
    }
    errors: list[FieldError] = []
    evidence = []
    for key, given in wanted.items():
        item = found.get(key)
        if item is None:
            errors.append(FieldError(
                EVIDENCE, "evidence_not_found",
                f"No file {given} of yours is waiting to be attached. Upload it with "
                "POST /api/v1/evidence; a file already attached to a complaint cannot be reused.",
                {"file": given},
            ))  # fmt: skip
        elif item.type_key != type_key:
            errors.append(FieldError(
                EVIDENCE, "evidence_type_mismatch",
                f"{item.safe_name} was checked against the evidence rules of another type "
                f"({item.type_key}); upload it again with ?type={type_key}.",
                {"file": given},
            ))  # fmt: skip
        else:
            evidence.append(item)
    return evidence, errors


def _normal_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _store_uploads(
    principal: Principal, type_key: str, uploads: list[UploadedFile]
) -> tuple[list[Evidence], list[FieldError]]:
    stored, errors = [], []
    for upload in uploads:
        try:
            stored.append(
                store_evidence(
                    upload,
                    filename=upload.name or "file",
                    type_key=type_key,
                    **_uploader(principal),
                )
            )
        except EvidenceError as exc:
            errors.append(FieldError(EVIDENCE, exc.code, exc.message, {"file": exc.filename}))
    return stored, errors


def _api_field(error: FieldError, complaint_type: ComplaintType | None) -> str:
    if error.field == NON_FIELD:
        return "body"
    if complaint_type is not None and complaint_type.field(error.field) is not None:
        return f"answers.{error.field}"
    return error.field


def _refusal(errors: list[FieldError], complaint_type: ComplaintType | None) -> Problem:
    shown = [{**e.as_dict(), "field": _api_field(e, complaint_type)} for e in errors]
    codes = list(dict.fromkeys(e.code for e in errors))
    duplicate = next((e for e in errors if e.code == "duplicate_complaint"), None)
    if duplicate is not None:
        return Problem(409, duplicate.code, duplicate.message, errors=shown)
    if len(errors) == 1:
        detail = f"Nothing was filed: {errors[0].message}"
    else:
        detail = f"Nothing was filed: {len(errors)} problems, listed field by field in errors."
    return Problem(
        422,
        codes[0] if len(codes) == 1 else "submission_refused",
        detail,
        errors=shown,
    )


def _other_problems(submission: Submission, filer: Filer) -> list[FieldError]:
    """With evidence refused, the other checks still run, so every problem is told at once."""
    try:
        check_submission(get_policy(), submission, filer)
    except SubmissionRefused as refused:
        return [e for e in refused.errors if e.field != EVIDENCE]
    return []


@router.post(
    "/complaints",
    response={
        201: ComplaintOut,
        400: ProblemDetails,
        401: ProblemDetails,
        403: ProblemDetails,
        409: FilingProblem,
        415: ProblemDetails,
        422: FilingProblem,
        429: FilingProblem,
    },
    summary="File a complaint, report or dispute",
    description=(
        "JSON with evidence ids from POST /evidence, or multipart/form-data with the files "
        "under `evidence` (and `answers` as a JSON string). Refusals are problem details "
        "whose `errors` name each field (`answers.<name>` for the type's fields) with the "
        "same codes as the forms. A user token files as its user; the marketplace's service "
        "token files for the member named in `on_behalf_of` (a member without an account "
        "confirms by email first: status `unconfirmed`). With an `Idempotency-Key` header, "
        "a retry returns the complaint the first request made (`Idempotent-Replayed: true`)."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ComplaintIn.model_json_schema()},
                "multipart/form-data": {"schema": MULTIPART_COMPLAINT_SCHEMA},
            },
        }
    },
)
def create_complaint(
    request: HttpRequest,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> JsonResponse:
    principal: Principal = request.auth  # type: ignore[attr-defined]
    form = _read_request(request)
    complaint_type = _known_type(form.data.type)
    filer = _filer(principal, form.data.on_behalf_of)
    scope, digest = _scope(principal), ""
    if idempotency_key is not None:
        _check_key(idempotency_key)
        digest = _request_digest(form)
        earlier = _stored_complaint(scope, idempotency_key, digest)
        if earlier is not None:
            return _filed_response(earlier, replayed=True)
    _check_rate(request, principal, filer)
    uploaded, upload_errors = _store_uploads(principal, form.data.type, form.uploads)
    filing = _Filing(form, principal, filer, uploaded, upload_errors)
    try:
        if idempotency_key is None:
            complaint, replayed = filing.file(), False
        else:
            complaint, replayed = _file_once(
                filing, scope=scope, key=idempotency_key, digest=digest
            )
    except SubmissionRefused as refused:
        raise _refusal(refused.errors, complaint_type) from refused
    return _filed_response(complaint, replayed=replayed)


def _filed_response(complaint: Complaint, *, replayed: bool) -> JsonResponse:
    """The complaint as its complainant sees it: the same body for a filing and its replays."""
    if complaint.complainant_id is not None:
        view = view_for(complaint.reference, complaint.complainant)
    else:
        view = view_for(complaint.reference, None, visitor_complaint=complaint)
    assert view is not None
    response = JsonResponse(_complaint_out(view).model_dump(), status=201)
    response["Location"] = reverse(
        "api:complaint_detail", kwargs={"reference": complaint.reference}
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


# --- reading ---------------------------------------------------------------------------------


def _named_answers(complaint_type: ComplaintType, rows: list[tuple[str, str]]) -> list[AnswerOut]:
    """The view's (label, value) rows, with the name of the field each comes from.

    The rows follow the type's fields in order (some skipped), so walking both finds it.
    """
    fields = iter(complaint_type.fields)
    named = []
    for label, value in rows:
        name = next((f.name for f in fields if f.label == label), None)
        named.append(AnswerOut(field=name, label=label, value=value))
    return named


def _party(complaint: Complaint, *, with_email: bool) -> PartyOut:
    member = complaint.complainant_member
    return PartyOut(
        name=complaint.complainant_name,
        email=complaint.complainant_email if with_email else None,
        member_id=member.member_id if member is not None else None,
    )


def question_status(request: InformationRequest) -> str:
    if request.answered_at is not None:
        return "answered"
    return "expired" if request.expired_at is not None else "open"


def _questions(case: Case | None, role: str) -> list[QuestionOut]:
    """The questions to the viewer's own party; agents see every question."""
    if case is None:
        return []
    requests = case.information_requests.order_by("created_at", "pk")
    if role in (COMPLAINANT, RESPONDENT):
        requests = requests.filter(party=role)
    return [
        QuestionOut(
            id=r.pk, question=r.question, deadline=r.deadline, status=question_status(r),
            asked_at=r.created_at,
        )
        for r in requests
    ]  # fmt: skip


def decision_out(case: Case | None) -> DecisionOut | None:
    """The outcome and statement of reasons, as both parties may read them; None until decided.

    Nothing here names a complainant: the statement holds what the agent wrote and the
    policy's words, sanctions name the listing by its public title.
    """
    if case is None or case.decided_at is None or not case.statement:
        return None
    policy = get_policy()
    outcome = policy.outcomes.get(case.outcome)
    appeal = case.appeals.order_by("-opened_at").first()
    sanctions = case.sanctions.select_related("listing").order_by("starts_at", "pk")
    statement = case.statement
    return DecisionOut(
        outcome=case.outcome,
        outcome_label=outcome.label if outcome else case.outcome,
        decided_at=case.decided_at,
        statement=ReasonsOut(
            decision=statement.get("decision", ""), scope=statement.get("scope", ""),
            facts=statement.get("facts", ""),
            automated_means=bool(statement.get("automated_means", False)),
            ground=statement.get("ground", ""), redress=statement.get("redress", ""),
        ),
        sanctions=[
            SanctionBriefOut(
                kind=s.kind,
                label=policy.sanctions[s.kind].label if s.kind in policy.sanctions else s.kind,
                listing=s.listing.title if s.listing else None, starts_at=s.starts_at,
                ends_at=s.ends_at, lifted_at=s.lifted_at,
            )
            for s in sanctions
        ],
        appeal=AppealBriefOut(
            status=appeal.result or "open", opened_at=appeal.opened_at,
            decided_at=appeal.decided_at, statement=appeal.statement,
        )
        if appeal is not None
        else None,
    )  # fmt: skip


def evidence_items(evidence: list[Evidence]) -> list[EvidenceItemOut]:
    return [
        EvidenceItemOut(
            id=e.public_id, name=e.safe_name, size=e.size, format=e.format, sha256=e.sha256
        )
        for e in evidence
    ]


def _statement_brief(statement: PartyStatement, *, yours: bool) -> PartyStatementBriefOut:
    return PartyStatementBriefOut(
        party=statement.party, yours=yours,
        kind="information" if statement.request_id else "answer",
        question=statement.request.question if statement.request_id else None,
        text=statement.text, evidence=evidence_items(list(statement.evidence.all())),
        created_at=statement.created_at,
    )  # fmt: skip


def _complaint_out(
    view: CaseView,
    statements: tuple[list[PartyStatement], list[PartyStatement]] = ([], []),
) -> ComplaintOut:
    """The complaint as the viewer sees it; `statements`: the parties' statements the viewer
    reads (theirs, the other party's; `party_statements`)."""
    complaint_type = view.complaint_type
    # The selectors already hide reporters from respondents; this keeps it so if they change.
    anonymous = view.role == RESPONDENT and complaint_type.reporter_anonymous
    source = view.complaint or (view.complaints[0] if view.complaints else None)
    complainant = None
    if view.show_complainant and not anonymous and source is not None:
        complainant = _party(source, with_email=view.role != RESPONDENT)
    filings = []
    if view.role == AGENT:
        filings = [
            FilingOut(
                reference=c.reference,
                created_at=c.created_at,
                complainant=_party(c, with_email=True),
            )
            for c in view.complaints
        ]
    created_at = view.complaint.created_at if view.complaint else view.case.created_at  # type: ignore[union-attr]
    return ComplaintOut(
        reference=view.reference,
        case_reference=view.case.reference if view.case else None,
        role=view.role,
        type=view.type_key,
        type_label=complaint_type.label,
        kind=complaint_type.kind,
        status=view.status,
        status_label=view.status_label,
        created_at=created_at,
        due_at=view.due_at,
        time_left=view.time_left,
        target=target_label(view.complaint, view.case),
        answers=_named_answers(complaint_type, view.answers),
        complainant=complainant,
        complaints=filings,
        evidence=evidence_items(view.evidence),
        statements=[_statement_brief(statement, yours=True) for statement in statements[0]]
        + [_statement_brief(statement, yours=False) for statement in statements[1]],
        timeline=[TimelineEntryOut(at=entry.at, text=entry.text) for entry in view.timeline],
        questions=_questions(view.case, view.role),
        respondent_answer_due_at=(
            view.case.respondent_answer_due_at
            if view.case is not None and view.role in (RESPONDENT, AGENT)
            else None
        ),
        decision=decision_out(view.case),
    )


@router.get(
    "/complaints/{reference}",
    response={200: ComplaintOut, **PROBLEMS},
    url_name="complaint_detail",
    summary="A complaint (CMP-...) or case (CASE-...) as the caller may see it",
    description="The complainant reads their complaint; the respondent and the agents of the "
    "case's department read the case. Anyone else gets 404, as if it did not exist.",
)
def get_complaint(request: HttpRequest, reference: str) -> ComplaintOut:
    user = request.auth.user  # type: ignore[attr-defined]
    view = view_for(reference.strip().upper(), user) if user is not None else None
    if view is None:
        raise Problem(404, "not_found", "No complaint with this reference is visible to you.")
    return _complaint_out(view, party_statements(view, user))


@router.get(
    "/me/complaints",
    response={200: ComplaintList, **PROBLEMS, 422: ProblemDetails},
    summary="My Reports: the complaints I sent, or the cases I received",
)
def my_complaints(
    request: HttpRequest,
    box: Literal["sent", "received"] = "sent",
    status: str = "",
    type_key: str = Query("", alias="type"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> ComplaintList:
    user = request.auth.user  # type: ignore[attr-defined]
    if user is None:
        raise Problem(403, "forbidden", "The marketplace's service token has no complaints.")
    statuses = {"open", *CaseStatus.values} | ({"unconfirmed"} if box == "sent" else set())
    if status and status not in statuses:
        message = f"status is one of {', '.join(sorted(statuses))}."
        raise _field_problem(422, "invalid_choice", "status", message)
    if type_key:
        _known_type(type_key)
    types = get_policy().types
    items = []
    if box == "sent":
        complaints = sent_complaints(user, status=status or None, type_key=type_key or None)
        count = complaints.count()
        for complaint in complaints[offset : offset + limit]:
            code, label = status_of(complaint)
            items.append(ComplaintListItem(
                reference=complaint.reference, type=complaint.type_key,
                type_label=types[complaint.type_key].label, status=code, status_label=label,
                target=target_label(complaint, complaint.case), created_at=complaint.created_at,
                due_at=complaint.case.due_at if complaint.case else None,
                time_left=time_left(complaint.case),
            ))  # fmt: skip
    else:
        cases = received_cases(user, status=status or None, type_key=type_key or None)
        count = cases.count()
        for case in cases[offset : offset + limit]:
            items.append(ComplaintListItem(
                reference=case.reference, type=case.type_key,
                type_label=types[case.type_key].label, status=case.status,
                status_label=CaseStatus(case.status).label, target=target_label(None, case),
                created_at=case.created_at, due_at=case.due_at, time_left=time_left(case),
            ))  # fmt: skip
    return ComplaintList(box=box, count=count, items=items)
