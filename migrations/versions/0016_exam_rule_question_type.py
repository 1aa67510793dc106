"""exams: a random section may draw questions of one type only

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 13:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exam_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_type', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('exam_rules', schema=None) as batch_op:
        batch_op.drop_column('question_type')
