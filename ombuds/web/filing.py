"""Pages for filing: "What happened?", the form of each type, and the visitor's confirmation.

The forms are rendered from the policy. A sent form goes whole to the filing action
(`ombuds.cases.actions.filing.submit`, the one the API calls too), and the page shows what it
returns: the filing, or the form again with every value typed, every refusal at its field and
every file already accepted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ombuds.cases.actions.filing import (
    VISITOR_EMAIL,
    Filed,
    FilingForm,
    Submitter,
    case_to_submit_again,
    confirm_visitor_report,
    submit,
)
from ombuds.cases.models import Case
from ombuds.cases.visitors import complaint_to_confirm, visitor_token
from ombuds.directory.models import Order
from ombuds.evidence.models import Evidence
from ombuds.intake.checks import EVIDENCE, Filer, filer_errors
from ombuds.intake.errors import FieldError
from ombuds.intake.orders import orders_for
from ombuds.intake.ratelimit import client_ip
from ombuds.policy.loader import get_policy
from ombuds.policy.schema import ComplaintType, OrderRule
from ombuds.web.catalog import CatalogEntry
from ombuds.web.uploads import kept_ids, upload_owner

PREVIOUS = "previous"
TRUE_WORDS = ("on", "true", "1", "yes")


def triage(request: HttpRequest) -> HttpResponse:
    policy = get_policy()
    key = request.GET.get("node") or policy.triage.start
    node = policy.triage.nodes.get(key)
    if node is None:
        raise Http404("No such question.")
    refused = None
    if "refused" in request.GET:
        try:
            refused = node.answers[int(request.GET["refused"])]
        except (ValueError, IndexError):
            refused = None
    answers = []
    for index, answer in enumerate(node.answers):
        if answer.next:
            url = f"{reverse('triage')}?node={answer.next}"
        elif answer.type:
            query = "&".join(f"{k}={v}" for k, v in answer.preset.items())
            url = reverse("file", args=[answer.type]) + (f"?{query}" if query else "")
        else:
            url = f"{reverse('triage')}?node={key}&refused={index}"
        answers.append({"answer": answer, "url": url})
    return render(
        request,
        "web/triage.html",
        {
            "node": node,
            "node_key": key,
            "is_start": key == policy.triage.start,
            "answers": answers,
            "refused": refused,
            "route": policy.types.get(refused.route_to) if refused and refused.route_to else None,
            "route_key": refused.route_to if refused else None,
        },
    )


def _eligible_orders(request: HttpRequest, complaint_type: ComplaintType) -> list[Order]:
    rule = next((r for r in complaint_type.eligibility if isinstance(r, OrderRule)), None)
    user = request.user
    if rule is None or not user.is_authenticated or user.member_id is None:
        return []
    orders = orders_for(user.member_id, rule, get_policy()).select_related("listing")
    return list(orders.order_by("-paid_at")[:50])


def _values(request: HttpRequest, complaint_type: ComplaintType) -> dict[str, Any]:
    values: dict[str, Any] = {k: request.POST.get(k, "") for k in request.POST}
    for form_field in complaint_type.fields:
        if form_field.kind == "multichoice":
            values[form_field.name] = request.POST.getlist(form_field.name)
    return values


def file(request: HttpRequest, type_key: str) -> HttpResponse:
    policy = get_policy()
    complaint_type = policy.types.get(type_key)
    if complaint_type is None:
        raise Http404("No such complaint type.")
    if complaint_type.filers.who != "anyone" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    filer = Filer.for_user(request.user) if request.user.is_authenticated else None
    if request.method != "POST":
        values = dict(request.GET.items())
        errors = filer_errors(policy, complaint_type, filer) if filer else []
        return _render_form(request, type_key, complaint_type, values, errors, [])
    values = _values(request, complaint_type)
    form = FilingForm(
        type_key=type_key,
        target=values.get("target", ""),
        answers={f.name: values.get(f.name) for f in complaint_type.fields},
        agreement=values.get("agreement") in TRUE_WORDS,
        evidence_ids=kept_ids(request),
        uploads=request.FILES.getlist("evidence"),
        previous_case=str(values.get(PREVIOUS) or ""),
        visitor_email=values.get(VISITOR_EMAIL, ""),
    )
    submitter = Submitter(filer, upload_owner(request), "web", client_ip(request.META))
    result = submit(form, submitter)
    if result.filed is not None:
        return _after_filing(request, result.filed)
    status = 429 if result.retry_after is not None else 400
    response = _render_form(
        request, type_key, complaint_type, values, result.errors, result.evidence, status
    )
    if result.retry_after is not None:
        response["Retry-After"] = str(result.retry_after)
    return response


def _previous_case(request: HttpRequest, type_key: str, values: dict[str, Any]) -> Case | None:
    """The decided case this submission follows ("submit again with new information")."""
    return case_to_submit_again(request.user, str(values.get(PREVIOUS) or ""), type_key)


def _after_filing(request: HttpRequest, filed: Filed) -> HttpResponse:
    complaint = filed.complaint
    if filed.awaiting_confirmation and complaint.complainant_id is not None:
        messages.warning(
            request,
            f"Confirm your email address first: we sent a link to {complaint.complainant_email}. "
            "Your report is sent, and the member concerned told, once you open it.",
        )
        return redirect("complaint", complaint.reference)
    if filed.awaiting_confirmation:
        request.session["visitor_complaint"] = complaint.reference
        # Only the link in the email confirms; this key shows the report while it waits.
        key = visitor_token(complaint, until_confirmed=True)
        return redirect(reverse("complaint", args=[complaint.reference]) + "?k=" + key)
    if filed.joined_existing_case:
        messages.info(request, "Others reported the same thing: your report joined their case.")
    return redirect("complaint", complaint.reference)


def _render_form(
    request: HttpRequest,
    type_key: str,
    complaint_type: ComplaintType,
    values: dict[str, Any],
    errors: list[FieldError],
    evidence: list[Evidence],
    status: int = 200,
) -> HttpResponse:
    """The form as typed, with every refusal at its field and the files already accepted."""
    policy = get_policy()
    by_field: dict[str, list[FieldError]] = {}
    for error in errors:
        by_field.setdefault(error.field, []).append(error)
    known_fields = {f.name for f in complaint_type.fields} | {
        "target",
        EVIDENCE,
        "agreement",
        VISITOR_EMAIL,
    }
    general = [e for e in errors if e.field not in known_fields]
    # The summary at the top says where to look: each field with a problem, in form order.
    controls = [
        (VISITOR_EMAIL, "id_visitor_email", "Your email address"),
        ("target", "id_target", complaint_type.target.label),
        *((f.name, f"id_{f.name}", f.label) for f in complaint_type.fields),
        (EVIDENCE, "id_evidence", "Evidence"),
        ("agreement", "id_agreement", "User agreement"),
    ]
    field_links = [
        {"id": control, "label": label, "count": len(by_field[name])}
        for name, control, label in controls
        if by_field.get(name)
    ]
    order_rule = next((r for r in complaint_type.eligibility if isinstance(r, OrderRule)), None)
    fields = []
    for form_field in complaint_type.fields:
        value = values.get(form_field.name, "")
        fields.append(
            {
                "spec": form_field,
                "value": value,
                "values": value if isinstance(value, list) else [value],
                "errors": by_field.get(form_field.name, []),
                "is_order": order_rule is not None and order_rule.field == form_field.name,
            }
        )
    context = {
        "type_key": type_key,
        "type": complaint_type,
        "entry": CatalogEntry(type_key, complaint_type),
        "department": policy.departments[complaint_type.department],
        "fields": fields,
        "target_value": values.get("target", ""),
        "target_errors": by_field.get("target", []),
        "target_from_order": complaint_type.target.identify_by == ["order"],
        "evidence": evidence,
        "evidence_errors": by_field.get(EVIDENCE, []),
        "agreement_checked": values.get("agreement") in TRUE_WORDS,
        "agreement_errors": by_field.get("agreement", []),
        "visitor_email": values.get(VISITOR_EMAIL, ""),
        "visitor_email_errors": by_field.get(VISITOR_EMAIL, []),
        "general_errors": general,
        "field_links": field_links,
        "submitted": request.method == "POST",
        "error_count": len(errors),
        "orders": _eligible_orders(request, complaint_type),
        "agreement_url": policy.marketplace.user_agreement_url,
        "types": policy.types,
        "previous_case": _previous_case(request, type_key, values),
    }
    return render(request, "web/file.html", context, status=status)


def confirm_report(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the visitor's email: a page with a button (GET), which confirms (POST), so
    that mail scanners opening links confirm nothing."""
    if request.method != "POST":
        complaint = complaint_to_confirm(token)
        if complaint is None:
            return render(request, "web/confirm_failed.html", status=400)
        return render(request, "web/confirm_report.html", {"complaint": complaint})
    confirmation = confirm_visitor_report(token)
    if confirmation is None:
        return render(request, "web/confirm_failed.html", status=400)
    complaint = confirmation.complaint
    if confirmation.confirmed_now:
        messages.success(
            request, "Thank you: your email address is confirmed and your report is sent."
        )
    else:
        messages.info(request, "This report was already confirmed: it is under consideration.")
    key = visitor_token(complaint)
    return redirect(reverse("complaint", args=[complaint.reference]) + "?k=" + key)
