"""What people see and do in the core pages."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from kette.core import audit
from kette.core.models import AccessibilityFeedback, FundingPeriod, Membership, Role
from kette.core.text import sort_key
from kette.testing.factories import MunicipalityFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_start_page_lists_the_programme_municipalities(
    client, world, django_assert_max_num_queries
):
    MunicipalityFactory.create_batch(5, programme=world.programme)
    with django_assert_max_num_queries(4):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "7 Programmkommunen" in html
    assert f'href="/k/{world.a.slug}/"' in html
    assert 'id="municipality-map"' in html


def test_start_page_without_a_programme_explains_the_demo(client, db):
    response = client.get("/")
    assert "kette demo" in response.content.decode()


def test_municipality_geojson_has_outlines(client, world):
    world.a.boundary = {
        "type": "Polygon",
        "coordinates": [[[7, 51], [7.1, 51], [7.1, 51.1], [7, 51]]],
    }
    world.a.save()
    data = client.get("/kommunen.geojson").json()
    assert [f["properties"]["slug"] for f in data["features"]] == [world.a.slug]
    assert data["features"][0]["geometry"]["type"] == "Polygon"


def test_municipality_page_is_public(client, world):
    response = client.get(f"/k/{world.a.slug}/")
    assert response.status_code == 200
    assert world.a.official_key in response.content.decode()


def test_the_workspace_button_only_for_those_who_may_enter(client, world, coordinator):
    client.force_login(coordinator)  # of municipality A
    assert "Zum Arbeitsbereich" in client.get(f"/k/{world.a.slug}/").content.decode()
    # another municipality's page: the button ended in 403
    assert "Zum Arbeitsbereich" not in client.get(f"/k/{world.b.slug}/").content.decode()


def test_dates_are_german_in_german_and_day_first_in_english(client, world):
    import datetime as dt

    world.a.population = 12345
    world.a.population_date = dt.date(2018, 12, 31)
    world.a.save()
    FundingPeriod.objects.create(
        municipality=world.a, starts_on=dt.date(2017, 1, 1), ends_on=dt.date(2018, 12, 31)
    )
    page = client.get(f"/k/{world.a.slug}/").content.decode()
    assert "31.12.2018" in page and "01.01.2017 – 31.12.2018" in page
    client.cookies["kette_language"] = "en"
    page = client.get(f"/k/{world.a.slug}/").content.decode()
    assert "31 Dec 2018" in page and "12/31/2018" not in page
    # the funding period too (it kept the German pattern)
    assert "1 Jan 2017 – 31 Dec 2018" in page


def test_unknown_municipality_is_404(client, db):
    assert client.get("/k/gibt-es-nicht/").status_code == 404


def test_a_missing_page_is_a_german_page_in_the_site_layout(client, world):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "<h1>Seite nicht gefunden</h1>" in html
    assert 'href="/familienwegweiser/"' in html
    assert 'class="skip-link"' in html  # the site's own layout, not Django's bare page
    # a withdrawn offer: the way back leads to the municipality's guide
    response = client.get(f"/k/{world.a.slug}/familienwegweiser/999999/")
    assert response.status_code == 404
    assert f'href="/k/{world.a.slug}/familienwegweiser/"' in response.content.decode()
    assert f"Im Familienwegweiser von {world.a.name} suchen" in response.content.decode()
    # no such municipality: no link to its guide (it would be a 404 again)
    response = client.get("/k/gibt-es-nicht/familienwegweiser/5/")
    assert response.status_code == 404
    assert 'href="/k/gibt-es-nicht/familienwegweiser/"' not in response.content.decode()
    client.cookies["kette_language"] = "en"
    response = client.get("/gibt-es-nicht/")
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_a_refused_page_and_a_server_error_explain_themselves(rf, world):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.views import defaults

    request = rf.get("/k/altstadt/arbeitsbereich/")
    request.user = AnonymousUser()
    with translation.override("de"):
        response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "<h1>Kein Zugriff</h1>" in response.content.decode()
    # rendered without a request or context: a page of its own, in German and English
    response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="de">' in html and "Es ist ein Fehler aufgetreten" in html
    assert '<h2 lang="en">Server error</h2>' in html


def test_a_missing_static_file_is_not_found_rather_than_a_server_error():
    from django.contrib.staticfiles import finders

    # the finder of the front-end libraries answered None, which `finders.find`
    # took for a match ([None]): whitenoise then failed with a TypeError
    for path in ("vendor/leaflet/dist/gibt-es-nicht.js", "kette/css/gibt-es-nicht.css"):
        assert finders.find(path) is None
        assert finders.find(path, find_all=True) == []
    assert finders.find("kette/css/kette.css")


def test_workspace_requires_login(client, world):
    response = client.get(f"/k/{world.a.slug}/arbeitsbereich/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/?next=")


def test_coordinator_navigation_offers_members_and_history(client, world, coordinator):
    client.force_login(coordinator)
    html = client.get(f"/k/{world.a.slug}/arbeitsbereich/").content.decode()
    assert f"/k/{world.a.slug}/mitglieder/" in html
    assert f"/k/{world.a.slug}/verlauf/" in html


def test_viewer_navigation_hides_what_they_may_not_do(client, world):
    viewer = user_with_role(Role.VIEWER, world.a, username="v")
    client.force_login(viewer)
    response = client.get(f"/k/{world.a.slug}/arbeitsbereich/")
    assert response.status_code == 200
    assert "/mitglieder/" not in response.content.decode()
    assert client.get(f"/k/{world.a.slug}/mitglieder/").status_code == 403


def test_coordinator_edits_the_profile_and_sees_it_in_the_history(client, world, coordinator):
    client.force_login(coordinator)
    response = client.post(
        f"/k/{world.a.slug}/profil/",
        {"description": "Präventionskette Altstadt seit 2017", "website": "altstadt.example"},
    )
    assert response.status_code == 302
    world.a.refresh_from_db()
    assert world.a.website == "https://altstadt.example"
    log = client.get(f"/k/{world.a.slug}/verlauf/").content.decode()
    assert str(coordinator) in log
    history_url = reverse(
        "core:object_history",
        kwargs={
            "municipality_slug": world.a.slug,
            "model_key": "core.municipality",
            "object_id": world.a.pk,
        },
    )
    assert history_url in log
    history = client.get(history_url).content.decode()
    assert "Präventionskette Altstadt seit 2017" in history
    assert "https://altstadt.example" in history


def test_history_of_another_municipalitys_object_is_404(client, world, coordinator):
    other = user_with_role(Role.EDITOR, world.b, username="b-editor")
    membership = Membership.objects.get(user=other)
    client.force_login(coordinator)
    url = f"/k/{world.a.slug}/verlauf/core.membership/{membership.pk}/"
    assert client.get(url).status_code == 404
    assert client.get(f"/k/{world.a.slug}/verlauf/nix.gibts/1/").status_code == 404


def test_invalid_profile_input_shows_a_german_message(client, world, coordinator):
    client.force_login(coordinator)
    response = client.post(f"/k/{world.a.slug}/profil/", {"description": "", "website": "kein url"})
    assert response.status_code == 200
    assert "Bitte prüfen Sie Ihre Eingaben" in response.content.decode()


def test_coordinator_invites_and_removes_a_member(
    client, world, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/k/{world.a.slug}/mitglieder/",
            {"email": "ed@example.org", "first_name": "Ed", "last_name": "Itor", "role": "editor"},
        )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="ed@example.org")
    assert membership.municipality == world.a
    assert "ed@example.org" in mail.outbox[0].to
    assert "http://testserver" not in mail.outbox[0].body  # links start with KETTE_BASE_URL
    page = client.get(f"/k/{world.a.slug}/mitglieder/").content.decode()
    assert "Ed Itor" in page
    response = client.post(f"/k/{world.a.slug}/mitglieder/{membership.pk}/austragen/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_coordinator_cannot_remove_themselves(client, world, coordinator):
    client.force_login(coordinator)
    own = Membership.objects.get(user=coordinator)
    assert client.post(f"/k/{world.a.slug}/mitglieder/{own.pk}/austragen/").status_code == 403
    assert Membership.objects.filter(pk=own.pk).exists()


def test_member_of_another_municipality_cannot_be_removed_through_this_one(
    client, world, coordinator
):
    other = user_with_role(Role.EDITOR, world.b, username="b-editor")
    membership = Membership.objects.get(user=other)
    client.force_login(coordinator)
    assert (
        client.post(f"/k/{world.a.slug}/mitglieder/{membership.pk}/austragen/").status_code == 404
    )
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_programme_overview_for_the_coordination_office(client, world):
    staff = user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    client.force_login(staff)
    html = client.get("/programm/").content.decode()
    assert world.a.name in html and world.b.name in html
    coordinator = user_with_role(Role.COORDINATOR, world.a, username="k")
    client.force_login(coordinator)
    assert client.get("/programm/").status_code == 403


def test_login_logout_and_throttling(client, world, coordinator, password, settings):
    response = client.post(
        "/konto/anmelden/", {"username": coordinator.username, "password": password}
    )
    assert response.status_code == 302
    assert client.get(f"/k/{world.a.slug}/arbeitsbereich/").status_code == 200
    client.post("/konto/abmelden/")
    assert client.get(f"/k/{world.a.slug}/arbeitsbereich/").status_code == 302

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/konto/anmelden/", {"username": coordinator.username, "password": "falsch"})
    locked = client.post(
        "/konto/anmelden/", {"username": coordinator.username, "password": password}
    )
    assert locked.status_code == 429
    assert "vorübergehend gesperrt" in locked.content.decode()


def test_password_reset_by_mail(client, world, coordinator):
    client.post("/konto/passwort/vergessen/", {"email": coordinator.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/konto/passwort/neu/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    weak = client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200  # the validators refuse a weak password
    new_password = "Lange-Sichere-Passphrase-42"
    done = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    login = client.post(
        "/konto/anmelden/", {"username": coordinator.username, "password": new_password}
    )
    assert login.status_code == 302


def test_password_change(client, coordinator, password):
    client.force_login(coordinator)
    new_password = "Noch-Laengere-Passphrase-7"
    response = client.post(
        "/konto/passwort/aendern/",
        {"old_password": password, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.check_password(new_password)


def test_accessibility_feedback_form(client, db, settings):
    settings.KETTE_ACCESSIBILITY_EMAIL = "a11y@example.org"
    page = client.get("/barrierefreiheit/?seite=/k/koeln/").content.decode()
    assert "Erklärung zur Barrierefreiheit" in page
    assert 'value="/k/koeln/"' in page
    response = client.post(
        "/barrierefreiheit/",
        {"message": "Die Karte ist per Tastatur nicht bedienbar.", "page_url": "/"},
    )
    assert response.status_code == 302
    assert AccessibilityFeedback.objects.get().message.startswith("Die Karte")
    assert mail.outbox[0].to == ["a11y@example.org"]


def test_accessibility_feedback_from_bots_is_dropped(client, db):
    client.post("/barrierefreiheit/", {"message": "Spam", "website": "http://spam.example"})
    assert not AccessibilityFeedback.objects.exists()


def test_empty_feedback_gets_a_message(client, db):
    response = client.post("/barrierefreiheit/", {"message": ""})
    assert response.status_code == 200
    assert "Bitte prüfen Sie Ihre Eingaben" in response.content.decode()


def test_legal_and_data_source_pages(client, db):
    for path in ("/impressum/", "/datenschutz/", "/barrierefreiheit/"):
        assert client.get(path).status_code == 200
    sources = client.get("/datenquellen/").content.decode()
    assert "GeoBasis-DE / BKG" in sources
    assert "Datenlizenz Deutschland" in sources
    assert "Einrichtungen in Köln aus OpenStreetMap" in sources
    assert "Bevölkerung in Köln nach Stadtteilen 2005–2012" in sources
    client.cookies["kette_language"] = "en"
    english = client.get("/datenquellen/").content.decode()
    # every source described in English; licences and attributions as published
    assert "Facilities in Köln from OpenStreetMap" in english
    assert "Population of Köln by district 2005–2012" in english
    assert "Districts and boroughs of Köln" in english
    assert "Stadtteile" not in english.replace("stadtteile_10.json", "")
    assert '<dd lang="de">\n          © IT.NRW, Düsseldorf, 2025' in english
    assert 'lang="en">Open Database License (ODbL) 1.0</a>' in english


def test_language_switch_sets_only_the_language_cookie(client, db):
    assert not client.get("/").cookies
    response = client.get("/sprache/en/?next=/impressum/")
    assert response.status_code == 302
    assert response["Location"] == "/impressum/"
    assert set(response.cookies) == {"kette_language"}
    english = client.get("/impressum/")
    assert '<html lang="en">' in english.content.decode()
    assert not english.cookies


def test_language_switch_refuses_foreign_redirects(client, db):
    response = client.get("/sprache/en/?next=https://evil.example/")
    assert response["Location"] == "/"


def test_pages_forbid_external_resources(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy


def test_map_tiles_are_allowed_only_when_configured(client, db, settings):
    from kette.core.middleware import _content_security_policy

    assert "tile" not in _content_security_policy()
    settings.KETTE_MAP_TILE_URL = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    assert "https://*.tile.example.org" in _content_security_policy()


def test_api_lists_municipalities_and_has_docs(client, world):
    data = client.get("/api/municipalities").json()
    assert {m["slug"] for m in data} == {world.a.slug, world.b.slug}
    assert client.get("/api/openapi.json").json()["info"]["title"] == "kette API"
    assert client.get("/api/docs").status_code == 200


def test_admin_is_for_programme_admins(client, world, coordinator):
    client.force_login(coordinator)
    assert client.get("/admin/").status_code == 302
    admin = user_with_role(
        Role.PROGRAMME_ADMIN, None, username="root", is_superuser=True, is_staff=True
    )
    client.force_login(admin)
    assert client.get("/admin/core/municipality/").status_code == 200
    # the lists ordered in German name order (a collation in Meta.ordering)
    page = client.get("/admin/core/municipality/").content.decode()
    names = sorted([world.a.name, world.b.name], key=sort_key)
    assert page.index(f">{names[0]}<") < page.index(f">{names[1]}<")
    for path in ("core/programme", "directory/organization", "directory/location"):
        assert client.get(f"/admin/{path}/").status_code == 200


def test_german_is_the_default_whatever_the_browser_prefers(client, db):
    response = client.get("/impressum/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="de">' in response.content.decode()
    assert response["Content-Language"] == "de"


def test_change_log_reads_a_constant_number_of_queries(
    client, world, coordinator, django_assert_max_num_queries
):
    for n in range(15):
        user_with_role(Role.VIEWER, world.a, username=f"viewer-{n}")
    client.force_login(coordinator)
    # One query per audited model, whatever the number of changes.
    with django_assert_max_num_queries(8 + len(audit.registered())):
        response = client.get(f"/k/{world.a.slug}/verlauf/")
    assert response.content.decode().count("Lesezugriff") >= 15


def test_inviting_requires_choosing_a_role(client, world, coordinator):
    client.force_login(coordinator)
    response = client.post(
        f"/k/{world.a.slug}/mitglieder/",
        {"email": "x@example.org", "first_name": "X", "last_name": "Y", "role": ""},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user__email="x@example.org").exists()
