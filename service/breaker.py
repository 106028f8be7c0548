"""A small circuit breaker: after a dependency failed to answer in time, skip it for a few seconds.

Intake must answer within a bounded time whatever the store or the broker is doing. Once one of them
has timed out, every request that tries it again would wait as long again; a sync gunicorn worker
blocked that way stops answering everyone else. The breaker remembers the failure for `pause_s`, and
callers skip the dependency (the store: 503 at once; the broker: leave the comment to the sweeper).
After the pause one caller tries again: success closes the breaker, failure opens it for another pause.
The state is per process and needs no lock: a race costs at most one extra try.
"""

from __future__ import annotations

import time


class CircuitBreaker:
    def __init__(self, pause_s: float, clock=time.monotonic):
        self.pause_s = pause_s
        self.clock = clock
        self.open_until = 0.0

    def is_open(self) -> bool:
        return self.pause_s > 0 and self.clock() < self.open_until

    def trip(self) -> None:
        """The dependency failed: skip it for the next `pause_s` seconds."""
        self.open_until = self.clock() + self.pause_s

    def reset(self) -> None:
        self.open_until = 0.0

    def remaining_s(self) -> float:
        return max(0.0, self.open_until - self.clock())
