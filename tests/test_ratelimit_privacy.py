"""The intake rate limits name their per-IP counters by a keyed hash: senders' IPs never become Redis key names.

Redis writes key names to its append-only file, which the operations guide says holds nothing to back up or protect.
"""

from __future__ import annotations

import json
import os

import pytest

from service import keyfile
from service.app import create_app
from service.config import Settings
from service.db import Database
from service.intake import ratelimit
from service.migrate import upgrade
from service.sealing import KEY_FILE, Sealer, SealingKeysMissing
from tests.helpers import comment, create_publisher, post_comment

SENDER_IP = "203.0.113.77"
REFUSED_IP = "203.0.113.78"


def _limited_app(**extra: str):
    return create_app(
        Settings.from_env(
            {
                **os.environ,
                "KAVALU_RATE_LIMITS": "true",
                "KAVALU_RATE_LIMIT_PER_AUTHOR_IP": "3/hour",
                "KAVALU_RATE_LIMIT_PER_PUBLISHER": "1000/hour",
                **extra,
            }
        )
    ).test_client()


def test_no_redis_key_names_a_senders_ip_and_the_limit_still_bites(database, publisher, queue_redis):
    # Two API processes (two apps, each with its own limiter) share the Redis and the sealing keys.
    first, second = _limited_app(), _limited_app()
    statuses = [post_comment(first, publisher, comment(comment_id="ip-0", author__ip=SENDER_IP)).status_code]
    statuses.append(post_comment(second, publisher, comment(comment_id="ip-1", author__ip=SENDER_IP)).status_code)
    statuses.append(post_comment(first, publisher, comment(comment_id="ip-2", author__ip=SENDER_IP)).status_code)
    statuses.append(post_comment(second, publisher, comment(comment_id="ip-3", author__ip=SENDER_IP)).status_code)
    assert statuses == [202, 202, 202, 429]  # 3 per IP, counted together by both processes
    # A request refused with 422 is counted too (the limits come before validation): its IP must not show either.
    refused = post_comment(first, publisher, comment(comment_id="bad", text="", author__ip=REFUSED_IP))
    assert refused.status_code == 422
    # Another IP still gets through.
    assert post_comment(first, publisher, comment(comment_id="other", author__ip="198.51.100.9")).status_code == 202

    names = [key.decode() for key in queue_redis.scan_iter("kavalu-intake-limit:*")]
    per_ip = [name for name in names if ":author-ip:" in name]
    assert len(per_ip) == 3, names  # one counter per IP: the sender, the refused one and the other
    for name in names:
        assert SENDER_IP not in name and REFUSED_IP not in name and "198.51.100.9" not in name, name
    everything = b" ".join(queue_redis.scan_iter("*")).decode()
    assert "203.0.113." not in everything and "198.51.100." not in everything


def test_the_hash_key_is_shared_by_the_processes_of_a_store_and_is_not_a_plain_hash(tmp_path):
    embedded = {"KAVALU_DATA_DIR": str(tmp_path), "KAVALU_RATE_LIMITS": "true"}
    key = ratelimit.ident_hash_key(Sealer(Settings.from_env(embedded)))
    assert (tmp_path / KEY_FILE).is_file()  # the embedded store's sealing key, which its processes share
    assert ratelimit.ident_hash_key(Sealer(Settings.from_env(embedded))) == key
    assert ratelimit.ident_hash(key, SENDER_IP) == ratelimit.ident_hash(
        ratelimit.ident_hash_key(Sealer(Settings.from_env(embedded))), SENDER_IP
    )
    # Derived from the first sealing key, not the key itself, and another key gives other names.
    configured = {"KAVALU_SEALING_KEYS": "A" * 43 + "=,", "DATABASE_URL": "postgresql://db/kavalu"}
    other = ratelimit.ident_hash_key(Sealer(Settings.from_env(configured)))
    assert other != key and other != ("A" * 43 + "=").encode()
    assert ratelimit.ident_hash(other, SENDER_IP) != ratelimit.ident_hash(key, SENDER_IP)
    with pytest.raises(SealingKeysMissing):
        ratelimit.ident_hash_key(
            Sealer(Settings.from_env({"DATABASE_URL": "postgresql://db/kavalu", "KAVALU_DATA_DIR": str(tmp_path)}))
        )


def test_the_app_reads_its_key_file_once_and_names_the_counters_with_its_sealers_key(
    tmp_path, queue_redis, monkeypatch
):
    """The limits built a Sealer of their own for the hash key: every API process read the key file twice. They take
    the key from the sealer of the app's Database, which also opens the publishers' signing secrets."""
    env = {name: value for name, value in os.environ.items() if name != "KAVALU_SEALING_KEYS"}
    settings = Settings.from_env(
        {
            **env,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'kavalu.sqlite3'}",  # its key file: tmp_path / KEY_FILE
            "KAVALU_DATA_DIR": str(tmp_path),
            "KAVALU_RATE_LIMITS": "true",
            "KAVALU_RATE_LIMIT_PER_AUTHOR_IP": "3/hour",
        }
    )
    assert settings.redis_url and not settings.sealing_keys
    upgrade(settings)
    setup = Database(settings)
    publisher = create_publisher(setup, "Key File Gazette")  # creates the key file
    setup.dispose()
    reads = []
    read_or_create = keyfile.read_or_create
    monkeypatch.setattr(keyfile, "read_or_create", lambda path, *a: reads.append(path) or read_or_create(path, *a))

    app = create_app(settings)
    client = app.test_client()
    for number in range(2):
        posted = post_comment(client, publisher, comment(comment_id=f"kf-{number}", author__ip=SENDER_IP))
        assert posted.status_code == 202, posted.get_json()

    assert reads == [tmp_path / KEY_FILE]  # once, by the app's one sealer
    key = ratelimit.ident_hash_key(app.extensions["kavalu.db"].sealer)
    names = {name.decode() for name in queue_redis.scan_iter("kavalu-intake-limit:author-ip:*")}
    assert any(name.endswith(f":{ratelimit.ident_hash(key, SENDER_IP)}") for name in names), names
    app.extensions["kavalu.db"].dispose()


def test_an_ip_holding_a_lone_surrogate_is_refused_not_a_500(database, publisher, queue_redis):
    """The limits count before validation: hashing an "ip" of "\\ud800" (valid JSON, not UTF-8) was a 500."""
    from tests.helpers import signed_headers

    raw = json.dumps(comment(comment_id="surrogate", author__ip="\ud800")).encode()  # ensure_ascii: "\\ud800"
    response = _limited_app().post("/v1/comments", data=raw, headers=signed_headers(publisher, raw))
    assert response.status_code in (400, 422), response.get_data(as_text=True)
