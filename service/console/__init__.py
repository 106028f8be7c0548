"""The moderator console (/console): server-rendered pages over the review, legal, admin and ops service functions.

- views: the blueprint (thin views); admin_views: the admin pages on it (service.app imports both)
- pages: what each page shows, gathered from the service layer
- session: the signed session cookie, its idle timeout and revocation check, and CSRF tokens
- forms: form and query inputs, and the refusal (a 4xx page) for a bad one
"""
