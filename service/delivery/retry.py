"""When a failed delivery is tried again (RetryPolicy), and the settings of delivery as a whole (DeliveryConfig)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter above a floor, retried for at least `retry_window_s`.

    After the n-th failed attempt of a series the next one waits a uniform
    random time in [base, min(cap, base * 2**n)]: the first retry comes after
    10-20 s, later ones spread up to the 1 h cap. Full jitter spreads a burst
    of failures (a publisher's endpoint down for everyone) instead of retrying
    them in lock-step; the floor keeps a struggling endpoint from being hit
    again at once. The event fails only when an attempt fails at least
    `retry_window_s` after the first attempt of its series, so the retrying
    spans the whole window whatever the jitter draws (at most one cap longer).
    """

    base_delay_s: float = 10.0
    max_delay_s: float = 3600.0
    retry_window_s: float = 86400.0

    @classmethod
    def from_settings(cls, settings) -> RetryPolicy:
        return cls(settings.delivery_base_delay_s, settings.delivery_max_delay_s, settings.delivery_retry_window_s)

    def delay_s(self, failed_attempts: int, rng: Callable[[], float]) -> float:
        """Seconds to wait after the `failed_attempts`-th consecutive failure (1-based)."""
        floor = min(self.base_delay_s, self.max_delay_s)
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** min(failed_attempts, 40))
        return floor + rng() * max(0.0, ceiling - floor)

    def next_attempt_at(
        self, series_started_at: datetime, failed_at: datetime, failed_attempts: int, rng: Callable[[], float]
    ) -> datetime | None:
        """When to try again, or None when the window is spent and the event should fail."""
        if (failed_at - series_started_at).total_seconds() >= self.retry_window_s:
            return None
        return failed_at + timedelta(seconds=self.delay_s(failed_attempts, rng))

    def simulate(self, rng: Callable[[], float]) -> list[float]:
        """Offsets (s) of every attempt of a series that always fails, each made exactly on time."""
        start = datetime(2000, 1, 1, tzinfo=UTC)
        offsets, now, failures = [0.0], start, 0
        while True:
            failures += 1
            following = self.next_attempt_at(start, now, failures, rng)
            if following is None:
                return offsets
            now = following
            offsets.append((now - start).total_seconds())


@dataclass(frozen=True)
class DeliveryConfig:
    retry: RetryPolicy = RetryPolicy()
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 10.0
    block_private: bool = True

    @classmethod
    def from_settings(cls, settings) -> DeliveryConfig:
        return cls(
            retry=RetryPolicy.from_settings(settings),
            connect_timeout_s=settings.delivery_connect_timeout_s,
            read_timeout_s=settings.delivery_read_timeout_s,
            block_private=settings.block_private_callbacks,
        )

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout_s, self.read_timeout_s)

    @property
    def dispatch_lease_s(self) -> float:
        # How long a dispatched event is left alone while its task waits in the queue and runs.
        # Only a lost task ever waits this out; a duplicate task is harmless (see attempt_delivery).
        return max(60.0, 4 * (self.connect_timeout_s + self.read_timeout_s))
