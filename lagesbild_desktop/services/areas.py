"""Which area a position lies in, from the area polygons stored in the database."""

from __future__ import annotations

from collections.abc import Sequence
from threading import Lock

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lagesbild_desktop.db.models import Area
from lagesbild_desktop.domain.geo import AreaIndex, AreaShape

_cache: dict[tuple[str, int, str], AreaIndex] = {}
_lock = Lock()


def area_index(session: Session) -> AreaIndex:
    """The spatial index of the live areas, rebuilt only when the areas change."""
    bind = session.get_bind()
    number, newest = session.execute(
        select(func.count(), func.max(Area.updated_at)).where(Area.deleted_at.is_(None))).one()
    key = (str(bind.engine.url), int(number), str(newest))
    with _lock:
        index = _cache.get(key)
        if index is None:
            areas = session.scalars(select(Area).where(Area.deleted_at.is_(None))).all()
            index = AreaIndex(AreaShape(a.id, a.name, a.kind, a.parent_id, a.geometry)
                              for a in areas)
            _cache.clear()
            _cache[key] = index
    return index


def locate(session: Session, latitude: float, longitude: float) -> str | None:
    return area_index(session).locate(latitude, longitude)


def locate_many(
    session: Session, latitudes: Sequence[float], longitudes: Sequence[float]
) -> list[str | None]:
    return area_index(session).locate_many(latitudes, longitudes)
