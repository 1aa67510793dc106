"""evaluations: a line manager's recorded delegation of a professionalism rating

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'evaluation_delegations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('manager_id', sa.Integer(), nullable=False),
        sa.Column('delegate_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['delegate_id'], ['users.id'],
                                name=op.f('fk_evaluation_delegations_delegate_id_users'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['manager_id'], ['users.id'],
                                name=op.f('fk_evaluation_delegations_manager_id_users'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['person_id'], ['users.id'],
                                name=op.f('fk_evaluation_delegations_person_id_users'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_delegations')),
    )
    with op.batch_alter_table('evaluation_delegations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_delegations_delegate_id'),
                              ['delegate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_delegations_person_id'),
                              ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('evaluation_delegations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_delegations_person_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_delegations_delegate_id'))
    op.drop_table('evaluation_delegations')
