"""POST /v1/analyze: scores, spans, languages and the decision preview in one request, scored by a real
analyze worker with the shipped model; 503 + Retry-After when no worker answers in time."""

from __future__ import annotations

import json
import os
import time

import pytest
import requests
from sqlalchemy import func, select

from service.analyze.categories import CATEGORY_LANGUAGES, OPENAI_CATEGORIES, PERSPECTIVE_ATTRIBUTES
from service.apikeys import keys
from service.config import Settings
from service.models import Comment, Score
from service.publishers.accounts import set_policy
from service.publishers.signing import signature_header
from tests.analyze_support import create_key, running_kavalu_fixture  # noqa: F401  (the running_kavalu fixture)
from tests.helpers import limiter_state_kept
from tests.processes import start_celery_worker, stop_process

TOXIC = "You are a pathetic idiot and a disgusting moron, shut up you stupid worthless loser."
CLEAN = "Thanks for the careful reporting on the water supply; the council should publish the audit."


def _post(base_url: str, key: str, body: dict) -> requests.Response:
    return requests.post(f"{base_url}/v1/analyze", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=60)


def test_analyze_scores_and_previews_the_publishers_decision(running_kavalu, database, publisher):
    key = create_key(database, publisher.id, "analyze")
    toxic = _post(running_kavalu.base_url, key, {"text": TOXIC, "language": "en"})
    assert toxic.status_code == 200, toxic.text
    body = toxic.json()
    assert set(body["scores"]) >= {"toxicity", "defamation", "personal", "spam"}
    assert body["scores"]["toxicity"] >= 0.9
    assert body["decision"]["status"] == "rejected"
    assert body["decision"]["reasons"][0]["code"] == "toxicity"
    assert body["models"]["toxicity"].startswith("detoxify@")
    assert body["language"] == "en" and body["stored"] is False and body["comment"] is None

    clean = _post(running_kavalu.base_url, key, {"text": CLEAN, "categories": ["toxicity"]}).json()
    assert set(clean["scores"]) == {"toxicity"}
    assert clean["scores"]["toxicity"] < 0.5
    assert clean["decision"]["status"] == "approved"

    personal = _post(running_kavalu.base_url, key, {"text": "Call me on 98450 12345 tonight."}).json()
    assert personal["decision"]["status"] == "review"
    assert any(span["category"] == "personal" for span in personal["spans"])
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 0


def test_the_publishers_own_policy_decides_and_a_signed_request_may_store(
    running_kavalu, database, publisher, settings
):
    with database.session() as session:
        set_policy(session, publisher.id, {"blocked_terms": ["water supply"]}, settings.default_policy)
    raw = json.dumps({"text": CLEAN, "store": True, "comment_id": "c-analyze-1"}).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Kavalu-Publisher": publisher.id,
        "X-Kavalu-Signature": signature_header(publisher.secret, raw, int(time.time())),
    }
    answer = requests.post(f"{running_kavalu.base_url}/v1/analyze", data=raw, headers=headers, timeout=60)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["decision"]["status"] == "rejected"
    assert body["decision"]["reasons"][0] == {
        "code": "blocked_term",
        "score": None,
        "threshold": None,
        "source": "policy:v2",
        "detail": "water supply",
    }
    assert body["stored"] is True and body["comment"]["comment_id"] == "c-analyze-1"
    with database.session() as session:
        comment = session.get(Comment, body["comment"]["id"])
        assert comment is not None and comment.external_id == "c-analyze-1"


def test_a_no_store_key_may_not_store_and_bad_input_gets_field_errors(running_kavalu, database, publisher):
    key = create_key(database, publisher.id, "analyze", store_text=False)
    refused = _post(running_kavalu.base_url, key, {"text": CLEAN, "store": True})
    assert refused.status_code == 403
    assert refused.json()["errors"] == [
        {"field": "store", "code": "store_not_allowed", "message": "This API key was created with --no-store."}
    ]
    bad = _post(running_kavalu.base_url, key, {"text": " ", "categories": ["nonsense"], "extra": 1})
    assert bad.status_code == 422
    codes = {(e["field"], e["code"]) for e in bad.json()["errors"]}
    assert codes == {("text", "text_required"), ("categories.0", "invalid_category"), ("extra", "unknown_field")}
    wrong_scope = create_key(database, publisher.id, "perspective")
    assert _post(running_kavalu.base_url, wrong_scope, {"text": CLEAN}).status_code == 401
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 0
        assert session.scalar(select(func.count()).select_from(Score)) == 0


def test_no_worker_on_the_analyze_queue_answers_503_with_retry_after(database, publisher, queue_redis):
    """The session's queue-only Redis DB has no worker: the request gives up after the timeout, and the
    message expires with it."""
    from service.app import create_app

    key = create_key(database, publisher.id, "analyze")
    with limiter_state_kept():
        app = create_app(Settings.from_env({**os.environ, "KAVALU_ANALYZE_TIMEOUT_S": "0.5"}))
        started = time.monotonic()
        answer = app.test_client().post("/v1/analyze", json={"text": CLEAN}, headers={"Authorization": f"Bearer {key}"})
        waited = time.monotonic() - started
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "2"
    assert answer.get_json()["errors"][0]["code"] == "service_unavailable"
    assert waited < 10
    assert queue_redis.llen("analyze") == 1  # sent, never taken


def test_the_mappings_name_only_categories_the_scorers_output_and_decide_on():
    from service.scoring.categories import SCORED_CATEGORIES

    assert set(CATEGORY_LANGUAGES) == set(SCORED_CATEGORIES)
    assert set(PERSPECTIVE_ATTRIBUTES.values()) <= set(SCORED_CATEGORIES)
    assert {c for c in OPENAI_CATEGORIES.values() if c} <= set(SCORED_CATEGORIES)
    assert PERSPECTIVE_ATTRIBUTES["TOXICITY"] == "toxicity"
    assert PERSPECTIVE_ATTRIBUTES["PERSONAL_INFO"] == "personal"


@pytest.mark.slow
def test_embedded_mode_answers_through_the_filesystem_broker_and_a_file_result_backend(tmp_path):
    """No PostgreSQL, no Redis: SQLite, the filesystem broker and a file:// result backend, as `kavalu run` has."""
    from service.app import create_app
    from service.db import Database
    from service.migrate import upgrade
    from service.publishers import accounts

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BROKER_URL", "REDIS_URL")}
    env.update(KAVALU_DATA_DIR=str(tmp_path / "data"), KAVALU_ANALYZE_TIMEOUT_S="60")
    embedded = Settings.from_env(env)
    assert embedded.embedded and embedded.result_backend_url() == f"file://{tmp_path / 'data' / 'results'}"
    upgrade(embedded)
    with Database(embedded).session() as session:
        publisher, _ = accounts.create(session, "Embedded Daily", None)
        _, key = keys.create(session, publisher.id, "analyze")
    # A message file an older version left empty (the broker's race, or a crash): the worker sets it aside.
    embedded.make_broker_folders()
    (embedded.broker_folder / "0_old.analyze.msg").write_bytes(b"")
    worker = start_celery_worker(env, tmp_path / "worker.log", queues="analyze")
    try:
        with limiter_state_kept():
            app = create_app(embedded)
            with app.extensions["kavalu.tasks"].celery.connection_for_write() as connection:
                assert type(connection.transport).__module__ == "service.filesystem_broker"
            answer = app.test_client().post(
                "/v1/analyze", json={"text": TOXIC}, headers={"Authorization": f"Bearer {key}"}
            )
    finally:
        stop_process(worker)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["decision"]["status"] == "rejected"
    assert (tmp_path / "data" / "broker-unreadable" / "0_old.analyze.msg").exists()
    assert "unreadable broker message set aside" in (tmp_path / "worker.log").read_text()


def test_every_new_route_is_in_the_openapi_document(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    operations = {
        ("/v1/analyze", "post"): "analyzeText",
        ("/v1alpha1/comments:analyze", "post"): "perspectiveAnalyzeComment",
        ("/v1alpha1/comments:suggestscore", "post"): "perspectiveSuggestCommentScore",
        ("/$discovery/rest", "get"): "perspectiveDiscovery",
        ("/v1/moderations", "post"): "createModeration",
        ("/v1/integrations/coral/{publisher_id}", "post"): "coralModerationPhase",
    }
    for (path, method), operation_id in operations.items():
        assert paths[path][method]["operationId"] == operation_id
    assert set(paths["/v1/analyze"]["post"]["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "413",
        "415",
        "422",
        "429",
        "503",
    }


def test_requests_that_arrive_together_are_scored_in_one_batch(running_kavalu):
    """Twelve callers at once (each its own API-side queue, as gunicorn workers are): every one gets its own
    answer, and the worker scores the texts waiting together in one batch."""
    from concurrent.futures import ThreadPoolExecutor

    from service.analyze.analysis import combine
    from service.analyze.wire import analyze_request, results_from_wire
    from service.taskqueue import TaskQueue, analyze_text

    texts = [f"{TOXIC} ({n})" if n % 2 else f"{CLEAN} ({n})" for n in range(12)]
    queues = [TaskQueue(running_kavalu.settings) for _ in texts]
    policy = {**running_kavalu.settings.default_policy, "version": 1}

    def call(pair):
        return analyze_text(pair[0], analyze_request(pair[1], None, "", "", policy), 60)

    with ThreadPoolExecutor(len(texts)) as pool:
        answers = list(pool.map(call, zip(queues, texts)))
    for n, (text, answer) in enumerate(zip(texts, answers)):
        analysis = combine(results_from_wire(answer), text, policy)
        assert (analysis.scores["toxicity"] >= 0.9) == bool(n % 2), (n, analysis.scores)
        assert analysis.verdict.status == ("rejected" if n % 2 else "approved")
    assert max(answer["batch"] for answer in answers) > 1, [answer["batch"] for answer in answers]


def test_named_categories_run_only_their_scorers_and_the_decision_weighs_only_them(running_kavalu, database, publisher):
    """A TOXICITY-only request needs only the abuse model (the way to the throughput goal); defamation brings
    the abuse model along for its embeddings. Texts asking for different categories share a batch."""
    from concurrent.futures import ThreadPoolExecutor

    from service.analyze.wire import analyze_request
    from service.taskqueue import TaskQueue, analyze_text

    policy = {**running_kavalu.settings.default_policy, "version": 1}
    asked = [["toxicity"], ["spam"], ["defamation"], ["personal", "infringing"], None] * 2
    queues = [TaskQueue(running_kavalu.settings) for _ in asked]

    def call(pair):
        return analyze_text(pair[0], analyze_request(TOXIC, "en", "", "", policy, pair[1]), 60)

    with ThreadPoolExecutor(len(asked)) as pool:
        answers = list(pool.map(call, zip(queues, asked)))
    scorers = [{result["scorer"] for result in answer["results"]} for answer in answers]
    assert scorers[:5] == [
        {"detoxify"},
        {"spam"},
        {"detoxify", "defamation"},
        {"personal", "verbatim-copy"},
        {"detoxify", "defamation", "personal", "spam", "verbatim-copy"},
    ]
    assert scorers[5:] == scorers[:5]

    key = create_key(database, publisher.id, "analyze")
    text = f"{TOXIC} Call me on 98450 12345 tonight."
    only_personal = _post(running_kavalu.base_url, key, {"text": text, "categories": ["personal"]}).json()
    assert set(only_personal["scores"]) == {"personal"} and set(only_personal["models"]) == {"personal"}
    assert {span["category"] for span in only_personal["spans"]} == {"personal"}
    assert only_personal["decision"]["status"] == "review"  # toxicity was not asked for: not rejected
    assert _post(running_kavalu.base_url, key, {"text": text}).json()["decision"]["status"] == "rejected"


def test_the_batch_queue_drops_requests_nobody_waits_for(queue_redis):
    from service.analyze import batching

    first = batching.push_request(queue_redis, {"text": "a"}, 30)
    batching.push_request(queue_redis, {"text": "gone"}, 0.001)
    third = batching.push_request(queue_redis, {"text": "c"}, 30)
    time.sleep(0.01)
    taken = batching.take_requests(queue_redis)
    assert [(item["id"], item["request"]["text"]) for item in taken] == [(first, "a"), (third, "c")]
    assert batching.take_requests(queue_redis) == []
    batching.put_answers(queue_redis, {first: {"results": []}})
    assert batching.wait_answer(queue_redis, first, 1) == {"results": []}
    assert batching.wait_answer(queue_redis, third, 0.05) is None
