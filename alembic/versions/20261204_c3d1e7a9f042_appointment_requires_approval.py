"""appointments keep whether they needed approval

Revision ID: c3d1e7a9f042
Revises: c4a7d2e91f03
Create Date: 2026-12-04 19:00:00

Services can now be edited; an appointment keeps the approval rule it was made under, so
switching "Manually approve" off never makes an approved request payable online.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c3d1e7a9f042'
down_revision: str | None = 'c4a7d2e91f03'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy on SQLite, so the overlap triggers stay).
    op.add_column('appointments', sa.Column('requires_approval', sa.Boolean(), nullable=False,
                                            server_default=sa.false()))
    op.execute("UPDATE appointments SET requires_approval = (SELECT s.requires_approval "
               "FROM services s WHERE s.id = appointments.service_id)")


def downgrade() -> None:
    op.drop_column('appointments', 'requires_approval')
