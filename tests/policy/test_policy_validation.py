"""Invalid policies are refused with every problem at its path in the file."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from ombuds.policy.loader import PolicyError, parse_policy

DEFAULT_TEXT = Path(settings.OMBUDS_POLICY_FILE).read_text()


def mutated(change) -> str:
    data = yaml.safe_load(DEFAULT_TEXT)
    change(data)
    return yaml.safe_dump(data, sort_keys=False)


def problems_of(text: str) -> list[str]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text)
    return [str(p) for p in info.value.problems]


def set_path(path: str, value):
    def change(data):
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            "types.offline_trade_dispute.evidence.max_archive_bytes",
            -5,
            "types.offline_trade_dispute.evidence.max_archive_bytes: must be a positive integer",
        ),
        (
            "types.offline_trade_dispute.evidence.max_file_bytes",
            "2MB",
            "types.offline_trade_dispute.evidence.max_file_bytes: must be a positive integer",
        ),
        (
            "types.phishing.department",
            "helpdesk",
            "types.phishing.department: unknown department 'helpdesk'",
        ),
        (
            "types.copyright.kind",
            "grievance",
            "types.copyright.kind: must be one of 'complaint', 'report' or 'dispute'",
        ),
        (
            "types.copyright.evidence.allowed_formats.0",
            "exe",
            "types.copyright.evidence.allowed_formats.0: must be one of",
        ),
        (
            "types.phishing.sanctions.0",
            "banishment",
            "types.phishing.sanctions.0: unknown sanction",
        ),
        ("types.phishing.outcomes.0", "maybe", "types.phishing.outcomes.0: unknown outcome"),
        (
            "types.offline_trade_dispute.eligibility.0.value",
            "not_a_choice",
            "types.offline_trade_dispute.eligibility.0.value: unknown choice of scam_type",
        ),
        (
            "types.offline_trade_dispute.eligibility.2.route_to",
            "nowhere",
            "types.offline_trade_dispute.eligibility.2.route_to: unknown type 'nowhere'",
        ),
        (
            "types.offline_trade_dispute.eligibility.0.complainant",
            "wizard",
            "types.offline_trade_dispute.eligibility.0.complainant: must be one of 'buyer' or 'supplier'",
        ),
        (
            "marketplace.url_patterns.product.0",
            "([unclosed",
            "marketplace.url_patterns.product.0: is not a valid regular expression",
        ),
        ("triage.start", "nowhere", "triage.start: unknown node 'nowhere'"),
        (
            "triage.nodes.rule_broken.answers.0.type",
            "unknown_type",
            "triage.nodes.rule_broken.answers.0.type: unknown type 'unknown_type'",
        ),
        (
            "repeat_infringer.thresholds.0.propose",
            "listing_removed",
            "repeat_infringer.thresholds.0.propose: must be a sanction that applies to a member",
        ),
        ("types.phishing.label", "", "types.phishing.label: must not be empty"),
        ("types.phishing.urgent", "sometimes", "types.phishing.urgent: must be true or false"),
    ],
)
def test_each_invalid_value_is_reported_at_its_path(path, value, expected):
    problems = problems_of(mutated(set_path(path, value)))
    assert any(p.startswith(expected) for p in problems), problems


def test_missing_and_unknown_keys():
    def change(data):
        del data["types"]["phishing"]["department"]
        data["types"]["phishing"]["evidence"]["max_size"] = 5
        data["types"]["phishing"]["fields"][0]["choices"][0].pop("help")

    problems = problems_of(mutated(change))
    assert "types.phishing.department: is required" in problems
    assert any(
        p.startswith("types.phishing.evidence.max_size: is not a known setting") for p in problems
    )
    assert "types.phishing.fields.0.choices.0.help: is required" in problems


def test_every_problem_is_reported_not_only_the_first():
    def change(data):
        data["types"]["phishing"]["department"] = "nope"
        data["types"]["copyright"]["outcomes"] = ["nope"]
        data["types"]["listing_rules"]["sanctions"] = ["nope"]

    problems = problems_of(mutated(change))
    assert len([p for p in problems if "nope" in p]) == 3


def test_type_that_no_triage_answer_reaches():
    def change(data):
        data["triage"]["nodes"]["what_happened"]["answers"].pop(4)  # phishing

    assert "types.phishing: no triage answer leads to this type" in problems_of(mutated(change))


def test_triage_loop_and_unreachable_node():
    def change(data):
        data["triage"]["nodes"]["buyer_payment"]["answers"][0] = {
            "label": "Back",
            "next": "what_happened",
        }

    problems = problems_of(mutated(change))
    assert any("triage.nodes.buyer_payment: an answer leads back" in p for p in problems)
    assert "triage.nodes.online_order_problem: cannot be reached from triage.start" in problems


def test_duplicate_choice_values_and_field_names():
    def duplicate_choice(data):
        choices = data["types"]["phishing"]["fields"][0]["choices"]
        choices.append(dict(choices[0]))

    def duplicate_field(data):
        fields = data["types"]["phishing"]["fields"]
        fields.append(dict(fields[-1]))

    assert any(
        "types.phishing.fields.0: duplicate choice values: credential_message" in p
        for p in problems_of(mutated(duplicate_choice))
    )
    assert any(
        "types.phishing.fields: duplicate field names: description" in p
        for p in problems_of(mutated(duplicate_field))
    )


def test_yaml_syntax_error_and_duplicate_key_give_a_line():
    assert problems_of("name: x\n  bad: [\n")[0].startswith("line ")
    duplicate = "name: a\nname: b\n"
    assert "key 'name' is given twice" in problems_of(duplicate)[0]
    assert problems_of("- just\n- a list\n") == ["a policy file must be a YAML mapping"]


def test_policy_check_command(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(mutated(set_path("types.offline_trade_dispute.evidence.max_archive_bytes", 0)))
    result = subprocess.run(
        [sys.executable, "-m", "ombuds.cli", "policy", "check", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert (
        "types.offline_trade_dispute.evidence.max_archive_bytes: must be a positive integer"
        in result.stderr
    )
    good = subprocess.run(
        [sys.executable, "-m", "ombuds.cli", "policy", "check", str(settings.OMBUDS_POLICY_FILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert good.returncode == 0, good.stderr
    assert "valid" in good.stdout and "9 types" in good.stdout


def test_server_refuses_to_start_with_an_invalid_policy(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(mutated(set_path("types.phishing.department", "helpdesk")))
    env = {
        **__import__("os").environ,
        "OMBUDS_POLICY_FILE": str(bad),
        "OMBUDS_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "ombuds.cli", "runserver", "127.0.0.1:0", "--noreload"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode != 0
    assert "types.phishing.department: unknown department 'helpdesk'" in result.stderr
    wsgi = subprocess.run(
        [sys.executable, "-c", "import ombuds.wsgi"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert wsgi.returncode != 0 and "helpdesk" in wsgi.stderr
