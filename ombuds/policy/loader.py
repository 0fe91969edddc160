"""Loading and validating policy files, with every problem reported at its path."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from pydantic import ValidationError

from ombuds.policy.references import reference_problems
from ombuds.policy.schema import Policy

_RULE_KINDS = {"party_kinds", "refuse_choice", "order"}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PolicyError(Exception):
    """A policy file that cannot be used; `problems` lists every reason."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(map(str, problems)))


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    digest: str
    text: str
    source: str


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice instead of keeping the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known setting here (check its spelling and indentation)"
    if kind == "string_pattern_mismatch":
        return "must be lowercase letters, digits and underscores, starting with a letter"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}"
    if kind in ("int_type", "int_parsing"):
        return "must be an integer"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    if kind == "string_type":
        return "must be text"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "list_type":
        return "must be a list"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "must be a mapping of keys to values"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} item(s)"
    if kind == "union_tag_invalid":
        return f"kind must be one of {ctx.get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        return "needs a kind"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return message[:1].lower() + message[1:]


def _path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for index, part in enumerate(loc):
        follows_index = index > 0 and isinstance(loc[index - 1], int)
        if follows_index and part in _RULE_KINDS:
            continue
        parts.append(str(part))
    return ".".join(parts)


def parse_policy(text: str, source: str = "<policy>") -> LoadedPolicy:
    """Parse and validate a policy's YAML text, or raise PolicyError with every problem."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(source, [Problem(where, f"not valid YAML: {reason}")]) from exc
    if not isinstance(data, dict):
        raise PolicyError(source, [Problem("", "a policy file must be a YAML mapping")])
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(_path(e["loc"]), _pydantic_message(e)) for e in exc.errors()]
        raise PolicyError(source, problems) from exc
    problems = [Problem(path, message) for path, message in reference_problems(policy)]
    if problems:
        raise PolicyError(source, problems)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return LoadedPolicy(policy=policy, digest=digest, text=text, source=source)


def load_policy_file(path: str | Path) -> LoadedPolicy:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(str(path), [Problem("", f"cannot be read: {exc}")]) from exc
    return parse_policy(text, source=str(path))


_cache: dict[tuple[str, int], LoadedPolicy] = {}


def get_loaded_policy() -> LoadedPolicy:
    """The configured policy, re-read when its file changes. Raises PolicyError if invalid."""
    path = Path(settings.OMBUDS_POLICY_FILE)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise PolicyError(str(path), [Problem("", f"cannot be read: {exc}")]) from exc
    key = (str(path), stamp)
    if key not in _cache:
        loaded = load_policy_file(path)
        _cache.clear()
        _cache[key] = loaded
    return _cache[key]


def get_policy() -> Policy:
    return get_loaded_policy().policy
