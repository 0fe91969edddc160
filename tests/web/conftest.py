"""The people of the test marketplace, for the pages' tests."""

from __future__ import annotations

import pytest

from ombuds.accounts.models import Department, User
from tests.cases.filings import People, make_people


@pytest.fixture
def people() -> People:
    """The marketplace's members, a rights holder, an agent per department, and a second
    agent of listing compliance."""
    people = make_people()
    second = User.objects.create_user("agent-lc-two", "lc2@example.com", "s3cret-pass!")
    second.departments.add(Department.objects.get(code="listing_compliance"))
    people.agents["listing_compliance_2"] = second
    return people
