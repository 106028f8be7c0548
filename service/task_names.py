"""Names of the Celery queues and tasks: the API sends tasks by these names and the workers
register their tasks under them, so neither side imports the other."""

SCORING_QUEUE = "scoring"
DELIVERIES_QUEUE = "deliveries"
# The periodic tasks (the sweeper and the delivery dispatcher), consumed by the deliveries workers: away from
# scoring, where a sweep would wait behind a drain task of a minute, and from a backlog of callbacks.
MAINTENANCE_QUEUE = "maintenance"
# Synchronous scoring (/v1/analyze and the drop-in endpoints): an API request waits on the answer, so it has a
# queue of its own that drain tasks never hold up, consumed by the analyze workers.
ANALYZE_QUEUE = "analyze"

SCORE_COMMENT = "kavalu.score_comment"
SWEEP_PENDING = "kavalu.sweep_pending"
DELIVER_EVENT = "kavalu.deliver_event"
DELIVER_EVENTS = "kavalu.deliver_events"
DISPATCH_DUE_DELIVERIES = "kavalu.dispatch_due_deliveries"
ANALYZE_TEXT = "kavalu.analyze_text"
ANALYZE_BATCH = "kavalu.analyze_batch"

QUEUE_OF_TASK = {
    SCORE_COMMENT: SCORING_QUEUE,
    SWEEP_PENDING: MAINTENANCE_QUEUE,
    DELIVER_EVENT: DELIVERIES_QUEUE,
    DELIVER_EVENTS: DELIVERIES_QUEUE,
    DISPATCH_DUE_DELIVERIES: MAINTENANCE_QUEUE,
    ANALYZE_TEXT: ANALYZE_QUEUE,
    ANALYZE_BATCH: ANALYZE_QUEUE,
}

# PostgreSQL advisory locks that keep two beats (or a slow run overlapping the next) from running a
# periodic task twice at once.
SWEEP_LOCK_ID = 4242001
DISPATCH_LOCK_ID = 4242002
