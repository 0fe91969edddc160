"""What the agent console lists: a department's queue in claim order, its counts, my cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from ombuds.accounts.models import Department
from ombuds.cases.models import QUEUED_STATUSES, WORKED_STATUSES, Case, CaseStatus

QUEUE_PAGE_SIZE = 50


def queue_for_department(department: Department) -> QuerySet[Case]:
    """Cases waiting for an agent, in the order they should be taken."""
    return Case.objects.filter(
        department=department, status__in=QUEUED_STATUSES, assigned_to__isnull=True
    ).order_by("-breached", "due_at", "-reporter_count", "pk")


def agent_departments(agent: Any) -> list[Department]:
    codes = getattr(agent, "department_codes", frozenset())
    return list(Department.objects.filter(code__in=codes, active=True).order_by("name"))


@dataclass(frozen=True)
class DepartmentLoad:
    department: Department
    queued: int = 0
    mine: int = 0
    waiting: int = 0
    breached: int = 0


def department_loads(agent: Any, departments: list[Department]) -> list[DepartmentLoad]:
    """Per department: cases waiting for an agent, mine, waiting for a party, overdue."""
    # One small query per count, each answered from its own index (one aggregate over every
    # open case of a department reads the whole department at scale).
    ours = Case.objects.filter(department__in=departments)
    counts: dict[str, Q] = {
        "queued": Q(status__in=QUEUED_STATUSES, assigned_to__isnull=True),
        "mine": Q(assigned_to=agent, status__in=WORKED_STATUSES),
        "waiting": Q(status=CaseStatus.WAITING),
        "breached": Q(breached=True, status__in=WORKED_STATUSES),
    }
    by_department: dict[int, dict[str, int]] = {d.pk: {} for d in departments}
    for name, condition in counts.items():
        rows = ours.filter(condition).values("department_id").annotate(n=Count("*"))
        for row in rows:
            by_department[row["department_id"]][name] = row["n"]
    return [DepartmentLoad(d, **by_department[d.pk]) for d in departments]


@dataclass
class QueuePage:
    cases: list[Case]
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_position(self) -> int:
        return (self.number - 1) * QUEUE_PAGE_SIZE + 1


def queue_page(department: Department, number: int = 1, total: int | None = None) -> QueuePage:
    """One page of the department's queue, in claim order: one query (and a count if needed)."""
    queue = queue_for_department(department)
    if total is None:
        total = queue.count()
    pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    number = min(max(1, number), pages)
    start = (number - 1) * QUEUE_PAGE_SIZE
    cases = list(queue.select_related("listing", "respondent")[start : start + QUEUE_PAGE_SIZE])
    return QueuePage(cases, number, pages, total)


def agent_cases(agent: Any) -> list[Case]:
    """The cases the agent is working on, most urgent first."""
    return list(
        Case.objects.filter(
            assigned_to=agent, department__code__in=getattr(agent, "department_codes", ())
        )
        .select_related("listing", "respondent", "department")
        .order_by("-breached", "due_at", "pk")[:200]
    )
