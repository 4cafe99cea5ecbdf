"""Where the guide measures distances from, from what a visitor types.

kette geocodes without any outside service (DSGVO: no visitor's address leaves
the server, and kette works offline). What it can resolve, in this order:

1. coordinates, "50.94, 6.96" or with decimal commas "50,94; 6,96";
2. a district of the municipality by name ("Ehrenfeld", "porz"): its centre;
3. a postal code ("50823"): the centre of the directory's located places there;
4. a street with or without house number ("Venloer Str. 1", "Venloer Straße"):
   the place at that number, else the centre of the places on that street.

Only the municipality's own places are a gazetteer (3, 4): an address in a
street without any offer is not found, and the visitor is asked for a district
or postal code instead.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.formats import number_format

from kette.core.models import District, Municipality
from kette.core.text import fold_german
from kette.directory.models import Location
from kette.directory.public_search import Point, district_centroid

LATITUDE_RANGE = (47.0, 55.2)  # Germany (also the bounds of the guide's lat/lon fields)
LONGITUDE_RANGE = (5.8, 15.1)
_NUMBER = r"[-+]?\d{1,3}(?:[.,]\d+)?"
_COORDINATES = re.compile(rf"^\s*({_NUMBER})\s*[,;/ ]\s*({_NUMBER})\s*$")
_POSTAL_CODE = re.compile(r"^\s*(\d{5})\b")
_HOUSE_NUMBER = re.compile(r"\s+(\d+\s*[a-z]?(?:\s*[-/]\s*\d+\s*[a-z]?)?)\s*$")


@dataclass(frozen=True)
class Origin:
    point: Point
    label: str  # what was found, shown to the visitor ("Ehrenfeld", "50823")


def _street_key(text: str) -> str:
    """A street name folded for comparison: "Venloer Str." = "venloer strasse"."""
    folded = " ".join(fold_german(text).replace("-", " ").split())
    folded = re.sub(r"\bstr\b\.?|\bstr\.", "strasse", folded)
    folded = re.sub(r"(\w)str\b\.?", r"\1strasse", folded)
    return folded.rstrip(".")


def _mean(points: list[tuple[float, float]]) -> Point | None:
    if not points:
        return None
    return Point(
        latitude=sum(p[0] for p in points) / len(points),
        longitude=sum(p[1] for p in points) / len(points),
    )


def _located(municipality: Municipality) -> QuerySet[Location]:
    return Location.objects.for_municipality(municipality).filter(
        latitude__isnull=False, longitude__isnull=False
    )


class _Streets:
    """The municipality's located places with a street (address, lat, lon), read
    once per lookup however many parts of the input are tried."""

    def __init__(self, municipality: Municipality) -> None:
        self.municipality = municipality

    @functools.cached_property
    def rows(self) -> list[tuple[str, float, float]]:
        return [
            (address, float(lat), float(lon))  # type: ignore[arg-type]  # located: not null
            for address, lat, lon in _located(self.municipality)
            .exclude(address_1="")
            .values_list("address_1", "latitude", "longitude")
        ]


# "Stadtbezirk Porz", "ganz Porz" (the guide's own names for a whole district)
_LEVEL_WORD = re.compile(r"^(stadtbezirk|bezirk|ganz|stadtteil|ortsteil|ortschaft)\s+(.+)$")


def _name_key(text: str) -> str:
    """A district name for comparison: folded, "-" and "/" as spaces."""
    return " ".join(re.split(r"[\s\-/]+", fold_german(text).strip()))


def coordinates_outside_germany(text: str) -> bool:
    """Whether `text` is a pair of coordinates, but not in Germany."""
    return bool(_COORDINATES.match(text)) and resolve(text, None) is None


def resolve(text: str, municipality: Municipality | None) -> Origin | None:
    """The point `text` names (see the module docstring), or None."""
    text = " ".join(text.split())
    if not text:
        return None
    match = _COORDINATES.match(text)
    if match:
        lat, lon = (float(n.replace(",", ".")) for n in match.groups())
        if (
            LATITUDE_RANGE[0] <= lat <= LATITUDE_RANGE[1]
            and LONGITUDE_RANGE[0] <= lon <= LONGITUDE_RANGE[1]
        ):
            # in the interface's number format: "50,94000, 6,96000" in German
            label = f"{number_format(lat, 5)}, {number_format(lon, 5)}"
            return Origin(Point(lat, lon), label)
        return None
    if municipality is None:
        return None
    streets = _Streets(municipality)
    found = _district(text, municipality) or _address(text, municipality, streets)
    if found is None and "," in text:  # "Venloer Straße 12, 50823 Köln"
        for part in (p.strip() for p in text.split(",")):
            found = _address(part, municipality, streets)
            if found is not None:
                break
    return found


def _district(text: str, municipality: Municipality) -> Origin | None:
    """A district by name; with a level word ("Stadtbezirk Porz", "ganz Porz") the
    larger one of that name, else the most specific (the Stadtteil Porz)."""
    wanted = _name_key(text)
    level = _LEVEL_WORD.match(wanted)
    larger_first = False
    if level:
        larger_first = level.group(1) in ("stadtbezirk", "bezirk", "ganz")
        wanted = level.group(2)
    districts = [
        d for d in District.objects.for_municipality(municipality) if _name_key(d.name) == wanted
    ]
    districts.sort(key=lambda d: (d.parent_id is None) != larger_first)
    for district in districts:
        centre = district_centroid(district)
        if centre is not None:
            label = f"{district.name} ({district.level})" if district.level else district.name
            return Origin(centre, label)
    return None


def _address(text: str, municipality: Municipality, streets: _Streets) -> Origin | None:
    """A postal code, or a street with or without house number, among the
    municipality's located places."""
    postal = _POSTAL_CODE.match(text)
    if postal:
        code = postal.group(1)
        points = _located(municipality).filter(postal_code=code)
        centre = _mean(
            [(float(lat), float(lon)) for lat, lon in points.values_list("latitude", "longitude")]  # type: ignore[arg-type]
        )
        return Origin(centre, code) if centre else None
    number_match = _HOUSE_NUMBER.search(text)
    street = _street_key(text[: number_match.start()] if number_match else text)
    number = re.sub(r"\s", "", number_match.group(1)).casefold() if number_match else ""
    on_street: list[tuple[float, float]] = []
    at_number: list[tuple[float, float]] = []
    for address, lat, lon in streets.rows:
        found = _HOUSE_NUMBER.search(address)
        if _street_key(address[: found.start()] if found else address) != street:
            continue
        point = (lat, lon)
        on_street.append(point)
        if number and found and re.sub(r"\s", "", found.group(1)).casefold() == number:
            at_number.append(point)
    centre = _mean(at_number) or _mean(on_street)
    return Origin(centre, text) if centre else None
