"""staff: the daily e-mail digest of the office's 待办, opted into, and when it last went out

Revision ID: 6b2e9f4d3c81
Revises: 5a1d8e3c2b70
Create Date: 2026-12-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '6b2e9f4d3c81'
down_revision = '5a1d8e3c2b70'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('daily_digest', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('digest_sent_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('digest_sent_at')
        batch_op.drop_column('daily_digest')
