"""exams: starts spread over some seconds after opening (a delay fixed per person)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_spread_seconds', sa.Integer(),
                                      server_default=sa.text('0'), nullable=False))


def downgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_column('start_spread_seconds')
