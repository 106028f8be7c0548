"""publishers' signing secrets sealed at rest

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 18:30:00

`signing_secret` and `previous_signing_secret` held the secrets as they are. They become
`sealed_signing_secret` and `sealed_previous_signing_secret`, each secret encrypted under the first of the
sealing keys (service/sealing.py: KAVALU_SEALING_KEYS, or the data folder's key file). The secrets do not
change: publishers keep signing with theirs. Downgrading opens them again, with the same keys.
"""

import sqlalchemy as sa
from alembic import context, op

from service.config import Settings
from service.sealing import PREFIX, Sealer

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _rewrite(current: str, previous: str, change) -> None:
    """Apply `change(sealer, value)` to each stored secret. The keys are read only if there is a row."""
    publishers = sa.table("publishers", sa.column("id"), sa.column(current), sa.column(previous))
    bind = op.get_bind()
    rows = bind.execute(sa.select(publishers.c.id, publishers.c[current], publishers.c[previous])).all()
    if not rows:
        return
    sealer = Sealer(context.config.attributes.get("settings") or Settings.from_env())
    for publisher_id, secret, previous_secret in rows:
        bind.execute(
            publishers.update()
            .where(publishers.c.id == publisher_id)
            .values({current: change(sealer, secret), previous: change(sealer, previous_secret)})
        )


def _seal(sealer: Sealer, value: str | None) -> str | None:
    return sealer.seal(value) if value is not None and not value.startswith(PREFIX) else value


def _open(sealer: Sealer, value: str | None) -> str | None:
    return sealer.open(value) if value is not None else None


# (as stored before, sealed, nullable): a sealed secret is longer than the secret (about 170 characters for 49).
COLUMNS = (
    ("signing_secret", "sealed_signing_secret", False),
    ("previous_signing_secret", "sealed_previous_signing_secret", True),
)


def _rename(to_sealed: bool) -> None:
    lengths = (200, 400) if to_sealed else (400, 200)
    with op.batch_alter_table("publishers") as batch:
        for plain, sealed, nullable in COLUMNS:
            batch.alter_column(
                plain if to_sealed else sealed,
                new_column_name=sealed if to_sealed else plain,
                type_=sa.String(length=lengths[1]),
                existing_type=sa.String(length=lengths[0]),
                existing_nullable=nullable,
            )


def upgrade() -> None:
    _rename(to_sealed=True)
    _rewrite("sealed_signing_secret", "sealed_previous_signing_secret", _seal)


def downgrade() -> None:
    _rewrite("sealed_signing_secret", "sealed_previous_signing_secret", _open)
    _rename(to_sealed=False)
