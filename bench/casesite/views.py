"""A template-free queue page, for when the project has no console queue page yet.

What a console's queue needs at the least: the department's queue length and its first 50
cases in claim order (`queue_for_department(...)[:50]`), with reference, type, target, status,
reporters and time left; agents of the department only. HTML built with `format_html`, no
template, so the figure is the queries plus Django's request cycle.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.utils.html import format_html, format_html_join

from ombuds.accounts.models import Department
from ombuds.cases.read.console import queue_for_department
from ombuds.cases.read.lists import target_label, time_left


@login_required
def queue_page(request: HttpRequest, code: str) -> HttpResponse:
    department = get_object_or_404(Department, code=code)
    if code not in request.user.department_codes:
        return HttpResponseForbidden("Agents of this department only.")
    queue = queue_for_department(department)
    count = queue.count()
    cases = list(queue.select_related("listing", "respondent")[:50])
    rows = format_html_join(
        "\n",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                c.reference,
                c.type_key,
                target_label(None, c),
                c.get_status_display(),
                c.reporter_count,
                "breached" if c.breached else time_left(c),
            )
            for c in cases
        ),
    )
    return HttpResponse(
        format_html(
            "<!doctype html><title>{} queue</title><h1>{}: {} waiting</h1><table>{}</table>",
            department.name,
            department.name,
            count,
            rows,
        )
    )
