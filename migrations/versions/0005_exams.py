"""exams, rules, audience, accommodations, attempts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 11:44:08.048258

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('exams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('instructions_html', sa.Text(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=False),
    sa.Column('attempts_allowed', sa.Integer(), nullable=False),
    sa.Column('combine', sa.String(length=10), nullable=False),
    sa.Column('pass_mark', sa.Double(), nullable=False),
    sa.Column('shuffle_questions', sa.Boolean(), nullable=False),
    sa.Column('shuffle_options', sa.Boolean(), nullable=False),
    sa.Column('scoring', sa.String(length=20), nullable=False),
    sa.Column('review_score', sa.Boolean(), nullable=False),
    sa.Column('review_correctness', sa.Boolean(), nullable=False),
    sa.Column('review_answers', sa.Boolean(), nullable=False),
    sa.Column('review_explanations', sa.Boolean(), nullable=False),
    sa.Column('review_when', sa.String(length=20), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_exams_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exams'))
    )
    op.create_table('exam_accommodations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('extra_minutes', sa.Integer(), nullable=False),
    sa.Column('extra_attempts', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_accommodations_exam_id_exams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_exam_accommodations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_accommodations')),
    sa.UniqueConstraint('exam_id', 'user_id', name=op.f('uq_exam_accommodations_exam_id'))
    )
    op.create_table('exam_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expired', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('max_score', sa.Double(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('revision', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_attempts_exam_id_exams'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_exam_attempts_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_attempts')),
    sa.UniqueConstraint('exam_id', 'user_id', 'number', name=op.f('uq_exam_attempts_exam_id'))
    )
    with op.batch_alter_table('exam_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_attempts_exam_id'), ['exam_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exam_attempts_user_id'), ['user_id'], unique=False)

    op.create_table('exam_audience',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(team_id IS NULL) <> (user_id IS NULL)', name=op.f('ck_exam_audience_team_or_person')),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_audience_exam_id_exams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_exam_audience_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_exam_audience_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_audience'))
    )
    with op.batch_alter_table('exam_audience', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_audience_exam_id'), ['exam_id'], unique=False)

    op.create_table('exam_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('bank_pk', sa.Integer(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('difficulty', sa.String(length=10), nullable=True),
    sa.Column('points_each', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['bank_pk'], ['question_banks.id'], name=op.f('fk_exam_rules_bank_pk_question_banks'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_rules_exam_id_exams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_rules'))
    )
    with op.batch_alter_table('exam_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_rules_exam_id'), ['exam_id'], unique=False)

    op.create_table('exam_attempt_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Double(), nullable=False),
    sa.Column('option_order', sa.JSON(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('marker_comment', sa.Text(), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['exam_attempts.id'], name=op.f('fk_exam_attempt_items_attempt_id_exam_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_exam_attempt_items_marked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_versions.id'], name=op.f('fk_exam_attempt_items_question_version_id_question_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_attempt_items')),
    sa.UniqueConstraint('attempt_id', 'position', name=op.f('uq_exam_attempt_items_attempt_id'))
    )



def downgrade():

    op.drop_table('exam_attempt_items')
    with op.batch_alter_table('exam_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_rules_exam_id'))

    op.drop_table('exam_rules')
    with op.batch_alter_table('exam_audience', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_audience_exam_id'))

    op.drop_table('exam_audience')
    with op.batch_alter_table('exam_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_attempts_user_id'))
        batch_op.drop_index(batch_op.f('ix_exam_attempts_exam_id'))

    op.drop_table('exam_attempts')
    op.drop_table('exam_accommodations')
    op.drop_table('exams')

