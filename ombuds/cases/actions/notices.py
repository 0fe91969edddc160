"""Who is told what about a case: by email and by the bell, queued in the action's transaction."""

from __future__ import annotations

from typing import Any

from ombuds.accounts.models import User
from ombuds.cases.links import absolute, complaint_path
from ombuds.cases.models import Case
from ombuds.cases.rules import COMPLAINANT
from ombuds.cases.visitors import complaint_link
from ombuds.notify.inbox import notify_user
from ombuds.notify.outbox import queue_email
from ombuds.policy.loader import get_policy


def tell_party(case: Case, party: str, *, kind: str, title: str, text: str) -> None:
    """Email and bell for every person of a party; complainants get their own complaint link
    (visitors with its signed key), the respondent the case's page."""
    type_label = get_policy().types[case.type_key].label
    if party == COMPLAINANT:
        for complaint in case.complaints.select_related("complainant"):
            _tell(complaint.complainant_email, complaint.complainant, kind, title, text,
                  complaint_link(complaint), complaint.reference, type_label)  # fmt: skip
    elif case.respondent is not None:
        member = case.respondent
        link = absolute(complaint_path(case.reference))
        _tell(member.email, getattr(member, "user", None), kind, title, text, link,
              case.reference, type_label)  # fmt: skip


def tell_agent(case: Case, agent: User, *, kind: str, title: str, text: str) -> None:
    """Email and bell for an agent, linking to the case in the console."""
    path = complaint_path(case.reference)
    type_label = get_policy().types[case.type_key].label
    if agent.email:
        _tell(agent.email, agent, kind, title, text, absolute(path), case.reference, type_label)
    else:
        notify_user(agent, kind=kind, title=title, url=path)


def ring_department(case: Case, *, kind: str, title: str, skip: int | None = None) -> None:
    """The bell of every active agent of the case's department (but `skip`)."""
    for agent in User.objects.filter(departments=case.department_id, is_active=True):
        if agent.pk != skip:
            notify_user(agent, kind=kind, title=title, url=complaint_path(case.reference))


def ring_assignee(case: Case, *, kind: str, title: str) -> None:
    if case.assigned_to is not None:
        notify_user(case.assigned_to, kind=kind, title=title, url=complaint_path(case.reference))


def _tell(
    email: str,
    user: Any,
    kind: str,
    title: str,
    text: str,
    link: str,
    reference: str,
    type_label: str,
) -> None:
    notify_user(user, kind=kind, title=title, url=link.removeprefix(absolute("")))
    queue_email(
        to=email,
        template="case_update",
        context={
            "title": title,
            "text": text,
            "link": link,
            "reference": reference,
            "type_label": type_label,
        },
    )
