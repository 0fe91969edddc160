"""Filing through the API: the request read into a whole submission, handed to the filing
action (`ombuds.cases.actions.filing.submit`, the same the forms use), and its answer returned:
the complaint as its complainant sees it, or every refusal as problem details."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import pydantic
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from ninja import Header, Router, UploadedFile
from ninja.errors import ValidationError

from ombuds.accounts.models import User
from ombuds.accounts.tokens import Principal
from ombuds.api.bodies import load_json
from ombuds.api.evidence import known_type, upload_owner
from ombuds.api.presenters import complaint_out
from ombuds.api.problems import Problem, ProblemDetails, field_problem, submission_problem
from ombuds.api.schemas import MULTIPART_COMPLAINT_SCHEMA, ComplaintIn, ComplaintOut, FilingProblem
from ombuds.cases.actions.filing import FilingForm, Idempotency, Submitter, submit
from ombuds.cases.models import Complaint
from ombuds.cases.read.visibility import view_for
from ombuds.directory.models import Member
from ombuds.intake.checks import Filer
from ombuds.intake.ratelimit import client_ip
from ombuds.intake.text import INVALID_CHARACTERS, first_unusable, unusable_character

router = Router(tags=["complaints"])

IDEMPOTENCY_KEY_MAX = 200
TRUE_WORDS = {"true", "on", "1", "yes"}


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
        except (ValueError, RecursionError) as exc:
            message = (
                'answers must be a JSON object of the type\'s fields, like {"description": "..."}.'
            )
            raise field_problem(422, "invalid_json", "answers", message) from exc
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
        found = first_unusable(data)
        if found is not None:
            where, problem = found
            raise field_problem(422, INVALID_CHARACTERS, where, f"{where}: {problem}.")
    elif request.content_type == "application/json" or request.content_type.endswith("+json"):
        data = load_json(request.body)
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
            raise field_problem(403, "on_behalf_of_forbidden", "on_behalf_of", message)
        return Filer.for_user(principal.user)
    if not on_behalf_of:
        message = "A service token files for a member: give their member ID in on_behalf_of."
        raise field_problem(422, "on_behalf_of_required", "on_behalf_of", message)
    if unusable_character(on_behalf_of):
        message = "No member ID holds such characters."
        raise field_problem(422, "member_not_found", "on_behalf_of", message)
    member = Member.objects.filter(member_id=on_behalf_of.strip()).first()
    if member is None:
        message = f"No member has the member ID {on_behalf_of!r}."
        raise field_problem(422, "member_not_found", "on_behalf_of", message)
    user = User.objects.filter(member=member, is_active=True).first()
    if user is not None:
        return Filer.for_user(user, vouched=True)
    return Filer(email=member.email, member=member, name=member.display_name)


def _idempotency(principal: Principal, key: str, form: _Request) -> Idempotency:
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX or unusable_character(key):
        message = f"An Idempotency-Key is 1 to {IDEMPOTENCY_KEY_MAX} characters (a UUID is best)."
        raise field_problem(422, "idempotency_key_invalid", "Idempotency-Key", message)
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
    scope = str(principal.user.pk) if principal.user is not None else (
        f"service:{principal.token.prefix}"
    )  # fmt: skip
    return Idempotency(scope, key, hashlib.sha256(canonical.encode()).hexdigest())


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
    sent = _read_request(request)
    complaint_type = known_type(sent.data.type)
    filer = _filer(principal, sent.data.on_behalf_of)
    idempotency = (
        None if idempotency_key is None else _idempotency(principal, idempotency_key, sent)
    )
    form = FilingForm(
        type_key=sent.data.type, target=sent.data.target, answers=sent.data.answers,
        agreement=sent.data.agreement, evidence_ids=sent.data.evidence, uploads=sent.uploads,
        previous_case=sent.data.previous_case or "",
    )  # fmt: skip
    # The service's address is the marketplace's own: it is limited per member, not per IP.
    ip = None if principal.is_service else client_ip(request.META)
    result = submit(form, Submitter(filer, upload_owner(principal), "api", ip), idempotency)
    if result.filed is None:
        problem = submission_problem(result.errors, complaint_type)
        if result.retry_after is not None:
            problem.headers["Retry-After"] = str(result.retry_after)
        raise problem
    return filed_response(result.filed.complaint, replayed=result.replayed)


def filed_response(complaint: Complaint, *, replayed: bool) -> JsonResponse:
    """The complaint as its complainant sees it: the same body for a filing and its replays."""
    if complaint.complainant_id is not None:
        view = view_for(complaint.reference, complaint.complainant)
    else:
        view = view_for(complaint.reference, None, visitor_complaint=complaint)
    assert view is not None
    response = JsonResponse(complaint_out(view).model_dump(), status=201)
    response["Location"] = reverse(
        "api:complaint_detail", kwargs={"reference": complaint.reference}
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
