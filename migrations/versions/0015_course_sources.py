"""courses: keep course.md and each lesson version's Markdown, so a course can be downloaded

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 13:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Text(), server_default=sa.text("''"),
                                      nullable=False))
    with op.batch_alter_table('lesson_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Text(), server_default=sa.text("''"),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('lesson_versions', schema=None) as batch_op:
        batch_op.drop_column('source')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('source')
