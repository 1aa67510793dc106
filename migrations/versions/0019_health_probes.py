"""health probes: the row the write-aware health check commits, one per app host

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'health_probes',
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('host', name=op.f('pk_health_probes')),
    )


def downgrade():
    op.drop_table('health_probes')
