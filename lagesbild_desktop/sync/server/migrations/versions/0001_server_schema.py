"""The server schema: records, revisions, applied ops, conflicts, users, devices, tokens

Revision ID: 0001
Revises:
Create Date: 2026-11-26 17:47:17.894743
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('applied_op',
    sa.Column('op_id', sa.String(length=64), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('op_id', name=op.f('pk_applied_op'))
    )
    op.create_table('conflict',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('table_name', sa.String(length=32), nullable=False),
    sa.Column('row_id', sa.String(length=64), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('mine', sa.Text(), nullable=False),
    sa.Column('theirs', sa.Text(), nullable=False),
    sa.Column('kept', sa.String(length=8), nullable=False),
    sa.Column('op_id', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict'))
    )
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.create_index('ix_conflict_row', ['table_name', 'row_id'], unique=False)

    op.create_table('counter',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_counter'))
    )
    op.create_table('record',
    sa.Column('table_name', sa.String(length=32), nullable=False),
    sa.Column('row_id', sa.String(length=64), nullable=False),
    sa.Column('owner_org_id', sa.String(length=64), nullable=False),
    sa.Column('sharing', sa.String(length=16), nullable=False),
    sa.Column('rev', sa.BigInteger(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('blob_sha256', sa.String(length=64), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('field_seqs', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', 'row_id', name=op.f('pk_record')),
    sa.UniqueConstraint('rev', name=op.f('uq_record_rev'))
    )
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_blob_sha256'), ['blob_sha256'], unique=False)

    op.create_table('revision',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('table_name', sa.String(length=32), nullable=False),
    sa.Column('row_id', sa.String(length=64), nullable=False),
    sa.Column('op_id', sa.String(length=64), nullable=True),
    sa.Column('op', sa.String(length=8), nullable=False),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=True),
    sa.Column('device_id', sa.String(length=64), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_revision'))
    )
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.create_index('ix_revision_row', ['table_name', 'row_id'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('org_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_table('device',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_device_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device'))
    )
    op.create_table('token',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['device.id'], name=op.f('fk_token_device_id_device')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_token_user_id_user_account')),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_token'))
    )
    with op.batch_alter_table('token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_token_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_token_expires_at'), ['expires_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_token_expires_at'))
        batch_op.drop_index(batch_op.f('ix_token_device_id'))

    op.drop_table('token')
    op.drop_table('device')
    op.drop_table('user_account')
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.drop_index('ix_revision_row')

    op.drop_table('revision')
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_blob_sha256'))

    op.drop_table('record')
    op.drop_table('counter')
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.drop_index('ix_conflict_row')

    op.drop_table('conflict')
    op.drop_table('applied_op')
