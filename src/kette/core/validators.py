"""Validators for official German keys and programme years."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# Amtlicher Gemeindeschlüssel: 2 digits Land (01-16), 1 Regierungsbezirk,
# 2 Kreis (= 5-digit Kreisschlüssel), 3 Gemeinde (= 8-digit AGS).
KREIS_KEY_LENGTH = 5
GEMEINDE_KEY_LENGTH = 8


def validate_official_key(key: str, kind: str) -> None:
    """Raise ValidationError unless `key` is a well-formed official key for `kind`.

    A Kreis has a 5-digit key, a town or Gemeinde within a Kreis an 8-digit AGS;
    a kreisfreie Stadt may be given either way (05315 or 05315000).
    """
    from kette.core.models import MunicipalityKind

    if not key.isdigit() or not key.isascii():
        raise ValidationError(_("The official key may contain digits only."))
    if not 1 <= int(key[:2]) <= 16:
        raise ValidationError(_("The official key must begin with a state number from 01 to 16."))
    if kind == MunicipalityKind.KREIS:
        allowed = {KREIS_KEY_LENGTH}
    elif kind == MunicipalityKind.KREISFREIE_STADT:
        allowed = {KREIS_KEY_LENGTH, GEMEINDE_KEY_LENGTH}
    else:
        allowed = {GEMEINDE_KEY_LENGTH}
    if len(key) not in allowed:
        lengths = _(" or ").join(str(n) for n in sorted(allowed))
        raise ValidationError(
            _("For this type of municipality the official key has %(lengths)s digits.")
            % {"lengths": lengths}
        )
    if (
        kind == MunicipalityKind.KREISFREIE_STADT
        and len(key) == GEMEINDE_KEY_LENGTH
        and not key.endswith("000")
    ):
        raise ValidationError(_("The municipality key of an independent city ends in 000."))


# A funding cohort is the year a municipality joined its programme: programmes
# of this kind began after 2000, and cohorts are planned a few years ahead.
FIRST_COHORT_YEAR = 2000
COHORT_YEARS_AHEAD = 10


def last_cohort_year(today: dt.date | None = None) -> int:
    return (today or dt.date.today()).year + COHORT_YEARS_AHEAD


def is_plausible_cohort(year: int | None) -> bool:
    """Whether `year` can be a funding cohort (None, no cohort, is not one)."""
    return year is not None and FIRST_COHORT_YEAR <= year <= last_cohort_year()


@deconstructible
class CohortYearValidator:
    """A funding cohort must be a plausible year (2000 to ten years ahead). The
    upper bound moves with the calendar, so it is not written into migrations."""

    def __call__(self, value: int | None) -> None:
        if value is not None and not is_plausible_cohort(value):
            raise ValidationError(
                _("Enter the year the funding began, from %(first)s to %(last)s."),
                code="cohort_year",
                params={"first": FIRST_COHORT_YEAR, "last": last_cohort_year()},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CohortYearValidator)

    def __hash__(self) -> int:
        return hash(CohortYearValidator)
