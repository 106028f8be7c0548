"""A publisher's callback endpoint on loopback, for tests and benchmarks."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from service.publishers import signing


class Receiver:
    """A publisher's callback endpoint on loopback: fails the first `fail_first` POSTs, then accepts."""

    def __init__(
        self,
        secret: str | None = None,
        fail_first: int = 0,
        hang_s: float = 0,
        redirect: bool = False,
        port: int | None = None,
        tolerance_s: int = 300,
        before_answer: Callable[[], None] | None = None,
    ):
        self.secret, self.fail_first, self.hang_s, self.redirect = secret, fail_first, hang_s, redirect
        self.tolerance_s, self.before_answer = tolerance_s, before_answer
        self.requests: list[dict] = []
        self.paths: list[str] = []
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    receiver.paths.append(self.path)
                    number = len(receiver.requests)
                    record = {
                        "path": self.path,
                        "body": json.loads(body),
                        "headers": dict(self.headers),
                        "signature_ok": receiver.secret is not None
                        and signing.verify(
                            receiver.secret,
                            body,
                            self.headers.get("X-Kavalu-Signature"),
                            time.time(),
                            receiver.tolerance_s,
                        ),
                    }
                    receiver.requests.append(record)
                if receiver.hang_s:
                    time.sleep(receiver.hang_s)
                if receiver.before_answer:
                    receiver.before_answer()
                answer = 500 if number < receiver.fail_first else 200
                if receiver.redirect and self.path == "/hook":
                    answer = 302
                record["answer"] = answer
                try:
                    self.send_response(answer)
                    if answer == 302:
                        self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the client gave up (a timeout)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", port or 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def accepted(self) -> list[dict]:
        return [r for r in self.requests if 200 <= r.get("answer", 0) < 300]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
