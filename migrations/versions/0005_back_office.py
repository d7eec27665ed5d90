"""back office: the first submission and the stage's entry, the reviewer an application is
assigned to, the receipt number of a window payment

Revision ID: 5a1d8e3c2b70
Revises: 7c3f2a9d4e10
Create Date: 2026-12-02 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '5a1d8e3c2b70'
down_revision = '7c3f2a9d4e10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_submitted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('stage_entered_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_application_stage_entered_at'), ['stage_entered_at'], unique=False)
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_application_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_application_assignee_id_user'), 'user', ['assignee_id'], ['id'])
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_number', sa.String(length=40), nullable=False, server_default=''))
    # The first submission is the earliest 提交 on the timeline; the stage's entry, lacking the
    # history to tell, is the last event (what the overdue mark counted from until now).
    op.execute("""
        UPDATE application SET
          first_submitted_at = COALESCE(
            (SELECT MIN(e.created_at) FROM timeline_event e
              WHERE e.application_id = application.id AND e.action = 'submit'),
            submitted_at),
          stage_entered_at = (SELECT MAX(e.created_at) FROM timeline_event e
              WHERE e.application_id = application.id)
    """)


def downgrade():
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_column('receipt_number')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_application_assignee_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_application_assignee_id'))
        batch_op.drop_column('assignee_id')
        batch_op.drop_index(batch_op.f('ix_application_stage_entered_at'))
        batch_op.drop_column('stage_entered_at')
        batch_op.drop_column('first_submitted_at')
