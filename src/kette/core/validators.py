"""Validators for official German keys."""

from django.core.exceptions import ValidationError
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
