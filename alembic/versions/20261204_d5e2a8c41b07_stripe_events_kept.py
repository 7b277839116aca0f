"""stripe events kept until their payment is known

Revision ID: d5e2a8c41b07
Revises: c3d1e7a9f042
Create Date: 2026-12-04 23:00:00

A charge event naming a PaymentIntent no payment has yet (it arrived before the Checkout's
completion) is kept with its object and applied once the payment learns that intent.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'd5e2a8c41b07'
down_revision: str | None = 'c3d1e7a9f042'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy on SQLite); existing rows get "" and NULL.
    op.add_column('stripe_events', sa.Column('intent_id',
                                             sqlmodel.sql.sqltypes.AutoString(length=255),
                                             nullable=False, server_default=''))
    op.add_column('stripe_events', sa.Column('kept', sa.Text(), nullable=True))
    op.create_index(op.f('ix_stripe_events_intent_id'), 'stripe_events', ['intent_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_stripe_events_intent_id'), table_name='stripe_events')
    op.drop_column('stripe_events', 'kept')
    op.drop_column('stripe_events', 'intent_id')
