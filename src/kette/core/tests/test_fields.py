"""The web address check that remembers what it accepted gives Django's verdicts."""

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from kette.core import fields
from kette.core.fields import RememberingURLValidator, WebsiteField

ADDRESSES = [
    "https://www.stadt-koeln.de/leben-in-koeln/familie",
    "http://beratung.example/",
    "ftp://files.example.org/plan.pdf",
    "https://münster.de/",
    "https://[2001:db8::1]/",
    "https://[2001:db8::zz]/",
    "https://exa mple.org/",
    "https://example.org/\n",
    "www.example.org",
    "mailto:info@example.org",
    "https://" + "a" * 250 + ".de/",
    "https://example.org/" + "x" * 2100,
    "",
]


def _verdict(validator, value):
    try:
        validator(value)
    except ValidationError:
        return False
    return True


@pytest.fixture
def forgetting(monkeypatch):
    monkeypatch.setattr(RememberingURLValidator, "_accepted", {})


@pytest.mark.parametrize("schemes", [None, ["http", "https"], ["ftp"]])
def test_the_same_verdicts_as_django_before_and_after_remembering(forgetting, schemes):
    # remembered by instances with other schemes first, then asked again
    for other in (RememberingURLValidator(), RememberingURLValidator(schemes=["ftp"])):
        for value in ADDRESSES:
            _verdict(other, value)
    assert RememberingURLValidator._accepted  # something was remembered
    mine, django = RememberingURLValidator(schemes=schemes), URLValidator(schemes=schemes)
    for value in ADDRESSES:
        assert _verdict(mine, value) == _verdict(django, value), value
        assert _verdict(mine, value) == _verdict(django, value), value  # remembered now


def test_a_remembered_address_skips_the_pattern(forgetting, monkeypatch):
    validator = RememberingURLValidator()
    validator("https://www.example.org/kita")
    checked = []
    monkeypatch.setattr(URLValidator, "__call__", lambda self, value: checked.append(value))
    validator("https://www.example.org/kita")
    validator("https://www.example.org/other")
    assert checked == ["https://www.example.org/other"]


def test_the_memory_is_bounded(forgetting, monkeypatch):
    monkeypatch.setattr(fields, "REMEMBERED_URLS", 3)
    validator = RememberingURLValidator()
    for n in range(7):
        validator(f"https://example.org/{n}")
        assert len(RememberingURLValidator._accepted) <= 3


def test_website_fields_use_it():
    field = WebsiteField()
    assert any(isinstance(v, RememberingURLValidator) for v in field.validators)
    with pytest.raises(ValidationError):
        field.clean("keine adresse", None)
    assert field.clean("https://example.org/", None) == "https://example.org/"
