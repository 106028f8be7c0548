"""Delivering outbound events (decisions) to publishers' callback URLs, and the pull feed of decisions.

Delivery state lives in the database, never in the broker: an event is
`pending` with a `next_attempt_at`, a periodic dispatcher enqueues the due
ones, and each task makes exactly one attempt and writes down the next time.
Long retry delays therefore never become broker countdowns, which Redis would
redeliver after its visibility timeout.

The clock (`now`), the jitter source (`rng`), the HTTP client (`http_post`)
and the resolver are parameters, so the schedule and the hardening are tested
without sleeping or touching the network.

- retry: when to try again (RetryPolicy) and the delivery settings (DeliveryConfig)
- destinations: which callback URLs may be called, and the POST that holds to it at connect time
- attempts: one delivery attempt of one event
- dispatch: the dispatcher's claim of the events that are due
- redelivery: listing events for admins, and sending them again
- feed: the publisher's pull feed of final decisions
"""
