"""Scoring texts for waiting API requests (/v1/analyze and the drop-in endpoints), with the same scoring pipeline
as the comment workers, on plain data. Nothing is stored: the answers go back to the API, which applies the
publisher's policy to them. Running either task twice is harmless.

- `kavalu.analyze_batch` (Redis broker): a wake-up; it takes every waiting request and scores them in one
  batch (service.analyze.batching).
- `kavalu.analyze_text` (filesystem broker): one text, its answer in the Celery result backend.
"""

from __future__ import annotations

import logging

from service.analyze import batching
from service.analyze.wire import job_from_request, results_to_wire
from service.task_names import ANALYZE_BATCH, ANALYZE_TEXT
from workers.app import celery

log = logging.getLogger(__name__)

_redis: tuple[str, object] | None = None


def _client(url: str):
    global _redis
    if _redis is None or _redis[0] != url:
        import redis

        _redis = (url, redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10))
    return _redis[1]


@celery.task(bind=True, name=ANALYZE_TEXT, ignore_result=False, acks_late=False)
def analyze_text(self, request: dict) -> dict:
    from workers.scoring.pipeline import get_pipeline

    job = job_from_request(request)
    outputs = get_pipeline(self.settings).score([job])[0]
    return results_to_wire(outputs)


@celery.task(bind=True, name=ANALYZE_BATCH, acks_late=False)
def analyze_batch(self) -> int:
    from workers.scoring.pipeline import get_pipeline

    client = _client(self.settings.broker_url)
    items = batching.take_requests(client)
    if not items:
        return 0
    try:
        jobs = [job_from_request(item["request"]) for item in items]
        outputs = get_pipeline(self.settings).score(jobs)
        # The batch size goes back too: how much batching the load gives, for whoever looks (tests, benchmarks).
        answers = {item["id"]: {**results_to_wire(output), "batch": len(items)} for item, output in zip(items, outputs)}
    except Exception as error:
        log.exception("analyze batch failed", extra={"batch": len(items)})
        answers = {item["id"]: {"error": type(error).__name__} for item in items}
    batching.put_answers(client, answers)
    return len(items)
