"""The agent console's search: by case or complaint number, member, listing or store URL, and
the words of complaints and answers, over the cases of the agent's departments.

Each kind of match is its own small query served by an index, newest first and capped; the
cases found are then read in one query. On PostgreSQL words are matched by full text: whole
words with English stemming ("photo" finds "photos"), in the stored `search_document` of
complaints and an index on statements (migration cases/0005). On SQLite, the embedded default
for small installations, by LIKE on any part of the text. Names of members match in part on
both.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from ombuds.accounts.models import Department
from ombuds.cases.models import Case, Complaint, PartyStatement
from ombuds.directory.models import Listing, Member, Store
from ombuds.directory.urls import looks_like_url, normalize_url
from ombuds.intake.text import unusable_character

RESULTS = 50
MEMBERS = 100  # members matched by name at most: a longer list means a vaguer name


def search_cases(agent: Any, query: str, limit: int = RESULTS) -> list[Case]:
    """The newest `limit` cases of the agent's departments that match `query`."""
    text = query.strip()[:200]
    if not text or unusable_character(text):
        return []
    # By id, not by joining departments on their code: PostgreSQL then knows how many cases
    # each department holds and picks its plans accordingly.
    departments = list(
        Department.objects.filter(
            code__in=getattr(agent, "department_codes", ()), active=True
        ).values_list("pk", flat=True)
    )
    ours = Case.objects.filter(department__in=departments)
    upper = text.upper()
    if upper.startswith("CASE-"):
        found = ours.filter(reference=upper)
    elif upper.startswith("CMP-"):
        found = ours.filter(pk__in=Complaint.objects.filter(reference=upper).values("case_id"))
    else:
        ids: set[int] = set()
        for case_ids in _matches(ours, departments, text):
            if isinstance(case_ids, QuerySet):
                case_ids = case_ids.order_by("-created_at")[: limit * 4]
            ids.update(case_ids)
        found = ours.filter(pk__in=ids)
    return list(
        found.select_related("listing", "respondent", "department").order_by("-created_at")[:limit]
    )


def _matches(ours: QuerySet[Case], departments: list[int], text: str) -> list[Any]:
    """Case ids (querysets, or lists already read), one per kind of match."""
    filings = Complaint.objects.filter(case__department__in=departments)
    members = list(
        Member.objects.filter(
            Q(member_id__iexact=text) | Q(email=text.lower()) | Q(display_name__icontains=text)
        ).values_list("pk", flat=True)[:MEMBERS]
    )
    matches = [
        ours.filter(respondent__in=members).values_list("pk", flat=True),
        filings.filter(complainant_member__in=members).values_list("case_id", flat=True),
        filings.filter(complainant_email=text.lower()).values_list("case_id", flat=True),
        *_word_matches(departments, filings, text),
    ]
    if looks_like_url(text):
        url = normalize_url(text)
        listings = list(Listing.objects.filter(product_url=url).values_list("pk", flat=True))
        owners = list(
            Store.objects.filter(Q(store_url=url) | Q(minisite_url=url)).values_list(
                "owner_id", flat=True
            )
        )
        matches += [  # each served by its own index: not one query with OR
            ours.filter(listing__in=listings).values_list("pk", flat=True),
            ours.filter(respondent__in=owners).values_list("pk", flat=True),
            filings.filter(listings__in=listings).values_list("case_id", flat=True),
        ]
    return matches


def _word_matches(departments: list[int], filings: QuerySet[Complaint], text: str) -> list[Any]:
    said = PartyStatement.objects.filter(case__department__in=departments)
    if connection.vendor != "postgresql":
        return [
            filings.filter(
                Q(complainant_name__icontains=text)
                | Q(target_input__icontains=text)
                | Q(answers__icontains=text)
            ).values_list("case_id", flat=True),
            said.filter(text__icontains=text).values_list("case_id", flat=True),
        ]
    in_statement = RawSQL(
        "to_tsvector('english', cases_partystatement.text) @@ plainto_tsquery('english', %s)",
        [text],
        output_field=BooleanField(),
    )
    return [
        _complaints_with_words(departments, text),
        said.filter(in_statement).values_list("case_id", flat=True),
    ]


# The newest complaints first, then (when they hold too few matches) all matches through the
# index. One query cannot do both well: PostgreSQL guesses how common a word is, and a wrong
# guess either walks every complaint backwards looking for a rare word or sorts every match of
# a common one (seconds each at a million complaints).
_NEWEST_WITH_WORDS_SQL = """
SELECT recent.case_id FROM (
    SELECT case_id, created_at, search_document FROM cases_complaint
    ORDER BY created_at DESC LIMIT %(window)s
) AS recent JOIN cases_case ON cases_case.id = recent.case_id
WHERE cases_case.department_id = ANY(%(departments)s)
  AND recent.search_document @@ plainto_tsquery('english', %(words)s)
ORDER BY recent.created_at DESC LIMIT %(limit)s
"""
_ALL_WITH_WORDS_SQL = """
WITH matched AS MATERIALIZED (
    SELECT case_id, created_at FROM cases_complaint
    WHERE search_document @@ plainto_tsquery('english', %(words)s)
)
SELECT matched.case_id FROM matched JOIN cases_case ON cases_case.id = matched.case_id
WHERE cases_case.department_id = ANY(%(departments)s)
ORDER BY matched.created_at DESC LIMIT %(limit)s
"""
NEWEST_WINDOW = 20_000


def _complaints_with_words(departments: list[int], text: str) -> list[int]:
    """Cases whose complaints hold every word of `text` (English stems), newest first."""
    params = {
        "window": NEWEST_WINDOW,
        "departments": departments,
        "words": text,
        # Complaints, newest first: several may be of one case (up to 40 reporters share
        # one), so ten times the cases shown. Grouping by case in SQL would read the whole
        # window (and plan a scan of every case of the department) instead of stopping early.
        "limit": RESULTS * 10,
    }
    with connection.cursor() as cursor:
        cursor.execute(_NEWEST_WITH_WORDS_SQL, params)
        found = [row[0] for row in cursor.fetchall()]
        if len(found) < params["limit"]:
            cursor.execute(_ALL_WITH_WORDS_SQL, params)
            found = [row[0] for row in cursor.fetchall()]
    return list(dict.fromkeys(found))
