"""The embedded broker (service/filesystem_broker.py): atomic writes, a reader that sets aside what it cannot
parse, used by every Celery app on the embedded settings, and the queue figures read from its folder."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from pathlib import Path
from queue import Empty

import pytest
from kombu import Connection
from kombu.transport import filesystem as stock

from service import filesystem_broker
from service.config import Settings
from service.task_names import ANALYZE_QUEUE, DELIVERIES_QUEUE, MAINTENANCE_QUEUE, SCORING_QUEUE


def embedded_settings(folder: Path) -> Settings:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BROKER_URL", "REDIS_URL")}
    settings = Settings.from_env({**env, "KAVALU_DATA_DIR": str(folder)})
    settings.make_broker_folders()
    return settings


def channel_of(transport, folder: Path):
    """A channel on the broker folders of the embedded settings under `folder`."""
    options = embedded_settings(folder).celery_config()["broker_transport_options"]
    return Connection("filesystem://", transport=transport, transport_options=options).default_channel


def message(n: int) -> dict:
    # About the size of a scoring task's message, so that a write is not one tiny syscall.
    return {
        "body": "x" * 2000,
        "headers": {"n": n},
        "properties": {"delivery_tag": str(n), "delivery_info": {"exchange": "", "routing_key": SCORING_QUEUE}},
        "content-type": "application/json",
    }


@pytest.mark.parametrize("bad", [b"", b'{"body": "eyJ', b"\xff\xfe", b"null"])
def test_an_unreadable_message_is_set_aside_and_the_next_one_taken(tmp_path, bad):
    broker = tmp_path / "broker"
    assert channel_of(stock.Transport, tmp_path) is not None  # the folders exist
    (broker / "0_x.scoring.msg").write_bytes(bad)
    if bad != b"null":  # kombu returns a non-object as a message, and the consumer fails on it later
        with pytest.raises((json.JSONDecodeError, UnicodeDecodeError)):
            channel_of(stock.Transport, tmp_path)._get(SCORING_QUEUE)
        (broker / "0_x.scoring.msg").write_bytes(bad)  # kombu removed it: the message is lost

    ours = channel_of(filesystem_broker.Transport, tmp_path)
    ours._put(SCORING_QUEUE, message(1))
    ours._put(DELIVERIES_QUEUE, message(2))
    assert ours._get(SCORING_QUEUE) == message(1)
    assert (tmp_path / "broker-unreadable" / "0_x.scoring.msg").read_bytes() == bad
    with pytest.raises(Empty):
        ours._get(SCORING_QUEUE)
    assert ours._get(DELIVERIES_QUEUE) == message(2)
    assert os.listdir(broker) == [] and os.listdir(tmp_path / "broker-processed") == []


def take_and_restore(channel):
    """What a worker does with the next message: makes a kombu Message of it, then (stopping before it is done)
    puts it back."""
    taken = channel.Message(channel._get(SCORING_QUEUE), channel=channel)
    channel._restore(taken)
    return taken


@pytest.mark.parametrize(
    "bad",
    [
        b"{}",
        b"[]",
        b'"a message"',
        b'{"body": "eyJ9", "headers": {}, "content-type": "application/json"}',  # no properties
        b'{"body": "eyJ9", "properties": {"delivery_info": {}}}',  # no delivery_tag
        b'{"body": "eyJ9", "properties": {"delivery_tag": "1", "delivery_info": {}}, "headers": []}',
    ],
)
def test_json_that_is_not_a_kombu_message_is_set_aside(tmp_path, bad, caplog):
    broker = tmp_path / "broker"
    stock_channel = channel_of(stock.Transport, tmp_path)
    (broker / "0_x.scoring.msg").write_bytes(bad)
    # What killed the worker ("Unrecoverable error: KeyError('properties')"), with the file gone.
    with pytest.raises((KeyError, TypeError, AttributeError)):
        take_and_restore(stock_channel)
    assert not (broker / "0_x.scoring.msg").exists()

    (broker / "0_x.scoring.msg").write_bytes(bad)
    ours = channel_of(filesystem_broker.Transport, tmp_path)
    ours._put(SCORING_QUEUE, message(1))
    with caplog.at_level(logging.WARNING, logger=filesystem_broker.__name__):
        assert take_and_restore(ours).headers == {"n": 1}
    assert ours._get(SCORING_QUEUE)["headers"] == {"n": 1}
    assert (tmp_path / "broker-unreadable" / "0_x.scoring.msg").read_bytes() == bad
    assert "unreadable broker message set aside" in caplog.text


def _put_many(transport, folder: str, count: int) -> None:
    channel = channel_of(transport, Path(folder))
    for n in range(count):
        channel._put(SCORING_QUEUE, message(n))


def exchange(transport, folder: Path, count: int) -> tuple[list[int], int]:
    """Another process puts `count` messages while this one takes them in a loop: (what arrived, reads that failed)."""
    channel = channel_of(transport, folder)
    writer = multiprocessing.get_context("spawn").Process(target=_put_many, args=(transport, str(folder), count))
    writer.start()
    arrived: list[int] = []
    failed = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (writer.is_alive() or os.listdir(folder / "broker")):
        try:
            arrived.append(channel._get(SCORING_QUEUE)["headers"]["n"])
        except Empty:
            pass
        except ValueError:  # what killed the worker, with kombu's channel
            failed += 1
    writer.join(10)
    return arrived, failed


def test_messages_written_while_a_consumer_polls_arrive_once_each(tmp_path):
    arrived, failed = exchange(filesystem_broker.Transport, tmp_path, 3000)
    assert failed == 0
    assert sorted(arrived) == list(range(3000))


def test_the_embedded_settings_use_this_transport_and_other_brokers_do_not(tmp_path):
    from service.taskqueue import KavaluCelery

    embedded = embedded_settings(tmp_path)
    app = KavaluCelery("probe", set_as_current=False)
    app.init_settings(embedded)
    with app.connection_for_write() as connection:
        assert type(connection.transport) is filesystem_broker.Transport
    with app.connection_for_read() as connection:
        assert type(connection.transport) is filesystem_broker.Transport
    redis = Settings.from_env({**os.environ, "BROKER_URL": "redis://127.0.0.1:1/0"})
    assert redis.broker_folder is None and "broker_transport" not in redis.celery_config()


def test_queue_figures_count_the_embedded_brokers_files(tmp_path):
    from service.ops.metrics import LiveFigures, queue_figures
    from service.taskqueue import TaskQueue

    settings = embedded_settings(tmp_path)
    queue = TaskQueue(settings)
    assert queue_figures(None, broker_folder=settings.broker_folder)[SCORING_QUEUE] == {
        "depth": 0,
        "oldest_age_seconds": None,
    }
    for n in range(3):
        assert queue.send("kavalu.score_comment", f"cmt_{n}")
    assert queue.send("kavalu.dispatch_due_deliveries")
    (settings.broker_folder / "9_x.scoring.msg.writing").write_bytes(b"")  # not a message yet
    later = time.time() + 30
    figures = queue_figures(None, now=later, broker_folder=settings.broker_folder)
    assert set(figures) == {SCORING_QUEUE, DELIVERIES_QUEUE, MAINTENANCE_QUEUE, ANALYZE_QUEUE}
    assert figures[SCORING_QUEUE]["depth"] == 3 and figures[MAINTENANCE_QUEUE]["depth"] == 1
    assert figures[DELIVERIES_QUEUE] == {"depth": 0, "oldest_age_seconds": None}
    assert 30 <= figures[SCORING_QUEUE]["oldest_age_seconds"] < 40  # from the message's kavalu_sent_at

    def no_store():
        raise RuntimeError("not needed here")

    families = {f.name: f for f in LiveFigures(None, no_store, broker_folder=settings.broker_folder).collect()}
    depths = {sample.labels["queue"]: sample.value for sample in families["kavalu_queue_depth"].samples}
    assert depths[SCORING_QUEUE] == 3


def test_ops_queues_shows_the_embedded_brokers_queues(tmp_path):
    from service.app import create_app
    from service.db import Database
    from service.migrate import upgrade
    from service.taskqueue import TaskQueue
    from tests.helpers import limiter_state_kept
    from tests.review_support import bearer, make_moderator

    settings = embedded_settings(tmp_path)
    upgrade(settings)
    database = Database(settings)
    try:
        _, token = make_moderator(database, role="admin")
        assert TaskQueue(settings).send("kavalu.score_comment", "cmt_1")
        with limiter_state_kept():
            client = create_app(settings).test_client()
            body = client.get("/v1/ops/queues", headers=bearer(token)).get_json()
            metrics = client.get("/metrics").get_data(as_text=True)
    finally:
        database.dispose()
    assert body["queues"][SCORING_QUEUE]["depth"] == 1, body
    assert body["queues"][SCORING_QUEUE]["oldest_age_seconds"] is not None
    assert body["queues"][DELIVERIES_QUEUE]["depth"] == 0
    assert 'kavalu_queue_depth{queue="scoring"} 1.0' in metrics


def _put_one(folder: str, n: int) -> None:
    channel_of(filesystem_broker.Transport, Path(folder))._put(SCORING_QUEUE, message(n))


def test_messages_are_taken_oldest_first_across_a_digit_change_a_restart_and_an_upgrade(tmp_path):
    broker = tmp_path / "broker"
    channel = channel_of(filesystem_broker.Transport, tmp_path)
    # Left by an earlier version, named by kombu's monotonic count in milliseconds: it grew a digit between the
    # first two, and the third was written before a reboot that started the count again.
    for n, name in enumerate(["99999_a", "100000_b", "99999999999_c"]):
        (broker / f"{name}.scoring.msg").write_text(json.dumps(message(n)))
    channel._put(SCORING_QUEUE, message(3))
    other = multiprocessing.get_context("spawn").Process(target=_put_one, args=(str(tmp_path), 4))  # a restart
    other.start()
    other.join(30)
    channel._put(SCORING_QUEUE, message(5))

    assert [channel._get(SCORING_QUEUE)["headers"]["n"] for _ in range(6)] == [0, 1, 2, 3, 4, 5]
    assert os.listdir(broker) == []


def test_a_message_named_here_is_taken_by_kombus_own_channel(tmp_path):
    # A downgrade, or kombu's transport on the same folder, still reads what this one wrote.
    channel_of(filesystem_broker.Transport, tmp_path)._put(SCORING_QUEUE, message(1))
    assert channel_of(stock.Transport, tmp_path)._get(SCORING_QUEUE) == message(1)


def test_a_write_abandoned_long_ago_is_set_aside_and_a_recent_one_kept(tmp_path, caplog):
    broker = tmp_path / "broker"
    channel = channel_of(filesystem_broker.Transport, tmp_path)
    abandoned = broker / "1_a.scoring.msg.writing"  # its writer died between the write and the rename
    abandoned.write_text(json.dumps(message(1)))
    long_ago = time.time() - filesystem_broker.ABANDONED_WRITE_AGE_S - 1
    os.utime(abandoned, (long_ago, long_ago))
    recent = broker / "2_b.scoring.msg.writing"  # a writer may still be at it
    recent.write_text("{")
    lately = time.time() - filesystem_broker.ABANDONED_WRITE_AGE_S + 30
    os.utime(recent, (lately, lately))

    with caplog.at_level(logging.WARNING, logger=filesystem_broker.__name__), pytest.raises(Empty):
        channel._get(SCORING_QUEUE)
    assert sorted(os.listdir(broker)) == [recent.name]
    assert (tmp_path / "broker-unreadable" / abandoned.name).read_text() == json.dumps(message(1))
    assert "abandoned broker message write set aside" in caplog.text
