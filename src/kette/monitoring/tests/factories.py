"""Factories for the monitoring tests: districts with square outlines, indicators,
observations."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from kette.core.models import District
from kette.monitoring.models import Indicator, NeedIndexWeight, Observation, Unit
from kette.testing.factories import MunicipalityFactory


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    """A GeoJSON polygon: the square with south-west corner (lon, lat)."""
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: str, name: str, geometry: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"ref": code, "name": name, **extra},
        "geometry": geometry,
    }


def collection(*features: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features), **extra}


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"{n + 1:03d}")
    name = factory.Sequence(lambda n: f"Viertel {n + 1}")
    level = "Stadtteil"
    boundary = factory.Sequence(lambda n: square(7.0 + 0.01 * n, 51.0))
    boundary_simplified = factory.SelfAttribute("boundary")


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    municipality = None
    key = factory.Sequence(lambda n: f"indikator-{n}")
    name = factory.Sequence(lambda n: f"Indikator {n}")
    unit = Unit.COUNT


class ObservationFactory(DjangoModelFactory):
    class Meta:
        model = Observation

    municipality = factory.SubFactory(MunicipalityFactory)
    district = None
    indicator = factory.SubFactory(IndicatorFactory)
    year = 2012
    value = 100.0


class NeedIndexWeightFactory(DjangoModelFactory):
    class Meta:
        model = NeedIndexWeight

    municipality = factory.SubFactory(MunicipalityFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    weight = 1.0
