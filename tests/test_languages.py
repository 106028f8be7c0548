"""Languages end to end: the tag a publisher sends, the one the scorers detect, per-language thresholds.

The scored results are ScoreResult values built here (plain data: what any scorer returns, the v2 abuse model
included), recorded through the real claim and results path into PostgreSQL, decided by the real engine and
read back through the real review API.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from click.testing import CliRunner

from service import policy as policies
from service.cli.main import cli
from service.decisions.engine import apply_policy
from service.models import Comment, OutboundEvent, Publisher
from service.scoring import claims, results
from service.scoring.jobs import ScoreResult, Span
from tests.helpers import comment, get_signed, post_comment
from tests.review_support import bearer, make_moderator

DEFAULT_POLICY = json.loads((Path(__file__).resolve().parents[1] / "config/policy.default.json").read_text())
KANNADA_STRICT = {"languages": {"kn": {"thresholds": {"toxicity": {"review": 0.3}}}}}


def abuse(toxicity: float, language: str | None, spans: list[Span] | None = None) -> ScoreResult:
    """What the v2 abuse scorer returns: a toxicity score, abuse spans and the detected language."""
    return ScoreResult("abuse", "test-v2", {"toxicity": toxicity}, spans or [], detected_language=language)


def post_and_score(
    client, database, settings, keys, external_id: str, text: str, outputs: list[ScoreResult], language=None
) -> str:
    """Post a comment through intake, claim it as a worker does, and record these scorer outputs."""
    body = comment(comment_id=external_id, text=text)
    if language is not None:
        body["language"] = language
    response = post_comment(client, keys, body)
    assert response.status_code == 202, response.get_json()
    comment_id = response.get_json()["id"]
    with database.session() as session:
        jobs = claims.claim_for_scoring(
            session, comment_id, defaults=settings.default_policy, batch_size=1, lease_s=120
        )
    assert [job.comment_id for job in jobs] == [comment_id]
    with database.session() as session:
        decided = results.finish_batch(session, jobs, [outputs], fingerprints=[None], enqueue_deliveries=None)
    assert decided[0] is not None
    return comment_id


def status_of(client, keys, comment_id: str) -> dict:
    return get_signed(client, keys, f"/v1/comments/{comment_id}").get_json()


def set_policy_api(client, token: str, publisher_id: str, overrides):
    return client.put(  # json.dumps keeps the keys' order (Flask's test client would sort them)
        f"/v1/admin/publishers/{publisher_id}/policy",
        data=json.dumps(overrides),
        content_type="application/json",
        headers=bearer(token),
    )


# -- stored and shown ------------------------------------------------------------------------------


def test_detected_language_is_stored_and_shown_in_the_review_item(client, database, settings, publisher):
    outputs = [
        ScoreResult("spam", "rules-1", {"spam": 0.0}),  # no language: the next result's counts
        abuse(0.7, "hi-Latn"),
        ScoreResult("other", "1", {"personal": 0.0}, detected_language="en"),  # only the first is kept
    ]
    cid = post_and_score(client, database, settings, publisher, "c-hinglish", "tu ekdum bakwas hai", outputs, "hi")
    with database.session() as session:
        stored = session.get(Comment, cid)
        assert (stored.language, stored.detected_language, stored.status) == ("hi", "hi-Latn", "review")
    moderator = make_moderator(database)
    item = client.get(f"/v1/review/comments/{cid}", headers=bearer(moderator[1])).get_json()
    assert (item["language"], item["detected_language"]) == ("hi", "hi-Latn")
    queued = client.get("/v1/review/queue", headers=bearer(moderator[1])).get_json()["items"]
    assert [(i["id"], i["language"], i["detected_language"]) for i in queued] == [(cid, "hi", "hi-Latn")]
    status = status_of(client, publisher, cid)
    assert (status["language"], status["detected_language"]) == ("hi", "hi-Latn")


def test_the_callback_and_the_feed_carry_both_languages(client, database, settings, publisher):
    """What a publisher learns of the language: the sent tag and the detected one, in the callback it is sent
    and in the pull feed alike (a stricter threshold for a language needs to be seen to be trusted)."""
    sent = post_and_score(client, database, settings, publisher, "c-kn", "neenu huccha", [abuse(0.99, "kn-Latn")], "kn")
    unsent = post_and_score(client, database, settings, publisher, "c-en", "thanks", [abuse(0.01, "en")])
    with database.session() as session:
        events = {e.comment_id: e.payload["data"] for e in session.query(OutboundEvent)}
    assert (events[sent]["status"], events[sent]["language"], events[sent]["detected_language"]) == (
        "rejected",
        "kn",
        "kn-Latn",
    )
    assert (events[unsent]["language"], events[unsent]["detected_language"]) == (None, "en")
    page = get_signed(client, publisher, "/v1/decisions").get_json()["data"]
    assert [(item["id"], item["language"], item["detected_language"]) for item in page] == [
        (sent, "kn", "kn-Latn"),
        (unsent, None, "en"),
    ]


def test_the_review_queue_filters_by_language(client, database, settings, publisher):
    hinglish = post_and_score(client, database, settings, publisher, "c-hi", "tu bakwas hai", [abuse(0.7, "hi-Latn")])
    kannada = post_and_score(client, database, settings, publisher, "c-kn", "neenu huccha", [abuse(0.7, "kn-Latn")])
    sent_kn = post_and_score(client, database, settings, publisher, "c-sent", "bad words", [abuse(0.7, "en")], "kn")
    token = make_moderator(database)[1]

    def queued(language: str) -> set[str]:
        response = client.get("/v1/review/queue", query_string={"language": language}, headers=bearer(token))
        assert response.status_code == 200, response.get_json()
        return {item["id"] for item in response.get_json()["items"]}

    assert queued("kn") == {kannada, sent_kn}  # a prefix matches kn-Latn; the sent tag wins over the detected
    assert queued("hi-Latn") == {hinglish}
    assert queued("ta") == set()
    too_long = client.get("/v1/review/queue", query_string={"language": "x" * 36}, headers=bearer(token))
    assert too_long.status_code == 400 and too_long.get_json()["errors"][0]["field"] == "language"


def test_no_detected_language_stays_null(client, database, settings, publisher):
    cid = post_and_score(client, database, settings, publisher, "c-plain", "Nice article.", [abuse(0.01, None)])
    with database.session() as session:
        stored = session.get(Comment, cid)
        assert (stored.language, stored.detected_language, stored.status) == (None, None, "approved")
    item = client.get(f"/v1/review/comments/{cid}", headers=bearer(make_moderator(database)[1])).get_json()
    assert (item["language"], item["detected_language"]) == (None, None)


# -- per-language thresholds through the real record path -------------------------------------------


def test_a_language_threshold_changes_the_decision(client, database, settings, publisher, other_publisher):
    admin = make_moderator(database, "admin")
    response = set_policy_api(client, admin[1], publisher.id, KANNADA_STRICT)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["effective"]["languages"] == {"kn": {"thresholds": {"toxicity": {"review": 0.3}}}}

    text = "ನೀನು ಒಬ್ಬ ಮೂರ್ಖ"
    detected_kn = post_and_score(client, database, settings, publisher, "c-kn", text, [abuse(0.35, "kn")])
    detected_kn_latn = post_and_score(
        client, database, settings, publisher, "c-knl", "nee murkha", [abuse(0.35, "kn-Latn")]
    )
    declared_kn = post_and_score(client, database, settings, publisher, "c-dkn", text, [abuse(0.35, None)], "kn")
    english = post_and_score(client, database, settings, publisher, "c-en", "You fool", [abuse(0.35, "en")])
    elsewhere = post_and_score(client, database, settings, other_publisher, "c-kn", text, [abuse(0.35, "kn")])

    for cid in (detected_kn, detected_kn_latn, declared_kn):
        body = status_of(client, publisher, cid)
        assert body["status"] == "review", body
        assert [(r["code"], r["threshold"]) for r in body["reasons"]] == [("toxicity", 0.3)]
    assert status_of(client, publisher, english)["status"] == "approved"  # the publisher's own 0.5
    assert status_of(client, other_publisher, elsewhere)["status"] == "approved"  # another publisher's policy

    item = client.get(f"/v1/review/comments/{detected_kn}", headers=bearer(admin[1])).get_json()
    assert item["reasons"] == [
        {"code": "toxicity", "score": 0.35, "threshold": 0.3, "source": "abuse@test-v2", "language": "kn"}
    ]
    assert item["detected_language"] == "kn"


def test_the_stricter_of_the_sent_and_the_detected_language_applies(client, database, settings, publisher):
    admin = make_moderator(database, "admin")
    overrides = {
        "languages": {
            "en": {"thresholds": {"toxicity": {"review": 0.8}}},  # measured well: review later
            "kn": {"thresholds": {"toxicity": {"review": 0.3, "reject": None}}},  # measured badly: never auto-reject
        }
    }
    assert set_policy_api(client, admin[1], publisher.id, overrides).status_code == 200
    # The site says English, the scorer heard English: the lenient English threshold.
    lenient = post_and_score(client, database, settings, publisher, "c-1", "idiot", [abuse(0.6, "en")], "en")
    # The site says English, the comment is in Hindi, which has no entry: the publisher's 0.5 is stricter.
    hindi = post_and_score(client, database, settings, publisher, "c-2", "bakwas", [abuse(0.6, "hi")], "en")
    # Kannada never auto-rejects; a score over the publisher's reject threshold goes to review instead.
    kannada = post_and_score(client, database, settings, publisher, "c-3", "ನೀನು", [abuse(0.95, "kn")], "kn")
    assert status_of(client, publisher, lenient)["status"] == "approved"
    assert status_of(client, publisher, hindi)["status"] == "review"
    body = status_of(client, publisher, kannada)
    assert body["status"] == "review" and body["reasons"][0]["threshold"] == 0.3


# -- the engine on its own ----------------------------------------------------------------------------


def _policy(**languages) -> dict:
    return policies.merged_policy(DEFAULT_POLICY, {"languages": languages})


def _verdict(policy: dict, score: float, language=None, detected=None):
    return apply_policy(
        scores={"toxicity": score},
        sources={"toxicity": "abuse@2"},
        rule_hits=[],
        policy=policy,
        language=language,
        detected_language=detected,
    )


def test_a_more_specific_tag_wins_and_a_language_covers_its_scripts_and_regions():
    policy = _policy(
        kn={"thresholds": {"toxicity": {"review": 0.3}}}, **{"kn-Latn": {"thresholds": {"toxicity": {"review": 0.2}}}}
    )
    assert _verdict(policy, 0.25, detected="kn").status == "approved"
    assert _verdict(policy, 0.25, detected="kn-Latn").reasons[0]["language"] == "kn-latn"
    assert _verdict(policy, 0.25, detected="KN-latn-IN").status == "review"  # tags ignore case
    assert _verdict(policy, 0.35, detected="kn-IN").reasons[0] == {
        "code": "toxicity",
        "score": 0.35,
        "threshold": 0.3,
        "source": "abuse@2",
        "language": "kn",
    }
    assert _verdict(policy, 0.35, detected="en").status == "approved"
    assert _verdict(policy, 0.35).status == "approved"  # no language: the publisher's thresholds
    assert "language" not in _verdict(policy, 0.6, detected="en").reasons[0]


def test_when_the_tags_disagree_the_stricter_threshold_applies():
    policy = _policy(
        en={"thresholds": {"toxicity": {"review": 0.8, "reject": 0.95}}},
        kn={"thresholds": {"toxicity": {"review": 0.3, "reject": None}}},
    )
    assert _verdict(policy, 0.6, language="en", detected="en").status == "approved"
    assert _verdict(policy, 0.6, language="en", detected="hi").status == "review"  # hi: the publisher's 0.5
    assert _verdict(policy, 0.35, language="en", detected="kn").status == "review"  # kn's 0.3
    assert _verdict(policy, 0.93, language="kn", detected="kn").status == "review"  # a null reject never rejects
    assert _verdict(policy, 0.93, language="kn", detected="hi").status == "rejected"  # hi: the publisher's 0.9


def test_malformed_or_removed_stored_language_overrides_are_ignored():
    stored = {
        "languages": {
            "not a tag": {"thresholds": {"toxicity": {"review": 0.0}}},
            "kn": {"thresholds": {"insult": {"review": 0.0}, "toxicity": {"review": 0.4, "typo": 1}}},
            "hi": "not an object",
        }
    }
    policy = policies.merged_policy(DEFAULT_POLICY, stored)
    assert policy["languages"] == {"kn": {"thresholds": {"toxicity": {"review": 0.4}}}}
    assert _verdict(policy, 0.45, detected="kn").status == "review"
    assert _verdict(policy, 0.45, detected="hi").status == "approved"
    assert policies.ignored_overrides(stored) == ["languages.not a tag", "languages.kn.thresholds.insult"]


# -- set-policy refuses bad languages, API and CLI ------------------------------------------------------

BAD_LANGUAGES = {
    "languages": {
        "kannada": {"thresholds": {"toxicity": {"review": 0.3}}},
        "kn_IN": {"thresholds": {"toxicity": {"review": 0.3}}},
        "hi-Latn": {"max_length": 3},
        "kn": {"thresholds": {"toxicity": {"review": 1.5}}},
    }
}
BAD_LANGUAGE_ERRORS = {
    ("languages.kannada", "invalid_language"),
    ("languages.kn_IN", "invalid_language"),
    ("languages.hi-Latn.max_length", "unknown_field"),
    ("languages.kn.thresholds.toxicity.review", "invalid_threshold"),
}


def test_set_policy_api_refuses_malformed_language_tags(client, database, publisher):
    admin = make_moderator(database, "admin")
    response = set_policy_api(client, admin[1], publisher.id, BAD_LANGUAGES)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {(e["field"], e["code"]) for e in errors} == BAD_LANGUAGE_ERRORS
    message = next(e["message"] for e in errors if e["field"] == "languages.kannada")
    assert "BCP 47" in message and '"hi-Latn"' in message
    response = set_policy_api(client, admin[1], publisher.id, {"languages": {"kn": {}, "KN": {}}})
    assert [(e["field"], e["code"]) for e in response.get_json()["errors"]] == [("languages.KN", "duplicate_language")]
    assert set_policy_api(client, admin[1], publisher.id, {"languages": []}).get_json()["errors"] == [
        {"field": "languages", "code": "invalid_type", "message": "languages must be an object keyed by language tag."}
    ]
    with database.session() as session:
        stored = session.get(Publisher, publisher.id)
        assert (stored.policy_overrides, stored.policy_version) == ({}, 1)


def test_set_policy_cli_refuses_malformed_language_tags(database, publisher):
    result = CliRunner().invoke(cli, ["publishers", "set-policy", publisher.id, "--json", json.dumps(BAD_LANGUAGES)])
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert {(e["field"], e["code"]) for e in body["errors"]} == BAD_LANGUAGE_ERRORS
    assert "languages.kannada: invalid_language: A language is a BCP 47 tag" in result.stderr
    good = CliRunner().invoke(cli, ["publishers", "set-policy", publisher.id, "--json", json.dumps(KANNADA_STRICT)])
    assert good.exit_code == 0, good.output
    assert json.loads(good.stdout)["languages"] == {"kn": {"thresholds": {"toxicity": {"review": 0.3}}}}
    with database.session() as session:
        assert session.get(Publisher, publisher.id).policy_overrides == KANNADA_STRICT


def test_language_overrides_merge_per_category_over_the_defaults():
    defaults = copy.deepcopy(DEFAULT_POLICY)
    defaults["languages"] = {"kn": {"thresholds": {"toxicity": {"review": 0.3, "reject": 0.8}}}}
    merged = policies.merged_policy(defaults, {"languages": {"KN": {"thresholds": {"toxicity": {"reject": None}}}}})
    assert merged["languages"] == {"kn": {"thresholds": {"toxicity": {"review": 0.3, "reject": None}}}}
