"""What several requests' comments in one INSERT would save: PostgreSQL's CPU per new comment, one per statement
against batches of 2, 4 and 8.

Run:  .venv/bin/python bench/intake_batching.py [--comments 4000]
Needs: PostgreSQL as for the tests.

The intake path stores a new comment with one statement (service.intake.lean). Group commit, the one way left to
fewer statements per comment, would make concurrent requests of an API process wait for each other and share one
statement. Before building that, this measures its ceiling on one connection: the shipped statement, and the same
CTE over unnest() arrays (one prepared statement for any batch size), for --comments new comments each. It prints
the PostgreSQL backend's CPU (/proc), this client's CPU (psycopg binding the arrays) and the wall time per comment.
Figures: docs/benchmarks.md (*The 2.5x goal's floor*).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.abuse_model import cpu_description  # noqa: E402
from bench.intake import DATABASE_URL, drop_database, setup_database  # noqa: E402
from service.intake.lean import _NEW_COMMENT_SQL  # noqa: E402
from service.models import new_id  # noqa: E402
from service.publishers.cache import GUARD_SQL  # noqa: E402

COLUMNS = {
    "id": "varchar", "publisher_id": "varchar", "sealed_secret": "varchar", "policy_version": "int",
    "now": "timestamptz", "external_id": "varchar", "article_id": "varchar", "article_title": "text",
    "article_url": "text", "parent_comment_id": "varchar", "language": "varchar", "author_name": "varchar",
    "author_email": "varchar", "author_external_id": "varchar", "status": "varchar", "content_hash": "varchar",
    "submitted_at": "timestamptz", "text": "text", "article_body": "text", "ip": "varchar", "user_agent": "text",
    "email": "varchar", "sender_name": "varchar",
}  # fmt: skip
_unnest = ", ".join(f"CAST(%({name})s AS {kind}[])" for name, kind in COLUMNS.items())
# The shipped guard, per input row: its parameters become the row's columns.
_guard = GUARD_SQL.replace("p.id = :publisher_id", "p.id = i.publisher_id").replace(":", "i.")
BATCH_SQL = f"""
WITH i AS (SELECT * FROM unnest({_unnest}) WITH ORDINALITY AS i({", ".join(COLUMNS)}, ord)),
pub AS (SELECT i.id FROM i WHERE EXISTS ({_guard})),
ins AS (
  INSERT INTO comments (id, publisher_id, external_id, article_id, article_title, article_url, parent_comment_id,
                        language, author_name, author_email, author_external_id, status, current_revision,
                        content_hash, scoring_attempts, submitted_at, received_at, enqueued_at, updated_at)
  SELECT i.id, i.publisher_id, i.external_id, i.article_id, i.article_title, i.article_url, i.parent_comment_id,
         i.language, i.author_name, i.author_email, i.author_external_id, i.status, 1, i.content_hash, 0,
         i.submitted_at, i.now, i.now, i.now
  FROM i JOIN pub USING (id) ORDER BY i.ord
  ON CONFLICT (publisher_id, external_id) DO NOTHING
  RETURNING id
),
rev AS (
  INSERT INTO comment_revisions (comment_id, number, text, article_body, content_hash, created_at)
  SELECT i.id, 1, i.text, i.article_body, i.content_hash, i.now FROM i JOIN ins USING (id)
),
sender AS (
  INSERT INTO sender_details (comment_id, revision, ip, user_agent, email, name, submitted_at, received_at)
  SELECT i.id, 1, i.ip, i.user_agent, i.email, i.sender_name, i.submitted_at, i.now FROM i JOIN ins USING (id)
)
SELECT pub.id IS NOT NULL, ins.id FROM i LEFT JOIN pub USING (id) LEFT JOIN ins USING (id) ORDER BY i.ord
"""


def comment(publisher_id: str, sealed_secret: str, policy_version: int, n: int) -> dict:
    return {
        "publisher_id": publisher_id, "sealed_secret": sealed_secret, "policy_version": policy_version,
        "now": datetime.now(UTC), "id": new_id("cmt"), "external_id": f"batching-{n}", "article_id": f"a-{n % 50}",
        "article_title": "India-Russia ties look up ahead of Putin's possible Delhi visit", "article_url": None,
        "parent_comment_id": None, "language": None, "author_name": "Ravi Kumar", "author_email": "ravi@example.com",
        "author_external_id": None, "status": "pending", "content_hash": hashlib.sha256(str(n).encode()).hexdigest(),
        "submitted_at": None, "text": "A comment about the article, long enough to be a realistic one. " * 4,
        "article_body": None, "ip": "203.0.113.7", "user_agent": "Mozilla/5.0", "email": "ravi@example.com",
        "sender_name": "Ravi Kumar",
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=4000)
    args = parser.parse_args()
    print(f"CPU: {cpu_description()}")
    publisher_id, _ = setup_database()
    try:
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            policy_version, sealed_secret = conn.execute(
                "SELECT policy_version, sealed_signing_secret FROM publishers"
            ).fetchone()
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]

            def cpu() -> tuple[float, float]:
                fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
                own = resource.getrusage(resource.RUSAGE_SELF)
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), own.ru_utime + own.ru_stime

            numbered = iter(range(10**9))
            for label, size in [("one statement each (shipped)", 0), ("batches of 2", 2), ("of 4", 4), ("of 8", 8)]:
                rows = [
                    comment(publisher_id, sealed_secret, policy_version, next(numbered)) for _ in range(args.comments)
                ]
                (pg0, client0), start = cpu(), time.perf_counter()
                if size == 0:
                    for row in rows:
                        assert conn.execute(_NEW_COMMENT_SQL, row).fetchone()[1] is not None
                for first in range(0, len(rows) if size else 0, size or 1):
                    batch = rows[first : first + size]
                    params = {name: [row[name] for row in batch] for name in COLUMNS}
                    assert all(inserted for _, inserted in conn.execute(BATCH_SQL, params).fetchall())
                (pg1, client1), wall = cpu(), time.perf_counter() - start
                per = 1000 / len(rows)
                print(
                    f"{label:>30}: PostgreSQL {(pg1 - pg0) * per:.3f} ms of CPU per comment, "
                    f"client {(client1 - client0) * per:.3f} ms, wall {wall * per:.3f} ms"
                )
    finally:
        drop_database()


if __name__ == "__main__":
    main()
