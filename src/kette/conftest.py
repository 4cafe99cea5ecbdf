"""Fixtures shared by every app's tests."""

from __future__ import annotations

import importlib
import importlib.util

import pytest
from django.apps import apps
from django.utils import translation
from pytest_factoryboy import register

from kette.testing import factories
from kette.testing.tenancy import World

register(factories.ProgrammeFactory)
register(factories.MunicipalityFactory)
register(factories.UserFactory)
register(factories.MembershipFactory)


def pytest_configure(config: pytest.Config) -> None:
    # Each app declares its URL keywords and secret seeders for the cross-tenant
    # harness in <app>/tests/tenancy.py; import them all up front.
    for app in apps.get_app_configs():
        module = f"{app.name}.tests.tenancy"
        if (
            app.name.startswith("kette.")
            and importlib.util.find_spec(f"{app.name}.tests")
            and importlib.util.find_spec(module)
        ):
            importlib.import_module(module)


@pytest.fixture
def world(db) -> World:
    programme = factories.ProgrammeFactory()
    a = factories.MunicipalityFactory(programme=programme, name="Altstadt", slug="altstadt")
    b = factories.MunicipalityFactory(programme=programme, name="Bergdorf", slug="bergdorf")
    return World(programme=programme, a=a, b=b)


@pytest.fixture
def coordinator(world: World):
    """The coordinator of municipality A."""
    return factories.user_with_role("coordinator", world.a, username="koord-a")


@pytest.fixture
def password() -> str:
    return factories.TEST_PASSWORD


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2 with production iterations costs ~0.3 s per user; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request with the English
    cookie leaves English active in the worker's thread (LocaleMiddleware does
    not reset it), and a command or service called by a later test then spoke
    English (CI saw the HSDS command's German messages in English)."""
    yield
    translation.deactivate()
