"""Departments follow the policy: one row per department it names."""

from ombuds.accounts.models import Department
from ombuds.policy.loader import get_policy


def sync_departments(using: str = "default") -> list[Department]:
    policy = get_policy()
    departments = []
    for code, spec in policy.departments.items():
        department, _ = Department.objects.using(using).update_or_create(
            code=code,
            defaults={"name": spec.name, "description": spec.description, "active": True},
        )
        departments.append(department)
    Department.objects.using(using).exclude(code__in=policy.departments).update(active=False)
    return departments
