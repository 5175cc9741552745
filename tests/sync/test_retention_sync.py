"""Retention (gallring) reaches the server: a record thinned on the device that owns it
arrives thinned on the server and on the partner's device."""

from datetime import date, datetime

from lagesbild_desktop.domain import retention as rules
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services import retention

OLD = datetime(2022, 5, 11, 22, 15, tzinfo=LOCAL)


def test_a_record_thinned_by_its_owner_arrives_thinned_at_the_partner(fleet):
    anna, polis = fleet.device("a", "anna"), fleet.device("p", "polis")
    old = anna.observe(occurred_from=OLD, latitude=59.3945, longitude=15.8413,
                       description="Krossad ruta vid entrén", sharing="partners")
    recent = anna.observe(description="Klotter på fasaden", sharing="partners")
    assert anna.sync().complete
    polis.sync()
    before = polis.get(old)
    assert before.description == "Krossad ruta vid entrén"

    report = retention.run_retention(anna.db, anna.actor, anna.store,
                                     today=date(2026, 11, 26))
    assert report.observations == 1
    assert anna.sync().complete
    polis.sync()

    thinned = polis.get(old)
    assert (thinned.description, thinned.tags) == ("", ["gallrad"])
    assert (thinned.latitude, thinned.longitude) == rules.coarsen(59.3945, 15.8413)
    assert (thinned.category, thinned.severity) == (before.category, before.severity)
    assert thinned.occurred_from.isocalendar()[:2] == OLD.isocalendar()[:2]  # the week stays
    assert polis.get(recent).description == "Klotter på fasaden"
