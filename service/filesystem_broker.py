"""The embedded broker: kombu's filesystem transport, with messages that no reader sees half written.

kombu's `Channel._put` opens the message file under its final name and then writes it, while `_get` takes no
lock: a worker polling in between moved away an empty file, died of a JSONDecodeError ("Unrecoverable error")
and lost the message. Here a message is written under a name `_get` ignores and renamed into place, and a file
that does not parse, or is not a kombu message (left by an older version, by a crash, or by hand), is set aside
with a warning instead of raised.

Celery picks this transport through `broker_transport` (Settings.celery_config); the URL stays `filesystem://`.
"""

from __future__ import annotations

import logging
import os
import uuid
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads
from kombu.utils.objects import cached_property

log = logging.getLogger(__name__)


def is_message_of(filename: str, queue: str) -> bool:
    """kombu's own test: `<ms>_<uuid>.<queue>.msg`; a file being written (`....msg.writing`) is not one yet."""
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
        # kombu's name, so the order of messages (sorted names) stays kombu's.
        final = os.path.join(self.data_folder_out, f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg")
        partial = f"{final}.writing"
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
        for filename in sorted(os.listdir(self.data_folder_in)):
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

    def _set_aside(self, path: str, queue: str) -> None:
        folder = self.transport_options.get("unreadable_folder") or self.processed_folder
        os.makedirs(folder, exist_ok=True)
        kept = os.path.join(folder, os.path.basename(path))
        os.replace(path, kept)
        log.warning("unreadable broker message set aside", extra={"queue": queue, "path": kept})


class Transport(filesystem.Transport):
    Channel = Channel
