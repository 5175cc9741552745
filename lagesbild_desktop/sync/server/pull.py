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
could see is never announced, not even by its id: also not as a link of a measure it
may see, so a measure's `observation_ids` are sent without the observations the caller
may not see (`_hidden_links`; the server keeps the whole list, push.py keeps a partner's
edit from unlinking them).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, not_, or_, select
from sqlalchemy.orm import Session

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
        data = _hidden_links(session, principal, rows)
    next_seq = rows[-1].rev if more else high
    dumps = json.dumps
    parts = [
        f'{{"seq":{r.rev},"table":{dumps(r.table_name)},"row_id":{dumps(r.row_id)},'
        f'"rev":{r.rev},"deleted":{"true" if r.deleted else "false"},'
        f'"owner_org_id":{dumps(r.owner_org_id)},"sharing":{dumps(r.sharing)},'
        f'"row":{data.get((r.table_name, r.row_id), r.data)}}}'
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


def _hidden_links(session: Session, principal: Principal, rows: Any
                  ) -> dict[tuple[str, str], str]:
    """The row text of the page's measures that link observations the caller may not
    see, without those links (by table and id); only measures with links are parsed."""
    measures = {r.row_id: r.data for r in rows
                if r.visible and r.table_name == "measure" and '"observation_ids"' in r.data}
    if not measures:
        return {}
    links: dict[str, list[Any]] = {}
    for row_id, text in measures.items():
        value = json.loads(text).get("observation_ids")
        if isinstance(value, list) and value:
            links[row_id] = value
    wanted = sorted({i for ids in links.values() for i in ids if isinstance(i, str)})
    hidden: set[str] = set()
    for start in range(0, len(wanted), 500):
        hidden.update(session.scalars(select(Record.row_id).where(
            Record.table_name == "observation", Record.row_id.in_(wanted[start:start + 500]),
            not_(visible_to(principal)))))
    out: dict[tuple[str, str], str] = {}
    for row_id, ids in links.items():
        if hidden.intersection(i for i in ids if isinstance(i, str)):
            row = json.loads(measures[row_id])
            row["observation_ids"] = [i for i in ids if i not in hidden]
            out[("measure", row_id)] = json.dumps(row)
    return out
