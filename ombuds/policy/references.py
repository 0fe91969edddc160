"""Checks that the parts of a policy which name each other name things that exist."""

from __future__ import annotations

from collections.abc import Iterator

from ombuds.policy.schema import (
    ComplaintType,
    OrderRule,
    PartyKindsRule,
    Policy,
    RefuseChoiceRule,
)


def _known(kind: str, name: str, known: object) -> str:
    return f"unknown {kind} {name!r} (known: {', '.join(sorted(known))})"  # type: ignore[arg-type]


def reference_problems(policy: Policy) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for key, complaint_type in policy.types.items():
        problems.extend(_type_problems(policy, f"types.{key}", complaint_type))
    problems.extend(_repeat_infringer_problems(policy))
    problems.extend(_triage_problems(policy))
    return problems


def _type_problems(policy: Policy, path: str, t: ComplaintType) -> Iterator[tuple[str, str]]:
    if t.department not in policy.departments:
        yield f"{path}.department", _known("department", t.department, policy.departments)
    for i, outcome in enumerate(t.outcomes):
        if outcome not in policy.outcomes:
            yield f"{path}.outcomes.{i}", _known("outcome", outcome, policy.outcomes)
    for i, sanction in enumerate(t.sanctions):
        if sanction not in policy.sanctions:
            yield f"{path}.sanctions.{i}", _known("sanction", sanction, policy.sanctions)
    if t.target.listings != "none" and "product_url" not in t.target.identify_by:
        yield f"{path}.target.identify_by", "a target with listings must accept product_url"
    if t.evidence.max_archive_bytes > t.evidence.archive_max_uncompressed_bytes:
        yield (
            f"{path}.evidence.archive_max_uncompressed_bytes",
            "must not be smaller than max_archive_bytes",
        )
    for i, rule in enumerate(t.eligibility):
        yield from _rule_problems(policy, f"{path}.eligibility.{i}", t, rule)


def _rule_problems(
    policy: Policy,
    path: str,
    t: ComplaintType,
    rule: PartyKindsRule | RefuseChoiceRule | OrderRule,
) -> Iterator[tuple[str, str]]:
    field = t.field(rule.field)
    if field is None:
        yield f"{path}.field", _known("field", rule.field, [f.name for f in t.fields])
        return
    values = {c.value for c in field.choices}
    if isinstance(rule, PartyKindsRule | RefuseChoiceRule) and field.kind != "choice":
        yield f"{path}.field", f"field {rule.field!r} must be a choice field"
        return
    if isinstance(rule, PartyKindsRule) and rule.value not in values:
        yield f"{path}.value", _known(f"choice of {rule.field}", rule.value, values)
    if isinstance(rule, RefuseChoiceRule):
        for j, value in enumerate(rule.values):
            if value not in values:
                yield f"{path}.values.{j}", _known(f"choice of {rule.field}", value, values)
        if rule.route_to is not None and rule.route_to not in policy.types:
            yield f"{path}.route_to", _known("type", rule.route_to, policy.types)
    if isinstance(rule, OrderRule) and field.kind != "text":
        yield f"{path}.field", f"field {rule.field!r} must be a text field holding an order number"


def _repeat_infringer_problems(policy: Policy) -> Iterator[tuple[str, str]]:
    for i, threshold in enumerate(policy.repeat_infringer.thresholds):
        path = f"repeat_infringer.thresholds.{i}.propose"
        sanction = policy.sanctions.get(threshold.propose)
        if sanction is None:
            yield path, _known("sanction", threshold.propose, policy.sanctions)
        elif sanction.applies_to != "member":
            yield path, "must be a sanction that applies to a member"


def _triage_problems(policy: Policy) -> Iterator[tuple[str, str]]:
    triage = policy.triage
    if triage.start not in triage.nodes:
        yield "triage.start", _known("node", triage.start, triage.nodes)
        return
    reached_types: set[str] = set()
    for node_key, node in triage.nodes.items():
        for i, answer in enumerate(node.answers):
            path = f"triage.nodes.{node_key}.answers.{i}"
            if answer.next is not None and answer.next not in triage.nodes:
                yield f"{path}.next", _known("node", answer.next, triage.nodes)
            if answer.route_to is not None and answer.route_to not in policy.types:
                yield f"{path}.route_to", _known("type", answer.route_to, policy.types)
            if answer.type is None:
                continue
            target = policy.types.get(answer.type)
            if target is None:
                yield f"{path}.type", _known("type", answer.type, policy.types)
                continue
            reached_types.add(answer.type)
            for field_name, value in answer.preset.items():
                field = target.field(field_name)
                if field is None or field.kind != "choice":
                    yield (
                        f"{path}.preset.{field_name}",
                        f"{answer.type} has no choice field of that name",
                    )
                elif value not in {c.value for c in field.choices}:
                    yield (
                        f"{path}.preset.{field_name}",
                        _known("choice", value, [c.value for c in field.choices]),
                    )
    yield from _triage_shape_problems(policy)
    for type_key in policy.types:
        if type_key not in reached_types:
            yield f"types.{type_key}", "no triage answer leads to this type"


def _triage_shape_problems(policy: Policy) -> Iterator[tuple[str, str]]:
    """Every node is reachable from the start, and no path loops back on itself."""
    nodes = policy.triage.nodes
    seen: set[str] = set()
    on_path: set[str] = set()
    loops: list[str] = []

    def visit(key: str) -> None:
        seen.add(key)
        on_path.add(key)
        for answer in nodes[key].answers:
            if answer.next is None or answer.next not in nodes:
                continue
            if answer.next in on_path:
                loops.append(key)
            elif answer.next not in seen:
                visit(answer.next)
        on_path.discard(key)

    visit(policy.triage.start)
    for key in loops:
        yield f"triage.nodes.{key}", "an answer leads back to an earlier question (a loop)"
    for key in nodes:
        if key not in seen:
            yield f"triage.nodes.{key}", "cannot be reached from triage.start"
