"""Micro-batching the analyze requests, with a Redis broker: the model scores 32 texts about three times faster
per text than one at a time, so texts that arrive while a worker is busy are scored together.

The API pushes each request onto one Redis list (with its deadline) and sends a `kavalu.analyze_batch` task as a
wake-up; a worker that runs one takes every waiting request (up to `MAX_BATCH`), drops those whose deadline has
passed (their requests got a 503 already), scores the rest in one pipeline call and pushes each answer onto the
request's own list, which the API waits on (BLPOP). A wake-up that finds the list empty (an earlier task took its
request) does nothing. With the filesystem broker (embedded mode), each request is one `kavalu.analyze_text`
task, its answer in the Celery result backend.
"""

from __future__ import annotations

import json
import time
import uuid

REQUESTS_KEY = "kavalu:analyze:requests"
ANSWER_PREFIX = "kavalu:analyze:answer:"
MAX_BATCH = 32
# An answer nobody reads (its request gave up just before it came) is gone after this.
ANSWER_TTL_S = 60


def push_request(client, request: dict, timeout_s: float) -> str:
    request_id = uuid.uuid4().hex
    item = {"id": request_id, "deadline": time.time() + timeout_s, "request": request}
    client.rpush(REQUESTS_KEY, json.dumps(item))
    return request_id


def wait_answer(client, request_id: str, timeout_s: float) -> dict | None:
    """The answer, or None when none came within `timeout_s`."""
    found = client.blpop([ANSWER_PREFIX + request_id], timeout=max(timeout_s, 0.01))
    return json.loads(found[1]) if found else None


def take_requests(client, now: float | None = None) -> list[dict]:
    """Up to MAX_BATCH waiting requests whose caller still waits (oldest first)."""
    raw = client.lpop(REQUESTS_KEY, MAX_BATCH) or []
    now = time.time() if now is None else now
    items = [json.loads(entry) for entry in raw]
    return [item for item in items if item["deadline"] > now]


def put_answers(client, answers: dict[str, dict]) -> None:
    pipe = client.pipeline(transaction=False)
    for request_id, answer in answers.items():
        key = ANSWER_PREFIX + request_id
        pipe.rpush(key, json.dumps(answer))
        pipe.expire(key, ANSWER_TTL_S)
    pipe.execute()
