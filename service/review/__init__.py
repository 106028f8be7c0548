"""Human review: what moderators see, claim and decide, and what the law may ask to be disclosed.

The views in service/api/review.py, legal.py and admin.py and the CLI in service/cli/moderation.py
are thin wrappers around these modules. Time comes in as `now`, so lease expiry and the
author-history window are tested without sleeping.

- queues: the queues, their filters and keyset cursors
- items: the review item (text, scores, reasons, highlighted evidence)
- highlighting: evidence spans as escaped <mark> HTML
- claims: a moderator's 10-minute lease on a comment
- actions: approve, reject, escalate, redact, overturn; bulk approve/reject
- redaction: redact spans checked and cut out of the text
- feedback: moderator overrides as labelled examples
- disclosure: sender details for the legal role, audited
- audit: the audit trail
- access: who may reach what, and loading the comment a request names
- errors: ReviewError, the refusal the API and CLI turn into an answer
- moderators: moderator accounts and bearer tokens
Author ban/trust rules live in service.authors.
"""
