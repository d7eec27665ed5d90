"""application_member: the reason a member of a group or batch was refused or withdrawn on their own

Revision ID: 7c4f1a2e9d55
Revises: 6b2e9f4d3c81
Create Date: 2026-12-03 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '7c4f1a2e9d55'
down_revision = '6b2e9f4d3c81'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('application_member', schema=None) as batch_op:
        batch_op.drop_column('outcome_reason')
