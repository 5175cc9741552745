"""Pull pages: the newest state of each row the caller may see, in seq order.

The page walks `record.rev` (each row sits there under its newest seq, so superseded
changes are never sent) up to the watermark read first in the same transaction (see
store.py for why every seq up to it is committed). Rows the caller may not see are
filtered out in SQL; their seqs still advance `next`. The JSON is spliced together from
the stored row text: a first pull of 100 000 rows must not parse and re-serialise each.

A row the caller may not see now but could see at an earlier revision (it was shared
once, or the caller's organisation owned it) is sent as a withdrawal: no values, only
"delete your copy". Who could see it is kept on the row at every write (`ever_shared`,
`former_owners`), so this costs no lookup per row. A row the caller's organisation never
could see is never announced, not even by its id.
"""

from __future__ import annotations

import json

from sqlalchemy import ColumnElement, or_, select

from lagesbild_desktop.sync import protocol
from lagesbild_desktop.sync.server.auth import Principal
from lagesbild_desktop.sync.server.models import Record
from lagesbild_desktop.sync.server.store import Store, watermark


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """Rows of the caller's organisation, shared rows, and the common catalogue."""
    return or_(
        Record.owner_org_id == principal.org_id,
        Record.sharing == "partners",
        Record.table_name.in_(sorted(protocol.SHARED_CATALOGUE_TABLES)),
    )


def seen_before(principal: Principal) -> ColumnElement[bool]:
    """Rows the caller's organisation could see at some earlier revision."""
    return or_(Record.ever_shared,
               Record.former_owners.contains(principal.org_id, autoescape=True))


def pull(store: Store, principal: Principal, since: int, limit: int) -> bytes:
    """A PullResponse as JSON bytes."""
    with store.read() as session:
        high = watermark(session)
        visible = visible_to(principal)
        rows = session.execute(
            select(Record.rev, Record.table_name, Record.row_id, Record.deleted,
                   Record.owner_org_id, Record.sharing, Record.data,
                   visible.label("visible"))
            .where(Record.rev > since, Record.rev <= high,
                   or_(visible, seen_before(principal)))
            .order_by(Record.rev)
            .limit(limit + 1)
        ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_seq = rows[-1].rev if more else high
    dumps = json.dumps
    parts = [
        f'{{"seq":{r.rev},"table":{dumps(r.table_name)},"row_id":{dumps(r.row_id)},'
        f'"rev":{r.rev},"deleted":{"true" if r.deleted else "false"},'
        f'"owner_org_id":{dumps(r.owner_org_id)},"sharing":{dumps(r.sharing)},'
        f'"row":{r.data}}}'
        if r.visible else
        # Deleted as well, so a client that predates `withdrawn` takes it as a tombstone.
        f'{{"seq":{r.rev},"table":{dumps(r.table_name)},"row_id":{dumps(r.row_id)},'
        f'"rev":{r.rev},"deleted":true,"owner_org_id":{dumps(r.owner_org_id)},'
        f'"sharing":{dumps(r.sharing)},"row":{{}},"withdrawn":true}}'
        for r in rows
    ]
    text = (f'{{"changes":[{",".join(parts)}],"next":{next_seq},'
            f'"more":{"true" if more else "false"}}}')
    return text.encode()
