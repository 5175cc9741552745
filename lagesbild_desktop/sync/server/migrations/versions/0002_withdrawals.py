"""Who could see a record before (ever_shared, former_owners), and an attachment's parent

Pull withdraws a row from a device that may no longer see it, but only when the device's
organisation could see an earlier revision; these columns say who could. Attachments get
the id of their observation (parent_id), whose owner and sharing they follow.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 18:40:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

record = sa.table(
    'record', sa.column('table_name', sa.String), sa.column('row_id', sa.String),
    sa.column('owner_org_id', sa.String), sa.column('sharing', sa.String),
    sa.column('data', sa.Text), sa.column('parent_id', sa.String),
    sa.column('ever_shared', sa.Boolean), sa.column('former_owners', sa.Text))
revision_table = sa.table(
    'revision', sa.column('seq', sa.BigInteger), sa.column('table_name', sa.String),
    sa.column('row_id', sa.String), sa.column('fields', sa.Text))


def upgrade() -> None:
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('ever_shared', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('former_owners', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.create_index(batch_op.f('ix_record_parent_id'), ['parent_id'], unique=False)
    _backfill(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    # Every revision that set owner_org_id or sharing, oldest first (creates set both).
    owners: dict[tuple[str, str], set[str]] = {}
    shared: set[tuple[str, str]] = set()
    changes = connection.execute(
        sa.select(revision_table.c.table_name, revision_table.c.row_id,
                  revision_table.c.fields)
        .where(revision_table.c.fields.like('%"owner_org_id"%')
               | revision_table.c.fields.like('%"sharing"%'))
        .order_by(revision_table.c.seq))
    for table_name, row_id, text in changes:
        fields = json.loads(text)
        key = (table_name, row_id)
        if fields.get('sharing') == 'partners':
            shared.add(key)
        if isinstance(fields.get('owner_org_id'), str):
            owners.setdefault(key, set()).add(fields['owner_org_id'])
    rows = connection.execute(sa.select(
        record.c.table_name, record.c.row_id, record.c.owner_org_id, record.c.sharing,
        record.c.data)).all()
    updates = []
    for table_name, row_id, owner, sharing, data in rows:
        key = (table_name, row_id)
        former = ' '.join(sorted(owners.get(key, set()) - {owner}))
        parent = json.loads(data).get('observation_id') if table_name == 'attachment' else None
        ever_shared = sharing == 'partners' or key in shared
        if former or parent or ever_shared:
            updates.append({'t': table_name, 'r': row_id, 'shared': ever_shared,
                            'former': former,
                            'parent': parent if isinstance(parent, str) else None})
    if updates:
        connection.execute(record.update().where(
            record.c.table_name == sa.bindparam('t'), record.c.row_id == sa.bindparam('r'))
            .values(ever_shared=sa.bindparam('shared'), former_owners=sa.bindparam('former'),
                    parent_id=sa.bindparam('parent')), updates)


def downgrade() -> None:
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_parent_id'))
        batch_op.drop_column('former_owners')
        batch_op.drop_column('ever_shared')
        batch_op.drop_column('parent_id')
