"""An analyze request's broker message carries the text and the scoring knobs, not the publisher's ban lists.

Author rules need a stored comment and never apply to analyze (docs/api.md), so the blocked emails and IP ranges
have no business in a message that Redis keeps in its append-only file.
"""

from __future__ import annotations

import os

from service.analyze.batching import REQUESTS_KEY
from service.app import create_app
from service.config import Settings
from service.publishers.accounts import set_policy
from tests.analyze_support import create_key

BANNED_EMAIL = "banned.reader@example.org"
BANNED_DOMAIN = "banned-domain.example"
BANNED_RANGE = "203.0.113.0/24"


def test_the_analyze_message_holds_no_ban_list(database, publisher, queue_redis):
    settings = Settings.from_env({**os.environ, "KAVALU_ANALYZE_TIMEOUT_S": "0.2"})
    with database.session() as session:
        set_policy(
            session,
            publisher.id,
            {
                "blocked_emails": [BANNED_EMAIL],
                "blocked_email_domains": [BANNED_DOMAIN],
                "blocked_ip_ranges": [BANNED_RANGE],
                "max_links": 3,
            },
            settings.default_policy,
        )
    key = create_key(database, publisher.id, "analyze")
    client = create_app(settings).test_client()
    # No worker consumes this broker: the request waits in Redis, as the broker keeps it, and the caller gets a 503.
    answer = client.post(
        "/v1/analyze", json={"text": "A perfectly ordinary comment."}, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 503, answer.get_json()

    messages = queue_redis.lrange(REQUESTS_KEY, 0, -1)
    assert len(messages) == 1 and b"A perfectly ordinary comment." in messages[0]
    assert b'"max_links": 3' in messages[0]  # the scoring knobs the worker needs still go
    everything = b"".join(
        b"".join(queue_redis.lrange(name, 0, -1))
        for name in queue_redis.scan_iter()
        if queue_redis.type(name) == b"list"
    )
    for entry in (BANNED_EMAIL, BANNED_DOMAIN, BANNED_RANGE, "blocked_emails", "blocked_ip_ranges"):
        assert entry.encode() not in everything, entry
