"""Who uploaded each blob, whose upload an attachment serves, devices of foreign ids, token pairs

A blob is served only through an attachment whose `blob_org` uploaded it (blob_upload);
a device id another account asks for gets a device of its own (device.asked_as); an
access token remembers the refresh token issued with it (token.issued_with), so using
that refresh token ends it.

The uploads of an existing database are not known. The backfill takes, for each blob,
the organisation of the first attachment that named it (by the revision that set its
sha256) as its uploader; a later attachment of another organisation keeps serving the
blob only when that organisation can see an earlier one of it now. An attachment made
by naming a sha256 of someone else's photo it could not see is so not served any more.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:00:00
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

record = sa.table(
    'record', sa.column('table_name', sa.String), sa.column('row_id', sa.String),
    sa.column('owner_org_id', sa.String), sa.column('sharing', sa.String),
    sa.column('blob_sha256', sa.String), sa.column('blob_org', sa.String))
revision_table = sa.table(
    'revision', sa.column('seq', sa.BigInteger), sa.column('table_name', sa.String),
    sa.column('row_id', sa.String), sa.column('fields', sa.Text),
    sa.column('user_id', sa.String), sa.column('device_id', sa.String),
    sa.column('at', sa.DateTime))
user_table = sa.table('user_account', sa.column('id', sa.String), sa.column('org_id', sa.String))
blob_upload = sa.table(
    'blob_upload', sa.column('sha256', sa.String), sa.column('org_id', sa.String),
    sa.column('user_id', sa.String), sa.column('device_id', sa.String),
    sa.column('at', sa.DateTime))


def upgrade() -> None:
    op.create_table(
        'blob_upload',
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('org_id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=True),
        sa.Column('device_id', sa.String(length=64), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('sha256', 'org_id', name=op.f('pk_blob_upload')))
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blob_org', sa.String(length=64), nullable=True))
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.add_column(sa.Column('asked_as', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_device_user_id'),
                                          ['user_id', 'asked_as'])
    with op.batch_alter_table('token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued_with', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_token_issued_with'), ['issued_with'],
                              unique=False)
    _backfill(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    orgs = dict(connection.execute(sa.select(user_table.c.id, user_table.c.org_id)).all())
    # The newest revision that set each attachment's sha256: who named its blob, and when.
    named: dict[str, tuple[int, str | None, str | None, object]] = {}
    for seq, row_id, fields, user_id, device_id, at in connection.execute(
            sa.select(revision_table.c.seq, revision_table.c.row_id, revision_table.c.fields,
                      revision_table.c.user_id, revision_table.c.device_id,
                      revision_table.c.at)
            .where(revision_table.c.table_name == 'attachment',
                   revision_table.c.fields.like('%"sha256"%'))
            .order_by(revision_table.c.seq)):
        if 'sha256' in json.loads(fields):
            named[row_id] = (seq, user_id, device_id, at)
    attachments = connection.execute(
        sa.select(record.c.row_id, record.c.owner_org_id, record.c.sharing,
                  record.c.blob_sha256)
        .where(record.c.table_name == 'attachment', record.c.blob_sha256.is_not(None))).all()
    attachments.sort(key=lambda a: (named.get(a.row_id, (0,))[0], a.row_id))
    uploaded: dict[str, set[str]] = {}
    earlier: dict[str, list[tuple[str, str, str]]] = {}  # sha -> (owner, sharing, blob_org)
    uploads, updates = [], []
    for a in attachments:
        _, user_id, device_id, at = named.get(a.row_id, (0, None, None, None))
        author = orgs.get(user_id) or a.owner_org_id
        sha = a.blob_sha256
        done = uploaded.setdefault(sha, set())
        blob_org = author
        if author not in done:
            seen = [b for b in earlier.get(sha, [])
                    if b[2] in done and (b[0] == author or b[1] == 'partners')]
            if seen:
                blob_org = seen[0][2]
            elif not done:
                done.add(author)
                uploads.append({'sha256': sha, 'org_id': author, 'user_id': user_id,
                                'device_id': device_id,
                                'at': at or datetime.now(UTC).replace(tzinfo=None)})
        earlier.setdefault(sha, []).append((a.owner_org_id, a.sharing, blob_org))
        updates.append({'r': a.row_id, 'o': blob_org})
    for upload in uploads:
        connection.execute(blob_upload.insert().values(**upload))
    if updates:
        connection.execute(record.update().where(
            record.c.table_name == 'attachment', record.c.row_id == sa.bindparam('r'))
            .values(blob_org=sa.bindparam('o')), updates)


def downgrade() -> None:
    with op.batch_alter_table('token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_token_issued_with'))
        batch_op.drop_column('issued_with')
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_device_user_id'), type_='unique')
        batch_op.drop_column('asked_as')
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.drop_column('blob_org')
    op.drop_table('blob_upload')
