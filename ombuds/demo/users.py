"""The demo's people: one user for every role, each with the password `demo`."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from ombuds.accounts.departments import sync_departments
from ombuds.accounts.models import Department, User
from ombuds.directory.models import Member

DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    member_id: str | None = None
    departments: tuple[str, ...] = ()
    operator: bool = False
    rights_holder: bool = False
    email: str = ""


ALL = ("*",)
DEMO_USERS = [
    DemoUser("buyer", "member (buyer)", "us1001anna"),
    DemoUser("buyer2", "member (buyer)", "de1002jonas"),
    DemoUser("supplier", "member (supplier)", "cn2001bright"),
    DemoUser("supplier2", "member (supplier)", "cn2002sunrise"),
    DemoUser(
        "rightsholder",
        "verified rights holder, not a member",
        rights_holder=True,
        email="legal@nordlicht-brands.example",
    ),
    DemoUser("agent", "agent in every department", departments=ALL, email="agent@ombuds.example"),
    DemoUser("agent2", "agent in every department", departments=ALL, email="agent2@ombuds.example"),
    DemoUser("operator", "operator (administration)", operator=True, email="ops@ombuds.example"),
]


def department_agents() -> list[DemoUser]:
    """One more agent per department, named after it (for example `agent_disputes`)."""
    return [
        DemoUser(
            f"agent_{d.code}",
            f"agent in {d.name}",
            departments=(d.code,),
            email=f"agent.{d.code}@ombuds.example",
        )
        for d in Department.objects.filter(active=True)
    ]


def ensure_demo_users() -> list[DemoUser]:
    sync_departments()
    people = DEMO_USERS + department_agents()
    for person in people:
        member = Member.objects.get(member_id=person.member_id) if person.member_id else None
        user = User.objects.filter(username=person.username).first() or User(
            username=person.username
        )
        user.email = member.email if member else person.email
        user.member = member
        user.email_verified_at = user.email_verified_at or timezone.now()
        user.is_operator = person.operator
        user.is_staff = person.operator
        user.is_superuser = person.operator
        user.rights_holder_verified_at = (
            (user.rights_holder_verified_at or timezone.now()) if person.rights_holder else None
        )
        if member:
            user.first_name, _, user.last_name = member.display_name.partition(" ")
        user.set_password(DEMO_PASSWORD)
        user.save()
        codes = person.departments
        departments = Department.objects.filter(active=True)
        user.departments.set(departments if codes == ALL else departments.filter(code__in=codes))
    return people
