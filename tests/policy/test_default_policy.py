"""The default policy reproduces the catalog of PRODUCT.md §1, type by type."""

from pathlib import Path

import pytest
from django.conf import settings

from ombuds.policy.loader import load_policy_file
from ombuds.policy.schema import OrderRule, PartyKindsRule, RefuseChoiceRule

DEFAULT = Path(settings.OMBUDS_POLICY_FILE)
MB = 1024 * 1024


@pytest.fixture(scope="module")
def policy():
    return load_policy_file(DEFAULT).policy


def choices(policy, type_key, field):
    return {c.value for c in policy.types[type_key].field(field).choices}


def test_default_policy_is_valid_and_has_every_type(policy):
    assert set(policy.types) == {
        "offline_trade_dispute",
        "order_dispute",
        "ip_rights_holder",
        "copyright",
        "listing_rules",
        "prohibited_goods",
        "phishing",
        "suspicious_behavior",
        "illegal_promotion",
    }
    reports = {k for k, t in policy.types.items() if t.kind == "report"}
    assert len(reports) == 7


def test_departments_and_routing(policy):
    assert set(policy.departments) == {
        "disputes",
        "ip_protection",
        "listing_compliance",
        "security",
        "risk",
        "customer_service",
    }
    route = {k: t.department for k, t in policy.types.items()}
    assert route["offline_trade_dispute"] == route["order_dispute"] == "disputes"
    assert route["ip_rights_holder"] == route["copyright"] == "ip_protection"
    assert route["prohibited_goods"] == route["listing_rules"] == "listing_compliance"
    assert route["phishing"] == "security"
    assert route["suspicious_behavior"] == route["illegal_promotion"] == "risk"


def test_offline_trade_dispute(policy):
    t = policy.types["offline_trade_dispute"]
    assert t.filers.who == "members"
    assert set(t.target.identify_by) == {"email", "member_id", "product_url"}
    assert {"products_not_received", "payment_not_received"} <= choices(
        policy, "offline_trade_dispute", "scam_type"
    )
    party_rules = {
        r.value: (r.complainant, r.respondent)
        for r in t.eligibility
        if isinstance(r, PartyKindsRule)
    }
    assert party_rules == {
        "products_not_received": ("buyer", "supplier"),
        "payment_not_received": ("supplier", "buyer"),
    }
    refused = next(r for r in t.eligibility if isinstance(r, RefuseChoiceRule))
    assert set(refused.values) == {"product_conformity", "damage", "shortage"}
    assert refused.route_to == "order_dispute"
    assert "paid online" in refused.explanation
    assert set(t.evidence.allowed_formats) == {
        "doc",
        "docx",
        "eml",
        "msg",
        "pdf",
        "rar",
        "zip",
        "jpg",
        "gif",
        "xls",
        "xlsx",
    }
    assert t.evidence.max_archive_bytes == 2 * MB
    assert t.evidence.one_file_per_format
    assert t.evidence.visible_to_respondent == "all"
    assert "both parties" in t.evidence.help
    assert not t.reporter_anonymous
    assert "account_disabled" in t.sanctions
    assert (
        max(policy.sanctions[s].severity for s in t.sanctions)
        == policy.sanctions["account_disabled"].severity
    )
    assert t.respondent_answer.days == 5
    assert (t.time_limit.amount, t.time_limit.unit) == (2, "days")


def test_order_dispute(policy):
    t = policy.types["order_dispute"]
    assert t.kind == "dispute"
    assert t.filers.member_kinds == ["buyer"]
    assert choices(policy, "order_dispute", "reason") == {
        "quality",
        "not_as_described",
        "damaged",
        "shortage",
        "wrong_item",
        "late_delivery",
        "not_delivered",
    }
    rule = next(r for r in t.eligibility if isinstance(r, OrderRule))
    assert rule.paid == "online" and rule.within_protection_period
    assert t.respondent_answer.on_no_answer == "rule_for_complainant"
    assert set(t.outcomes) == {
        "full_refund",
        "partial_refund",
        "partial_refund_with_return",
        "no_refund",
    }
    assert policy.marketplace.buyer_protection_days > 0


def test_rights_holder_complaint(policy):
    t = policy.types["ip_rights_holder"]
    assert t.filers.who == "verified_rights_holders"
    assert t.target.listings == "many" and t.target.max_listings == 300
    assert choices(policy, "ip_rights_holder", "infringement") == {
        "trademark",
        "brand_name",
        "logo",
    }
    assert choices(policy, "ip_rights_holder", "right_type") == {
        "trademark_registration",
        "copyright_registration",
        "patent",
    }
    assert t.strikes.serious
    assert policy.repeat_infringer.points_valid_days == 365
    assert any(
        th.serious_violations == 3 and th.propose == "account_disabled"
        for th in policy.repeat_infringer.thresholds
    )


def test_report_sub_reasons(policy):
    assert choices(policy, "copyright", "copied_material") == {
        "photos",
        "texts",
        "personal_data",
        "logo",
    }
    assert choices(policy, "listing_rules", "violation") == {
        "duplicate_listing",
        "bait_price",
        "off_platform_payment",
        "off_platform_delivery",
        "other_publication_abuse",
    }
    assert choices(policy, "phishing", "phishing_kind") == {
        "credential_message",
        "credential_page",
        "malware_link",
    }
    assert choices(policy, "suspicious_behavior", "behavior") == {
        "fraudulent_operations",
        "fake_identity",
        "unreliable_seller",
    }
    assert choices(policy, "illegal_promotion", "method") == {
        "fake_orders",
        "rating_manipulation",
        "artificial_traffic",
    }


def test_every_prohibited_goods_category(policy):
    assert choices(policy, "prohibited_goods", "category") == {
        "firearms",
        "police_equipment",
        "cold_weapons",
        "cartridges_bullets",
        "flammable_explosive",
        "poisons",
        "dangerous_pyrotechnics",
        "restricted_medicines",
        "prescription_drugs",
        "drugs_without_instructions",
        "software_licenses",
        "malware",
        "narcotics",
        "adult_materials",
        "endangered_plants",
        "endangered_animals",
        "undeliverable_goods",
    }
    assert policy.types["prohibited_goods"].urgent
    assert policy.types["phishing"].urgent


def test_every_report_is_anonymous_english_with_agreement_and_5mb_files(policy):
    for key, t in policy.types.items():
        if t.kind != "report":
            continue
        assert t.requires_agreement, key
        assert t.evidence.max_file_bytes == 5 * MB, key
        assert policy.languages_for(key) == ["en"], key
        if key != "ip_rights_holder":
            assert t.filers.who == "anyone", key
            assert t.reporter_anonymous, key
        assert any(f.kind == "longtext" and f.checks_language for f in t.fields), key


def test_every_choice_has_help_text(policy):
    for key, t in policy.types.items():
        for field in t.fields:
            assert field.help, (key, field.name)
            for choice in field.choices:
                assert choice.help and choice.label, (key, field.name, choice.value)


def test_triage_leads_to_every_type_and_refuses_offline_conformity(policy):
    triage = policy.triage
    reached = {a.type for node in triage.nodes.values() for a in node.answers if a.type}
    assert reached == set(policy.types)
    offline = triage.nodes["offline_order_problem"]
    refusal = next(a for a in offline.answers if a.refuse)
    assert refusal.route_to == "order_dispute"
    online = triage.nodes["online_order_problem"]
    assert {a.type for a in online.answers} == {"order_dispute"}
