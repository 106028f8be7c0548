"""The decision engine (service/decisions.py): every path, per-publisher thresholds, reasons."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from service.decisions.engine import RuleHit, Verdict, apply_policy

DEFAULT_POLICY = json.loads((Path(__file__).resolve().parents[1] / "config/policy.default.json").read_text())
SOURCES = {
    "toxicity": "detoxify@original-0.5.4",
    "defamation": "defamation@rules-1",
    "personal": "personal@rules-1",
    "spam": "spam@rules-1",
    "infringing": "verbatim-copy@rules-1",
}


def run(
    scores: dict[str, float], hits: list[RuleHit] | None = None, policy: dict | None = None, trusted: bool = False
) -> Verdict:
    return apply_policy(
        scores=scores, sources=SOURCES, rule_hits=hits or [], policy=policy or DEFAULT_POLICY, author_trusted=trusted
    )


def codes(decision: Verdict) -> list[str]:
    return [reason["code"] for reason in decision.reasons]


def publisher_policy(**threshold_overrides: dict) -> dict:
    policy = copy.deepcopy(DEFAULT_POLICY)
    policy["version"] = 7
    for category, limits in threshold_overrides.items():
        policy["thresholds"][category].update(limits)
    return policy


def test_clean_comment_is_approved_with_no_reasons():
    decision = run({"toxicity": 0.02, "defamation": 0.0, "personal": 0.0, "spam": 0.0})
    assert decision.status == "approved"
    assert decision.reasons == []
    assert decision.policy_version == DEFAULT_POLICY["version"]


def test_score_at_reject_threshold_rejects_with_reason_payload():
    decision = run({"toxicity": 0.9, "insult": 0.2})  # insult: no scorer's category, no threshold
    assert decision.status == "rejected"
    assert decision.reasons == [
        {"code": "toxicity", "score": 0.9, "threshold": 0.9, "source": "detoxify@original-0.5.4"}
    ]


def test_score_between_review_and_reject_goes_to_review():
    decision = run({"toxicity": 0.6})
    assert decision.status == "review"
    assert decision.reasons == [
        {"code": "toxicity", "score": 0.6, "threshold": 0.5, "source": "detoxify@original-0.5.4"}
    ]


def test_just_below_review_threshold_is_approved():
    assert run({"toxicity": 0.4999}).status == "approved"


def test_defamation_goes_to_legal_review_and_never_auto_rejects():
    decision = run({"defamation": 0.99})  # reject threshold is null
    assert decision.status == "legal_review"
    assert decision.reasons == [{"code": "defamation", "score": 0.99, "threshold": 0.5, "source": "defamation@rules-1"}]


def test_legal_review_outranks_review():
    decision = run({"defamation": 0.9, "toxicity": 0.6}, [RuleHit("premoderation", "review")])
    assert decision.status == "legal_review"
    assert codes(decision)[0] == "defamation"
    assert set(codes(decision)) == {"defamation", "toxicity", "premoderation"}


def test_rejection_outranks_legal_review():
    decision = run({"defamation": 0.9, "toxicity": 0.95})
    assert decision.status == "rejected"
    assert codes(decision) == ["toxicity", "defamation"]


@pytest.mark.parametrize("code", ["blocked_term", "author_banned"])
def test_reject_rules_reject_without_scores(code):
    decision = run({}, [RuleHit(code, "reject", "detail-x")])
    assert decision.status == "rejected"
    assert decision.reasons == [
        {"code": code, "score": None, "threshold": None, "source": "policy:v1", "detail": "detail-x"}
    ]


@pytest.mark.parametrize(
    "code", ["suspect_term", "premoderation", "author_history", "link_limit", "duplicate_text", "personal_data"]
)
def test_review_rules_send_to_review(code):
    decision = run({"toxicity": 0.01}, [RuleHit(code, "review")])
    assert decision.status == "review"
    assert decision.reasons == [{"code": code, "score": None, "threshold": None, "source": "policy:v1"}]


def test_legal_review_rule_effect():
    assert run({}, [RuleHit("legal_hold", "legal_review")]).status == "legal_review"


def test_personal_data_score_goes_to_review_not_reject():
    assert run({"personal": 1.0}).status == "review"


def test_spam_and_infringing_scores():
    assert run({"spam": 1.0}).status == "review"  # link rules send to review; a publisher may set a reject threshold
    assert run({"infringing": 1.0}).status == "review"  # infringing never auto-rejects


def test_every_triggering_reason_is_listed():
    decision = run({"toxicity": 0.95, "spam": 0.7, "personal": 1.0}, [RuleHit("suspect_term", "review", "chor")])
    assert decision.status == "rejected"
    assert codes(decision)[0] == "toxicity"
    assert set(codes(decision)) == {"toxicity", "spam", "personal", "suspect_term"}


def test_per_publisher_thresholds():
    strict = publisher_policy(toxicity={"review": 0.2, "reject": 0.4})
    lenient = publisher_policy(toxicity={"review": 0.8, "reject": None})
    assert run({"toxicity": 0.45}, policy=strict).status == "rejected"
    assert run({"toxicity": 0.45}, policy=lenient).status == "approved"
    assert run({"toxicity": 0.99}, policy=lenient).status == "review"
    decision = run({"toxicity": 0.3}, policy=strict)
    assert decision.status == "review"
    assert decision.reasons[0]["threshold"] == 0.2
    assert decision.policy_version == 7
    assert run({}, [RuleHit("premoderation", "review")], policy=strict).reasons[0]["source"] == "policy:v7"


def test_publisher_can_make_defamation_reject():
    policy = publisher_policy(defamation={"review": 0.5, "reject": 0.8})
    assert run({"defamation": 0.9}, policy=policy).status == "rejected"


def test_category_without_thresholds_is_ignored():
    assert run({"made_up_category": 1.0}).status == "approved"


def test_a_category_no_scorer_outputs_never_decides_even_with_a_threshold():
    # An old policy (or an official Detoxify model's extra outputs): thresholds for insult and threat are ignored.
    policy = copy.deepcopy(DEFAULT_POLICY)
    policy["thresholds"].update(insult={"review": 0.1, "reject": 0.2}, threat={"review": 0.1, "reject": 0.2})
    assert run({"insult": 0.99, "threat": 0.99, "toxicity": 0.01}, policy=policy).status == "approved"


def test_trusted_author_skips_score_review():
    decision = run({"toxicity": 0.6, "personal": 0.7}, trusted=True)
    assert decision.status == "approved"
    assert decision.reasons == []


def test_trusted_author_still_rejected_and_still_legal_reviewed():
    assert run({"toxicity": 0.95}, trusted=True).status == "rejected"
    assert run({"defamation": 0.9}, trusted=True).status == "legal_review"
    assert run({}, [RuleHit("blocked_term", "reject")], trusted=True).status == "rejected"


def test_trusted_author_review_rules_still_apply():
    # Suspect terms "always" go to review; callers drop e.g. premoderation for trusted authors.
    assert run({}, [RuleHit("suspect_term", "review")], trusted=True).status == "review"


def test_unknown_rule_effect_is_refused():
    with pytest.raises(ValueError, match="unknown rule effect"):
        RuleHit("x", "delete")


def test_decision_to_dict():
    decision = run({"toxicity": 0.6})
    assert decision.to_dict() == {
        "status": "review",
        "reasons": [{"code": "toxicity", "score": 0.6, "threshold": 0.5, "source": "detoxify@original-0.5.4"}],
        "policy_version": 1,
    }
