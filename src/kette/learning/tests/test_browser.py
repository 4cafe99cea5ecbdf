"""Browser tests: registration and the agenda in headless Chromium, checked with axe-core."""

import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.db import connections

from kette.core.models import Role
from kette.learning import services
from kette.learning.models import (
    AgendaItemKind,
    Contribution,
    ContributionStatus,
    Registration,
    Visibility,
)
from kette.learning.tests.factories import (
    AgendaItemFactory,
    ContributionFactory,
    MeetingFactory,
    WorkingGroupFactory,
)
from kette.learning.tests.test_material import camera_jpeg
from kette.testing import factories
from kette.testing.browser import browser_skip_reason

if reason := browser_skip_reason():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import expect

from kette.testing.browser import assert_accessible, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(monkeypatch, live_server):
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the
    # test itself are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with open_page(live_server.url) as (page, _observed):
        yield page
        # While Playwright's event loop runs, the ORM keeps a connection per async
        # context; close it, or PostgreSQL cannot drop the test database.
        connections.close_all()


def test_agenda_and_registration_in_the_browser(live_server, page, world, password):
    soon = dt.date.today() + dt.timedelta(days=30)
    meeting = MeetingFactory(
        programme=world.programme,
        number=17,
        title="Voneinander lernen",
        starts_on=soon,
        ends_on=soon,
        venue="Köln",
        host_municipality=world.a,
        visibility=Visibility.PUBLIC,
    )
    AgendaItemFactory(meeting=meeting, title="Begrüßung durch die Landeskoordinierungsstelle")
    AgendaItemFactory(
        meeting=meeting,
        kind=AgendaItemKind.WORKING_GROUPS,
        title="Arbeitsgruppen",
        start_time=dt.time(13),
        end_time=dt.time(15),
    )
    group = WorkingGroupFactory(meeting=meeting, title="AG 1: Steuerung")
    ContributionFactory(
        working_group=group,
        municipality=world.a,
        title="Unser Lenkungskreis",
        status=ContributionStatus.ACCEPTED,
    )
    factories.user_with_role(Role.COORDINATOR, world.a, username="koord-a")

    page.goto(f"{live_server.url}/lernnetzwerk/17/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("17. Lernnetzwerktreffen")
    assert page.get_by_text("Unser Lenkungskreis").is_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/konto/anmelden/?next=/lernnetzwerk/17/")
    page.fill("input[name=username]", "koord-a")
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.get_by_role("link", name="Personen aus Altstadt anmelden").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Mia Muster")
    page.get_by_label("E-Mail-Adresse").fill("mia@example.org")
    page.get_by_label("Arbeitsgruppe").select_option(label="AG 1: Steuerung")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_text("Mia Muster ist angemeldet.")).to_be_visible()
    assert_accessible(page)
    assert Registration.objects.get().working_group == group
    assert os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] == "true"


def test_photo_upload_and_gallery_in_the_browser(
    live_server, page, world, password, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    MeetingFactory(programme=world.programme, number=17, visibility=Visibility.PUBLIC)
    factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(camera_jpeg(400, 200))

    page.goto(f"{live_server.url}/konto/anmelden/?next=/lernnetzwerk/17/material/")
    page.fill("input[name=username]", "lks")
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    assert_accessible(page)
    page.locator("#id_photo-image").set_input_files(str(photo))
    page.get_by_label("Bildunterschrift").fill("Praxisbericht aus Ahlen")
    page.get_by_label("Bildnachweis").fill("Landeskoordinierungsstelle")
    page.get_by_label("Alternativtext").fill("Eine Rednerin am Pult vor vollem Saal")
    page.get_by_role("button", name="Foto hinzufügen").click()
    expect(page.get_by_text("Das Foto wurde der Galerie hinzugefügt.")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/lernnetzwerk/17/")
    image = page.get_by_role("img", name="Eine Rednerin am Pult vor vollem Saal")
    assert image.evaluate("img => img.naturalWidth") == 200  # upright: 400×200 turned
    assert page.get_by_text("Foto: Landeskoordinierungsstelle").is_visible()
    assert_accessible(page)


def test_news_page_and_article_in_the_browser(live_server, page, world):
    meeting = MeetingFactory(programme=world.programme, number=17, host_municipality=world.a)
    article = services.article_create(
        actor=None,
        meeting=meeting,
        title="40 Programmkommunen in Köln",
        teaser="Ein Tag voller Austausch.",
        body="Erster Absatz.\n\nZweiter Absatz.",
        status="published",
    )
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Aktuelles").first.click()
    # (expect waits: a click returns once the navigation has started)
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktuelles aus dem Lernnetzwerk")
    assert_accessible(page)
    page.get_by_role("link", name="40 Programmkommunen in Köln").click()
    page.wait_for_url(lambda url: url.endswith(article.get_absolute_url()))
    assert_accessible(page)
    page.goto(f"{live_server.url}/k/{world.a.slug}/")
    page.get_by_role("link", name="Berichte aus dem Lernnetzwerk").click()
    expect(page.get_by_text("Ein Tag voller Austausch.")).to_be_visible()
    assert_accessible(page)


def test_deleting_a_working_group_asks_first_and_names_the_talks_that_go(
    live_server, page, world, password, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    meeting = MeetingFactory(programme=world.programme, number=17)
    group = WorkingGroupFactory(meeting=meeting, title="AG 2: Beteiligung")
    for municipality, title in ((world.b, "Jugendforum"), (world.a, "Familien beteiligen")):
        talk = ContributionFactory(
            working_group=group,
            municipality=municipality,
            title=title,
            status=ContributionStatus.ACCEPTED,
        )
        talk.slides.save("folien.pdf", ContentFile(b"%PDF-1.4 Folien"))
    factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")

    page.goto(f"{live_server.url}/konto/anmelden/?next=/lernnetzwerk/17/programm/ag/{group.pk}/")
    page.fill("input[name=username]", "lks")
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    confirm = page.get_by_role("button", name="Ja, löschen")
    expect(confirm).to_be_hidden()
    page.locator("details.confirm summary").click()
    # what else goes, before anything goes
    expect(page.get_by_text("„AG 2: Beteiligung“ löschen?")).to_be_visible()
    expect(
        page.get_by_text("2 Kurzreferate (Altstadt, Bergdorf) und ihre Folien werden mit gelöscht.")
    ).to_be_visible()
    assert_accessible(page)
    assert meeting.working_groups.exists()
    confirm.click()
    expect(page.get_by_text("Die Arbeitsgruppe wurde gelöscht.")).to_be_visible()
    assert not meeting.working_groups.exists()
    assert not Contribution.objects.exists()
    assert list(tmp_path.rglob("*.pdf")) == []  # the slides' files are gone too
