import pytest

from kette.core.models import Role
from kette.testing import factories

pytestmark = pytest.mark.django_db


def test_network_measures_through_the_api(client, world, structure):
    client.force_login(factories.user_with_role(Role.PROVIDER, world.a, username="t"))
    response = client.get(f"/api/k/{world.a.slug}/netzwerk/kennzahlen", {"stichtag": "2026-06-01"})
    assert response.status_code == 200
    data = response.json()
    assert (data["nodes"], data["edges"], data["components"]) == (3, 2, 1)
    assert data["density"] == pytest.approx(2 / 3)
    assert data["articulation_points"] == [structure["youth"].pk]
    assert any(o["name"] == "Jugendamt" and o["degree"] == 2 for o in data["organizations"])
    filtered = client.get(f"/api/k/{world.a.slug}/netzwerk/kennzahlen", {"art": "agreement"}).json()
    assert filtered["edges"] == 1
    assert "Erika Beispiel" not in response.content.decode()


def test_body_qualities_through_the_api(client, world, structure):
    client.force_login(factories.user_with_role(Role.VIEWER, world.a, username="v"))
    data = client.get(f"/api/k/{world.a.slug}/netzwerk/gremien").json()
    steering = next(b for b in data if b["name"] == "Lenkungskreis")
    assert steering["members"] == 2 and steering["high_rank"] == 1.0
    assert "Schule/Bildung" in steering["core_sectors_missing"]
    assert steering["intersectorality"] == pytest.approx(0.5 / (1 - 1 / 14))


def test_the_api_refuses_outsiders(client, world, structure):
    for path in ("kennzahlen", "gremien"):
        assert client.get(f"/api/k/{world.a.slug}/netzwerk/{path}").status_code == 403
    client.force_login(factories.user_with_role(Role.COORDINATOR, world.b, username="b"))
    for path in ("kennzahlen", "gremien"):
        assert client.get(f"/api/k/{world.a.slug}/netzwerk/{path}").status_code == 403
    assert client.get("/api/k/nirgendwo/netzwerk/gremien").status_code == 404


def test_the_api_is_documented_in_openapi(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/k/{municipality_slug}/netzwerk/kennzahlen" in schema["paths"]
