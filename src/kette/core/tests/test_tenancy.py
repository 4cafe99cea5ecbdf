"""No view or API route of kette leaks one municipality's internal data to another
municipality's people or to anonymous visitors."""

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from kette.core import audit
from kette.core.models import Role
from kette.testing import factories
from kette.testing.tenancy import World, iter_routes, seed

OUTSIDER_ROLES = [Role.COORDINATOR, Role.EDITOR, Role.PROVIDER, Role.VIEWER]
ALLOWED_FOR_OUTSIDERS = {302, 403, 404, 405}


def _body(response) -> str:
    if getattr(response, "streaming", False):
        # Reading to the end closes a download's file (the test client does).
        return b"".join(response.streaming_content).decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/pdf"):
        # A PDF's text sits in compressed streams: read it as a person would.
        reader = PdfReader(io.BytesIO(response.content))
        return "\n".join([str(reader.metadata), *(p.extract_text() for p in reader.pages)])
    return response.content.decode(errors="replace")


def _history_count(world: World) -> int:
    return sum(entry.history_for(world.a.pk).count() for entry in audit.registered())


def _outsiders(world: World) -> list[tuple[str, Client]]:
    clients = [("anonym", Client())]
    for role in OUTSIDER_ROLES:
        user = factories.user_with_role(role, world.b, username=f"b-{role}")
        client = Client()
        client.force_login(user)
        clients.append((f"{role} von B", client))
    return clients


@pytest.mark.django_db
def test_no_route_leaks_another_municipalitys_data(world: World):
    seed(world)
    routes = list(iter_routes(world))
    unknown = {name: missing for name, missing in ((r.name, m) for r, m in routes) if missing}
    assert not unknown, (
        "URL keywords without a provider in the cross-tenant harness "
        f"(register them with kette.testing.tenancy.register_kwarg): {unknown}"
    )
    assert any(r.name == "core:members" for r, _ in routes)
    assert any(r.path.startswith("/api/") for r, _ in routes)

    failures = []
    for who, client in _outsiders(world):
        for route, _ in routes:
            before = _history_count(world)
            for method in ("get", "post"):
                response = getattr(client, method)(route.path)
                status = response.status_code
                if status >= 500:
                    failures.append(f"{who} {method.upper()} {route.path}: server error {status}")
                    continue
                if world.secret in _body(response):
                    failures.append(f"{who} {method.upper()} {route.path}: shows A's secret")
                if route.is_tenant_route and route.permission_required:
                    if status not in ALLOWED_FOR_OUTSIDERS:
                        failures.append(
                            f"{who} {method.upper()} {route.path}: status {status} on a "
                            f"protected view of another municipality"
                        )
                    if status == 302 and "/konto/anmelden/" not in response["Location"]:
                        failures.append(f"{who} {method.upper()} {route.path}: redirects elsewhere")
            if _history_count(world) != before:
                failures.append(f"{who} {route.path}: changed A's data")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_the_harness_sees_a_leak(world: World, client: Client):
    """The harness itself works: A's own coordinator does see the secret."""
    seed(world)
    coordinator = factories.user_with_role(Role.COORDINATOR, world.a, username="own-coord")
    client.force_login(coordinator)
    response = client.get(f"/k/{world.a.slug}/mitglieder/")
    assert response.status_code == 200
    assert world.secret in response.content.decode()
