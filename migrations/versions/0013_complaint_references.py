"""complaints: a random public reference instead of the counting row id

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 19:00:00

Row ids count up, so the gap between two signed complaints' numbers dated an
anonymous suggestion filed between them. Existing matters get a random
reference too; their URLs change from /complaints/<id> to /complaints/<ref>.
"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# The alphabet of app.complaints.services.new_reference (no 0/O, 1/I/L).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def upgrade():
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference', sa.String(length=12), nullable=True))
    complaints = sa.table('complaints', sa.column('id', sa.Integer),
                          sa.column('reference', sa.String))
    conn = op.get_bind()
    used = set()
    for (row_id,) in conn.execute(sa.select(complaints.c.id)).all():
        reference = None
        while reference is None or reference in used:
            reference = "".join(secrets.choice(ALPHABET) for _ in range(8))
        used.add(reference)
        conn.execute(complaints.update().where(complaints.c.id == row_id)
                     .values(reference=reference))
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.alter_column('reference', existing_type=sa.String(length=12), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_complaints_reference'), ['reference'])


def downgrade():
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_complaints_reference'), type_='unique')
        batch_op.drop_column('reference')
