"""Official keys are validated per kind of municipality; slugs transliterate German."""

import pytest
from django.core.exceptions import ValidationError

from kette.core.models import MunicipalityKind
from kette.core.text import _GERMAN_TRANSLITERATION, fold_german, german_decimal, german_slug
from kette.core.validators import validate_official_key


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Köln", "koeln"),
        ("Mülheim an der Ruhr", "muelheim-an-der-ruhr"),
        ("Kreis Warendorf", "kreis-warendorf"),
        ("Düsseldorf", "duesseldorf"),
        ("Brühl", "bruehl"),
        ("Rheinisch-Bergischer Kreis", "rheinisch-bergischer-kreis"),
        ("Große Straße", "grosse-strasse"),
    ],
)
def test_slugs_follow_german_transliteration(name, slug):
    assert german_slug(name) == slug


def test_folding_makes_umlaut_spellings_equal():
    assert fold_german("Mütter") == fold_german("Muetter") == fold_german("MUETTER")
    assert fold_german("Straße") == "strasse"
    assert fold_german("GROẞE ÄRZTIN") == "grosse aerztin"


def test_folding_is_the_transliteration_then_casefold_for_every_character():
    # `fold_german` replaces after casefolding (faster); both work character by
    # character, so equal results for each character mean equal results for texts
    characters = "".join(map(chr, range(0x110000)))
    assert fold_german(characters) == characters.translate(_GERMAN_TRANSLITERATION).casefold()


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("05315000", MunicipalityKind.KREISFREIE_STADT),
        ("05315", MunicipalityKind.KREISFREIE_STADT),
        ("05570004", MunicipalityKind.KREISANGEHOERIGE_GEMEINDE),
        ("05570", MunicipalityKind.KREIS),
        ("16051000", MunicipalityKind.KREISFREIE_STADT),
    ],
)
def test_valid_official_keys(key, kind):
    validate_official_key(key, kind)


@pytest.mark.parametrize(
    ("key", "kind", "message"),
    [
        ("0557", MunicipalityKind.KREIS, "5 Stellen"),
        ("05570004", MunicipalityKind.KREIS, "5 Stellen"),
        ("05570", MunicipalityKind.KREISANGEHOERIGE_GEMEINDE, "8 Stellen"),
        ("0531500A", MunicipalityKind.KREISFREIE_STADT, "nur Ziffern"),
        ("05315001", MunicipalityKind.KREISFREIE_STADT, "endet auf 000"),
        ("17000000", MunicipalityKind.KREISFREIE_STADT, "01 bis 16"),
        ("00570", MunicipalityKind.KREIS, "01 bis 16"),
        ("０５５７０", MunicipalityKind.KREIS, "nur Ziffern"),
    ],
)
def test_invalid_official_keys_are_rejected_with_a_reason(key, kind, message):
    with pytest.raises(ValidationError) as error:
        validate_official_key(key, kind)
    assert message in " ".join(error.value.messages)


@pytest.mark.django_db
def test_model_validation_reports_the_key_field(municipality_factory):
    municipality = municipality_factory.build(kind=MunicipalityKind.KREIS, official_key="05570004")
    with pytest.raises(ValidationError) as error:
        municipality.full_clean(exclude=["programme"])
    assert "official_key" in error.value.message_dict


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1044555.0, "1044555"),
        (34.45234512, "34,45234512"),
        (1e-05, "0,00001"),
        (-3.0, "-3"),
        (0.1 + 0.2, "0,30000000000000004"),
        (1e22, "10000000000000000000000"),
    ],
)
def test_german_decimal_keeps_every_digit_without_an_exponent(value, text):
    assert german_decimal(value) == text
    assert float(text.replace(",", ".")) == value
