"""The monitoring app's part of the cross-tenant harness (see kette.testing.tenancy)."""

from kette.core import upload_store
from kette.monitoring.models import Unit
from kette.monitoring.tests.factories import (
    DistrictFactory,
    IndicatorFactory,
    NeedIndexWeightFactory,
    ObservationFactory,
)
from kette.testing.tenancy import register_kwarg, register_seeder


def seed_monitoring(world):
    # A's own indicator and its values are internal working data of A.
    district = DistrictFactory(municipality=world.a, code="101", name="Kernstadt")
    indicator = IndicatorFactory(
        municipality=world.a,
        key="eigener-indikator",
        name=f"Eigener Indikator {world.secret}",
        description=world.secret,
        unit=Unit.COUNT,
    )
    ObservationFactory(municipality=world.a, district=district, indicator=indicator, value=42)
    NeedIndexWeightFactory(
        municipality=world.a, indicator=IndicatorFactory(direction="higher_is_worse")
    )
    world.objects["indicator"] = indicator
    world.objects["district"] = district


register_seeder(seed_monitoring)
register_kwarg("indicator_key", lambda world: world.objects["indicator"].key)
register_kwarg("year", lambda world: 2012)
register_kwarg("district_code", lambda world: world.objects["district"].code)


def _upload_of_a(world):
    """A real pending upload of A's values (its name and content carry the secret):
    nobody of B may see its report or import it. (The offer import's routes get a
    token of the wrong kind, which they refuse like any invalid one.)"""
    return upload_store.store(
        f"Sozialraum;Indikator;Jahr;Wert\n101;eigener-indikator;2012;{world.secret}\n".encode(),
        kind="monitoring.observations",
        municipality_id=world.a.pk,
        user_id=0,
        filename=f"{world.secret}.csv",
        options={"layout": "long"},
    )


register_kwarg("upload_token", _upload_of_a)
