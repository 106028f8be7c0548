"""The embedded broker: kombu's filesystem transport, with messages that no reader sees half written.

kombu's `Channel._put` opens the message file under its final name and then writes it, while `_get` takes no
lock: a worker polling in between moved away an empty file, died of a JSONDecodeError ("Unrecoverable error")
and lost the message. Here a message is written under a name `_get` ignores and renamed into place, and a file
that does not parse, or is not a kombu message (left by an older version, by a crash, or by hand), is set aside
with a warning instead of raised.

Message files are named so that sorted names are arrival order: kombu names them by a monotonic count in
milliseconds, whose order broke when the count grew a digit ("99999_" sorts after "100000_") and after a reboot
(the count starts again, and new messages went before the old ones still waiting). Files that an earlier version
named that way are still taken, oldest first. A `.writing` file that its writer left by dying before the rename
is set aside once it is old enough that no writer can still be at it.

Celery picks this transport through `broker_transport` (Settings.celery_config); the URL stays `filesystem://`.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from queue import Empty

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads
from kombu.utils.objects import cached_property

log = logging.getLogger(__name__)


WRITING = ".writing"
# After every digit, so that the names of an earlier version (kombu's, `<monotonic ms>_...`) sort before ours.
NAME_PREFIX = "t"
# A message is written in well under a second; a `.writing` file untouched this long has lost its writer.
ABANDONED_WRITE_AGE_S = 600

_last_stamp = 0


def _stamp() -> int:
    """Wall-clock nanoseconds, kept rising within the process (a clock stepped back, two messages in one tick)."""
    global _last_stamp
    _last_stamp = max(time.time_ns(), _last_stamp + 1)
    return _last_stamp


def message_filename(queue: str) -> str:
    return f"{NAME_PREFIX}{_stamp():020d}_{uuid.uuid4()}.{queue}.msg"


def arrival_order(filename: str) -> tuple:
    """Sort key of a broker folder's files, oldest message first: an earlier version's names (`<ms>_...`) by
    their count, then ours, whose names sort as they were made."""
    count = filename.partition("_")[0]
    return (0, int(count), filename) if count.isdecimal() else (1, filename)


def is_message_of(filename: str, queue: str) -> bool:
    """kombu's own test: `<stamp>_<uuid>.<queue>.msg`; a file being written (`....msg.writing`) is not one yet."""
    return filename.partition(".")[2] == f"{queue}.msg"


def is_kombu_message(message: object) -> bool:
    """Whether `message` has what kombu's virtual transport reads from one without checking (virtual/base.py:
    `Message.__init__`, and `_restore` when a worker stops with it unacknowledged); anything else kills the worker."""
    if not isinstance(message, dict) or "body" not in message:
        return False
    properties, headers = message.get("properties"), message.get("headers")
    if not isinstance(properties, dict) or "delivery_tag" not in properties:
        return False
    delivery_info = properties.get("delivery_info")
    return (
        isinstance(delivery_info, dict)
        and {"exchange", "routing_key"} <= delivery_info.keys()
        and (headers is None or isinstance(headers, dict))
    )


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        final = os.path.join(self.data_folder_out, message_filename(queue))
        partial = final + WRITING
        # No fsync: the message is not the record (the sweeper and the dispatcher send again what the database
        # still holds), and a file a power cut left empty is set aside by _get below.
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        # Moved into the processed folder, beside the queue's (kombu moves it to the system's temporary folder,
        # which may be another filesystem: a copy and a delete, not a rename).
        names = os.listdir(self.data_folder_in)
        self._set_aside_abandoned_writes(names)
        for filename in sorted(names, key=arrival_order):
            if not is_message_of(filename, queue):
                continue
            taken = os.path.join(self._taken_folder, filename)
            try:
                os.rename(os.path.join(self.data_folder_in, filename), taken)
            except FileNotFoundError:
                continue  # another consumer took it
            except OSError as exc:
                raise ChannelError(f"Cannot move {filename!r} to {self._taken_folder!r}") from exc
            try:
                with open(taken, "rb") as file:
                    payload = file.read()
            except OSError as exc:
                raise ChannelError(f"Cannot read file {taken!r} from queue.") from exc
            try:
                message = loads(bytes_to_str(payload))
            except ValueError:  # JSONDecodeError, UnicodeDecodeError
                message = None
            if not is_kombu_message(message):
                self._set_aside(taken, queue)
                continue
            if not self.store_processed:
                os.remove(taken)
            return message
        raise Empty()

    @cached_property
    def _taken_folder(self) -> str:
        # Made here: a missing folder would read as "another consumer took it", for every message.
        os.makedirs(self.processed_folder, exist_ok=True)
        return self.processed_folder

    def _set_aside_abandoned_writes(self, names: list[str]) -> None:
        now = time.time()
        for name in names:
            if not name.endswith(WRITING):
                continue
            path = os.path.join(self.data_folder_in, name)
            queue = name.partition(".")[2].removesuffix(".msg" + WRITING)
            try:
                if now - os.stat(path).st_mtime >= ABANDONED_WRITE_AGE_S:
                    self._set_aside(path, queue, "abandoned broker message write set aside")
            except FileNotFoundError:
                continue  # renamed by its writer, or set aside by another consumer

    def _set_aside(self, path: str, queue: str, warning: str = "unreadable broker message set aside") -> None:
        folder = self.transport_options.get("unreadable_folder") or self.processed_folder
        os.makedirs(folder, exist_ok=True)
        kept = os.path.join(folder, os.path.basename(path))
        os.replace(path, kept)
        log.warning(warning, extra={"queue": queue, "path": kept})


class Transport(filesystem.Transport):
    Channel = Channel
