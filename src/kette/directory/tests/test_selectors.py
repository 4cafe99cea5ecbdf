import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from kette.core.models import Role
from kette.directory import selectors, services
from kette.directory.models import Service, ServiceStatus
from kette.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world):
    own = services.organization_create(actor=None, municipality=world.a, name="Eigener Träger")
    other = services.organization_create(actor=None, municipality=world.a, name="Anderer Träger")
    provider = factories.user_with_role(Role.PROVIDER, world.a, username="traeger-a")
    services.provider_access_grant(actor=None, user=provider, organization=own)
    own_draft = services.service_create(actor=None, organization=own, name="Eigener Entwurf")
    other_draft = services.service_create(actor=None, organization=other, name="Fremder Entwurf")
    published = services.service_create(
        actor=None, organization=other, name="Fremd", status=ServiceStatus.PUBLISHED
    )
    b_org = services.organization_create(actor=None, municipality=world.b, name="Träger B")
    services.service_create(
        actor=None, organization=b_org, name="Angebot B", status=ServiceStatus.PUBLISHED
    )
    return {
        "provider": provider,
        "own_draft": own_draft,
        "other_draft": other_draft,
        "published": published,
    }


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def test_a_provider_sees_its_own_drafts_and_everyones_published_offers(world, setting):
    visible = selectors.services_visible_to(setting["provider"], world.a)
    assert names(visible) == {"Eigener Entwurf", "Fremd"}
    assert names(selectors.services_editable_by(setting["provider"], world.a)) == {
        "Eigener Entwurf"
    }
    with pytest.raises(Http404):
        selectors.service_for(setting["provider"], world.a, setting["other_draft"].pk)


def test_the_coordinator_and_viewer_see_every_offer_of_their_municipality_only(world, setting):
    coordinator = factories.user_with_role(Role.COORDINATOR, world.a)
    viewer = factories.user_with_role(Role.VIEWER, world.a)
    everything = {"Eigener Entwurf", "Fremder Entwurf", "Fremd"}
    assert names(selectors.services_visible_to(coordinator, world.a)) == everything
    assert names(selectors.services_visible_to(viewer, world.a)) == everything
    assert names(selectors.services_editable_by(coordinator, world.a)) == everything
    assert not selectors.services_editable_by(viewer, world.a).exists()


def test_the_public_sees_published_offers_only(world, setting):
    assert names(selectors.services_visible_to(AnonymousUser(), world.a)) == {"Fremd"}
    outsider = factories.user_with_role(Role.COORDINATOR, world.b)
    assert names(selectors.services_visible_to(outsider, world.a)) == {"Fremd"}
    assert selectors.service_detail(world.a, setting["published"].pk).name == "Fremd"
    with pytest.raises(Http404):
        selectors.service_detail(world.a, setting["own_draft"].pk)
    with pytest.raises(Http404):
        selectors.service_detail(world.b, setting["published"].pk)


def test_stale_offers_are_those_not_confirmed_for_a_year(world, setting):
    now = timezone.now()
    published = setting["published"]
    Service.objects.filter(pk=published.pk).update(created_at=now - dt.timedelta(days=400))
    assert list(selectors.stale_services(world.a, now=now)) == [published]
    services.service_confirm_current(actor=None, service=published, when=now)
    assert not selectors.stale_services(world.a, now=now).exists()
    later = now + dt.timedelta(days=200)
    assert list(selectors.stale_services(world.a, now=later, older_than=dt.timedelta(days=90))) == [
        published
    ]
