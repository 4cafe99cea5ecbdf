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
        raise ValidationError(_("Der amtliche Schlüssel darf nur Ziffern enthalten."))
    if not 1 <= int(key[:2]) <= 16:
        raise ValidationError(
            _("Der amtliche Schlüssel muss mit einer Landesnummer von 01 bis 16 beginnen.")
        )
    if kind == MunicipalityKind.KREIS:
        allowed = {KREIS_KEY_LENGTH}
    elif kind == MunicipalityKind.KREISFREIE_STADT:
        allowed = {KREIS_KEY_LENGTH, GEMEINDE_KEY_LENGTH}
    else:
        allowed = {GEMEINDE_KEY_LENGTH}
    if len(key) not in allowed:
        lengths = _(" oder ").join(str(n) for n in sorted(allowed))
        raise ValidationError(
            _("Für diese Art von Kommune hat der amtliche Schlüssel %(lengths)s Stellen.")
            % {"lengths": lengths}
        )
    if (
        kind == MunicipalityKind.KREISFREIE_STADT
        and len(key) == GEMEINDE_KEY_LENGTH
        and not key.endswith("000")
    ):
        raise ValidationError(_("Der Gemeindeschlüssel einer kreisfreien Stadt endet auf 000."))
