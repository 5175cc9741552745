"""The privacy guard over the database: every identity number, phone number, e-mail
address and licence plate in the free text of live records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import Attachment, Base, Measure, Observation, Walk
from lagesbild_desktop.domain.privacy import Finding, scan

# The free-text columns of each table, in the order they are reported.
FREE_TEXT: dict[type[Base], tuple[str, ...]] = {
    Observation: ("title", "description", "place_name", "proposed_measure"),
    Walk: ("title", "notes"),
    Measure: ("title", "description", "effect_notes", "responsible_contact"),
    Attachment: ("file_name",),
}
# Rows read at a time: a database of 200,000 observations is never in memory at once.
CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class StoredFinding:
    table: str
    row_id: str
    field: str
    finding: Finding


def scan_database(db: Database, chunk: int = CHUNK) -> Iterator[StoredFinding]:
    """Findings in live (not deleted) records, table by table in id order.

    One session reads everything, streaming `chunk` rows at a time; the caller should
    consume the iterator to the end or close it."""
    with db.session() as session:
        for model, fields in FREE_TEXT.items():
            table = model.__tablename__
            columns = [getattr(model, name) for name in fields]
            query = (select(model.id, *columns)  # type: ignore[attr-defined]
                     .where(model.deleted_at.is_(None))  # type: ignore[attr-defined]
                     .order_by(model.id)  # type: ignore[attr-defined]
                     .execution_options(yield_per=chunk))
            for row_id, *values in session.execute(query):
                for name, value in zip(fields, values, strict=True):
                    for finding in scan(value or ""):
                        yield StoredFinding(table, row_id, name, finding)
