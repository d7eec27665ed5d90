"""material history: replaced and deleted files of submitted applications

Revision ID: 7c3f2a9d4e10
Revises: e64b609d1d1e
Create Date: 2026-11-30 10:12:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3f2a9d4e10'
down_revision = 'e64b609d1d1e'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows are all current files: both columns stay empty.
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_material_replaced_by_id_material'), 'material',
                                    ['replaced_by_id'], ['id'])


def downgrade():
    # Files kept as history become current files again.
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_material_replaced_by_id_material'), type_='foreignkey')
        batch_op.drop_column('replaced_by_id')
        batch_op.drop_column('superseded_at')
