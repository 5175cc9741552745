"""quarantined pulled changes

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quarantined_change',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('server_url', sa.String(length=500), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.Text(), nullable=False),
    sa.Column('row_id', sa.Text(), nullable=False),
    sa.Column('change', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantined_change'))
    )
    with op.batch_alter_table('quarantined_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantined_change_row_id'), ['row_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('quarantined_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantined_change_row_id'))
    op.drop_table('quarantined_change')
