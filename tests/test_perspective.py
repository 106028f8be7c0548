"""The Perspective-compatible API, driven by google-api-python-client through Kavalu's discovery document, against
a real HTTP server and a real analyze worker with the shipped model."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner
from googleapiclient import discovery
from googleapiclient.errors import HttpError
from sqlalchemy import func, select

from service.cli.main import cli
from service.config import Settings
from service.models import Comment, CommentRevision, Score, ScoreSuggestion
from tests.analyze_support import create_key, running_kavalu_fixture  # noqa: F401  (the running_kavalu fixture)
from tests.helpers import limiter_state_kept

TOXIC = "You are a pathetic idiot and a disgusting moron, shut up you stupid worthless loser."
PHONE = "Great article. Call me on 98450 12345 if you want the documents."
ERROR_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"


def _client(base_url: str, key: str):
    return discovery.build(
        "commentanalyzer",
        "v1alpha1",
        developerKey=key,
        discoveryServiceUrl=base_url + "/$discovery/rest?version=v1alpha1",
        static_discovery=False,
        cache_discovery=False,
    )


def _count(database, model) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _error(raised: pytest.ExceptionInfo) -> dict:
    return json.loads(raised.value.content)["error"]


def test_the_google_client_analyzes_through_the_discovery_document(running_kavalu, database, publisher):
    client = _client(running_kavalu.base_url, create_key(database, publisher.id, "perspective"))
    answer = (
        client.comments()
        .analyze(
            body={
                "comment": {"text": PHONE, "type": "PLAIN_TEXT"},
                "requestedAttributes": {"TOXICITY": {}, "PERSONAL_INFO": {}, "SPAM": {"scoreType": "PROBABILITY"}},
                "languages": ["en"],
                "spanAnnotations": True,
                "doNotStore": True,
                "clientToken": "token-1",
            }
        )
        .execute()
    )
    assert set(answer["attributeScores"]) == {"TOXICITY", "PERSONAL_INFO", "SPAM"}
    toxicity = answer["attributeScores"]["TOXICITY"]
    assert toxicity["summaryScore"]["type"] == "PROBABILITY"
    assert 0 <= toxicity["summaryScore"]["value"] < 0.5
    personal = answer["attributeScores"]["PERSONAL_INFO"]
    assert personal["summaryScore"]["value"] == 1.0
    (span,) = personal["spanScores"]
    assert PHONE[span["begin"] : span["end"]].replace(" ", "") == "9845012345"
    assert span["score"] == {"value": 1.0, "type": "PROBABILITY"}
    assert answer["languages"] == ["en"]
    assert answer["clientToken"] == "token-1"
    # Passed through from the scorers when one detects the language (the v2 abuse scorer does).
    assert answer.get("detectedLanguages") in (None, ["en"])

    thresholded = (
        client.comments()
        .analyze(
            body={
                "comment": {"text": "<p>You are a <b>pathetic idiot</b> and a disgusting moron.</p>", "type": "HTML"},
                "requestedAttributes": {"TOXICITY": {"scoreThreshold": 0.5}, "SPAM": {"scoreThreshold": 0.5}},
                "doNotStore": True,
            }
        )
        .execute()
    )
    assert set(thresholded["attributeScores"]) == {"TOXICITY"}  # SPAM under its threshold is left out
    assert thresholded["languages"] == ["en"]


def test_only_the_requested_attributes_categories_are_scored():
    from service.analyze.perspective import parse_analyze

    def plan(*names):
        return parse_analyze({"comment": {"text": "a text"}, "requestedAttributes": {name: {} for name in names}})

    assert plan("TOXICITY").categories == {"toxicity"}  # the abuse model alone (tests/test_analyze.py)
    assert plan("SPAM", "PERSONAL_INFO").categories == {"spam", "personal"}
    dropped = parse_analyze(
        {
            "comment": {"text": "a text"},
            "requestedAttributes": {"TOXICITY": {}, "THREAT": {}},
            "dropUnsupportedAttributes": True,
        }
    )
    assert dropped.categories == {"toxicity"}


def test_do_not_store_leaves_no_row_and_otherwise_the_keys_setting_decides(running_kavalu, database, publisher):
    keeps = _client(running_kavalu.base_url, create_key(database, publisher.id, "perspective"))
    never = _client(running_kavalu.base_url, create_key(database, publisher.id, "perspective", store_text=False))
    body = {"comment": {"text": TOXIC}, "requestedAttributes": {"TOXICITY": {}}}
    keeps.comments().analyze(body={**body, "doNotStore": True}).execute()
    never.comments().analyze(body=body).execute()
    for model in (Comment, CommentRevision, Score, ScoreSuggestion):
        assert _count(database, model) == 0, model.__name__
    keeps.comments().analyze(body={**body, "communityId": "forum-1"}).execute()
    with database.session() as session:
        (comment,) = session.scalars(select(Comment)).all()
        assert comment.article_id == "forum-1" and comment.publisher_id == publisher.id
        assert session.scalars(select(CommentRevision.text)).all() == [TOXIC]


def test_suggestscore_is_kept_and_exported_as_a_labelled_example(running_kavalu, database, publisher, tmp_path):
    client = _client(running_kavalu.base_url, create_key(database, publisher.id, "perspective"))
    answer = (
        client.comments()
        .suggestscore(
            body={
                "comment": {"text": "Nobody reads this rag."},
                "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.8}}},
                "languages": ["en"],
                "clientToken": "s-1",
            }
        )
        .execute()
    )
    assert answer["clientToken"] == "s-1"
    with database.session() as session:
        (row,) = session.scalars(select(ScoreSuggestion)).all()
        assert (row.publisher_id, row.attribute, row.score, row.language) == (publisher.id, "TOXICITY", 0.8, "en")
    out = tmp_path / "feedback.csv"
    exported = CliRunner().invoke(cli, ["feedback", "export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert out.read_text().splitlines() == ["text,label,source", "Nobody reads this rag.,1,suggestscore:TOXICITY"]


def test_an_unknown_attribute_answers_perspectives_error_shape(running_kavalu, database, publisher):
    client = _client(running_kavalu.base_url, create_key(database, publisher.id, "perspective"))
    body = {"comment": {"text": "Fine words."}, "requestedAttributes": {"TOXICITY": {}, "FLIRTATION": {}}}
    with pytest.raises(HttpError) as raised:
        client.comments().analyze(body=body).execute()
    assert raised.value.resp.status == 400
    error = _error(raised)
    assert error["code"] == 400
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == "Unknown requested attribute: FLIRTATION"  # Perspective's own words
    (detail,) = error["details"]
    assert detail["@type"] == ERROR_TYPE
    # Perspective's ErrorType enum has no "unknown attribute": any such request error is INVALID_REQUEST.
    assert detail["errorType"] == "INVALID_REQUEST"
    # dropUnsupportedAttributes: the rest is answered.
    dropped = client.comments().analyze(body={**body, "dropUnsupportedAttributes": True, "doNotStore": True}).execute()
    assert set(dropped["attributeScores"]) == {"TOXICITY"}


def test_an_unsupported_language_answers_perspectives_error_shape(running_kavalu, database, publisher):
    client = _client(running_kavalu.base_url, create_key(database, publisher.id, "perspective"))
    # The defamation head is measured in English only; toxicity (the v2 abuse model) in Hindi too.
    body = {"comment": {"text": "मंत्री ने रिश्वत ली।"}, "requestedAttributes": {"DEFAMATION": {}}, "languages": ["hi"]}
    with pytest.raises(HttpError) as raised:
        client.comments().analyze(body=body).execute()
    assert raised.value.resp.status == 400
    error = _error(raised)
    assert error["code"] == 400
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == "Attribute DEFAMATION does not support request languages: hi"
    (detail,) = error["details"]
    assert detail["@type"] == ERROR_TYPE
    assert detail["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    assert detail["languageNotSupportedByAttributeError"] == {"requestedLanguages": ["hi"], "attribute": "DEFAMATION"}
    both = {**body, "requestedAttributes": {"DEFAMATION": {}, "TOXICITY": {}}, "dropUnsupportedAttributes": True}
    answer = client.comments().analyze(body={**both, "doNotStore": True}).execute()
    assert set(answer["attributeScores"]) == {"TOXICITY"}


def test_a_bad_key_and_an_over_quota_key_answer_perspectives_error_shape(database, publisher):
    from service.app import create_app

    key = create_key(database, publisher.id, "perspective")
    with limiter_state_kept():
        app = create_app(Settings.from_env({**os.environ, "KAVALU_RATE_LIMIT_PER_API_KEY": "2/minute"}))
        client = app.test_client()
        body = {"comment": {"text": "hello"}, "requestedAttributes": {"NOPE": {}}}
        invalid = client.post("/v1alpha1/comments:analyze?key=kvk_wrong", json=body)
        answers = [client.post(f"/v1alpha1/comments:analyze?key={key}", json=body) for _ in range(3)]
    assert invalid.status_code == 400
    assert invalid.get_json()["error"]["status"] == "INVALID_ARGUMENT"
    assert invalid.get_json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    assert [a.status_code for a in answers] == [400, 400, 429]
    over = answers[2]
    assert int(over.headers["Retry-After"]) >= 1
    error = over.get_json()["error"]
    assert error["code"] == 429
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert error["message"].startswith("Quota exceeded for this API key")
    assert error["details"] == [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED", "domain": "kavalu"}
    ]


def test_the_discovery_document_is_rooted_at_this_server(client):
    document = client.get("/$discovery/rest?version=v1alpha1").get_json()
    assert document["rootUrl"] == "http://localhost/"
    assert set(document["resources"]["comments"]["methods"]) == {"analyze", "suggestscore"}
    missing = client.get("/$discovery/rest?version=v1")
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == "NOT_FOUND"


def test_a_detected_language_is_passed_through_and_checked_like_a_requested_one():
    from service.analyze.analysis import combine
    from service.analyze.perspective import PerspectiveError, analyze_response, parse_analyze
    from service.scoring.jobs import ScoreResult

    def answer(detected: str | None, attributes: dict) -> dict:
        results = [ScoreResult("abuse", "v2", {"toxicity": 0.2}, [], detected), ScoreResult("spam", "1", {"spam": 0.0})]
        plan = parse_analyze({"comment": {"text": "some text"}, "requestedAttributes": attributes})
        return analyze_response(plan, combine(results, "some text", {"version": 1, "thresholds": {}}))

    assert answer("en", {"TOXICITY": {}})["detectedLanguages"] == ["en"]
    assert answer("en", {"TOXICITY": {}})["languages"] == ["en"]
    assert "detectedLanguages" not in answer(None, {"TOXICITY": {}})
    assert answer("und", {"TOXICITY": {}})["attributeScores"]["TOXICITY"]["summaryScore"]["value"] == 0.2
    assert answer("und", {"TOXICITY": {}})["languages"] == ["en"]  # emoji or numbers: Perspective has no "und"
    assert "detectedLanguages" not in answer("und", {"TOXICITY": {}})
    assert answer("hi-Latn", {"TOXICITY": {}})["languages"] == ["hi-Latn"]
    assert set(answer("kn-Latn", {"TOXICITY": {}})["attributeScores"]) == {"TOXICITY"}
    with pytest.raises(PerspectiveError) as raised:
        answer("ta", {"TOXICITY": {}})  # Tamil: not measured
    detail = raised.value.body()["error"]["details"][0]
    assert detail["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    assert detail["languageNotSupportedByAttributeError"] == {"detectedLanguages": ["ta"], "attribute": "TOXICITY"}
    assert set(answer("kn", {"SPAM": {}})["attributeScores"]) == {"SPAM"}
    with pytest.raises(PerspectiveError) as missing:
        answer("en", {"DEFAMATION": {}})  # no scorer gave a defamation score here
    assert missing.value.body()["error"]["details"][0]["errorType"] == "INVALID_REQUEST"


def test_proto_field_names_are_read_like_json_names():
    """Perspective's proto3 JSON parser takes `requested_attributes` as well as `requestedAttributes` (attribute names such as PERSONAL_INFO stay); clients send
    either. `do_not_store` ignored would have stored a text the client asked not to be stored."""
    from service.analyze.perspective import parse_analyze, parse_suggestion

    plan = parse_analyze(
        {
            "comment": {"text": "You idiot."},
            "requested_attributes": {"PERSONAL_INFO": {"score_threshold": 0.4}, "TOXICITY": {}},
            "do_not_store": True,
            "span_annotations": True,
            "client_token": "t-1",
            "doNotStore": False,  # both spellings: the JSON name wins
        }
    )
    assert plan.attributes == {"PERSONAL_INFO": 0.4, "TOXICITY": None}
    assert (plan.do_not_store, plan.span_annotations, plan.client_token) == (False, True, "t-1")
    suggestion = parse_suggestion(
        {"comment": {"text": "x"}, "attribute_scores": {"TOXICITY": {"summary_score": {"value": 1}}}}
    )
    assert suggestion.scores == {"TOXICITY": 1.0}


def test_span_offsets_are_utf16_positions_in_the_text_as_sent():
    """Perspective's SpanScore: "the span of the original text ... the UTF-16 codepoint range"."""
    from service.analyze.analysis import combine
    from service.analyze.perspective import analyze_response, parse_analyze
    from service.scoring.jobs import ScoreResult, Span

    def spans(comment: dict) -> list[tuple[int, int]]:
        plan = parse_analyze({"comment": comment, "requestedAttributes": {"TOXICITY": {}}, "spanAnnotations": True})
        start = plan.text.index("idiot")
        result = ScoreResult("abuse", "v2", {"toxicity": 0.9}, [Span(start, start + 5, "toxicity", "abuse")], "en")
        answer = analyze_response(plan, combine([result], plan.text, {"version": 1, "thresholds": {}}))
        return [(s["begin"], s["end"]) for s in answer["attributeScores"]["TOXICITY"]["spanScores"]]

    text = "😀😀 you idiot"
    assert spans({"text": text}) == [(9, 14)]  # each emoji is two UTF-16 units
    html = "<p>&lt;3 <b>you</b> idiot</p>"
    ((begin, end),) = spans({"text": html, "type": "HTML"})
    assert html[begin:end] == "idiot"
