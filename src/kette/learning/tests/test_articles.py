"""Articles about meetings: drafts and publishing, photos, the news page and the
pages of the municipalities involved."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kette.core.models import Role
from kette.learning import selectors, services
from kette.learning.models import Article, ArticleStatus, Visibility
from kette.learning.tests.factories import (
    AgendaItemFactory,
    ContributionFactory,
    MeetingFactory,
    WorkingGroupFactory,
)
from kette.learning.tests.test_material import add_photo
from kette.testing import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def meeting(world):
    return MeetingFactory(
        programme=world.programme,
        number=17,
        title="Voneinander lernen",
        starts_on=dt.date(2017, 9, 13),
        host_municipality=world.a,
        visibility=Visibility.PUBLIC,
    )


def write(meeting, office, **fields):
    data = {
        "title": "40 Kommunen in Köln",
        "teaser": "Ein Tag voller Austausch.",
        "body": "Erster Absatz.\n\nZweiter Absatz.",
        "status": ArticleStatus.DRAFT,
        **fields,
    }
    return services.article_create(actor=office, meeting=meeting, **data)


def test_publishing_sets_the_date_once(meeting, office):
    article = write(meeting, office)
    assert article.published_at is None and article.author == office
    services.article_update(actor=office, article=article, status=ArticleStatus.PUBLISHED)
    first = article.published_at
    assert first is not None
    services.article_update(actor=office, article=article, title="Neuer Titel")
    assert article.published_at == first
    assert article.history.latest().history_user == office


def test_photos_come_from_the_meetings_gallery_and_are_for_everyone(world, meeting, office):
    article = write(meeting, office)
    other = add_photo(MeetingFactory(programme=world.programme), office)
    with pytest.raises(ValidationError) as raised:
        services.article_update(actor=office, article=article, photos=[other])
    assert raised.value.message_dict == {
        "photos": ["Nur Fotos dieses Treffens können verwendet werden."]
    }
    network_only = add_photo(meeting, office, audience="network")
    with pytest.raises(ValidationError):
        services.article_update(actor=office, article=article, photos=[network_only])
    photo = add_photo(meeting, office)
    services.article_update(actor=office, article=article, photos=[photo])
    assert list(article.photos.all()) == [photo]


def test_the_news_page_shows_published_articles_and_drafts_only_to_the_office(
    client, world, meeting, office
):
    write(meeting, office, title="Veröffentlichter Bericht", status=ArticleStatus.PUBLISHED)
    draft = write(meeting, office, title="Noch ein Entwurf")
    home = client.get("/").content.decode()
    assert 'href="/lernnetzwerk/aktuelles/"' in home  # main navigation
    page = client.get("/lernnetzwerk/aktuelles/").content.decode()
    assert "Veröffentlichter Bericht" in page and "Noch ein Entwurf" not in page
    assert "Veröffentlichter Bericht" in client.get("/lernnetzwerk/17/").content.decode()
    url = f"/lernnetzwerk/aktuelles/{draft.pk}/"
    assert client.get(url).status_code == 302
    coordinator = factories.user_with_role(Role.COORDINATOR, world.a, username="k")
    client.force_login(coordinator)
    assert client.get(url).status_code == 404
    assert client.get("/lernnetzwerk/aktuelles/neu/").status_code == 403
    assert client.get(f"{url}bearbeiten/").status_code == 403
    client.force_login(office)
    page = client.get("/lernnetzwerk/aktuelles/").content.decode()
    assert "Noch ein Entwurf" in page and "Entwurf" in page
    assert "Entwurf: Nur die Landeskoordinierungsstelle sieht diesen Artikel." in (
        client.get(url).content.decode()
    )


def test_the_office_writes_and_publishes_an_article_with_a_photo(client, world, meeting, office):
    photo = add_photo(meeting, office)
    client.force_login(office)
    response = client.post(
        "/lernnetzwerk/aktuelles/neu/",
        {
            "meeting": meeting.pk,
            "title": "40 Kommunen in Köln",
            "teaser": "Ein Tag voller Austausch.",
            "body": "Erster Absatz.\n\nZweiter Absatz.",
            "status": "draft",
        },
    )
    article = Article.objects.get()
    assert response["Location"] == f"/lernnetzwerk/aktuelles/{article.pk}/"
    form = client.get(f"/lernnetzwerk/aktuelles/{article.pk}/bearbeiten/").content.decode()
    assert "Begrüßung im Ratssaal (Foto: Landeskoordinierungsstelle)" in form
    client.post(
        f"/lernnetzwerk/aktuelles/{article.pk}/bearbeiten/",
        {
            "title": "40 Kommunen in Köln",
            "teaser": "Ein Tag voller Austausch.",
            "body": "Erster Absatz.\n\nZweiter Absatz.",
            "photos": [photo.pk],
            "status": "published",
        },
    )
    article.refresh_from_db()
    assert article.is_published and list(article.photos.all()) == [photo]
    client.logout()
    page = client.get(f"/lernnetzwerk/aktuelles/{article.pk}/").content.decode()
    assert "<p>Erster Absatz.</p>" in page and "<p>Zweiter Absatz.</p>" in page
    assert f'src="/lernnetzwerk/aktuelles/{article.pk}/fotos/{photo.pk}/"' in page
    assert 'alt="Blick in den vollen Ratssaal"' in page
    assert "Foto: Landeskoordinierungsstelle</span>" in page


def test_a_published_articles_photos_are_public_even_for_a_network_meeting(
    client, world, meeting, office
):
    meeting.visibility = Visibility.NETWORK
    meeting.save()
    in_article, elsewhere = add_photo(meeting, office), add_photo(meeting, office)
    article = write(meeting, office, status=ArticleStatus.PUBLISHED)
    services.article_update(actor=office, article=article, photos=[in_article])
    base = f"/lernnetzwerk/aktuelles/{article.pk}/fotos/"
    response = client.get(f"{base}{in_article.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    assert client.get(f"{base}{elsewhere.pk}/").status_code == 404
    assert client.get(f"/lernnetzwerk/17/fotos/{in_article.pk}/").status_code == 302
    services.article_update(actor=office, article=article, status=ArticleStatus.DRAFT)
    assert client.get(f"{base}{in_article.pk}/").status_code == 302


def test_articles_appear_on_the_pages_of_the_municipalities_involved(
    client, world, meeting, office
):
    speaker = factories.MunicipalityFactory(
        programme=world.programme, name="Rednerstadt", slug="rednerstadt"
    )
    declined = factories.MunicipalityFactory(
        programme=world.programme, name="Absagedorf", slug="absagedorf"
    )
    group = WorkingGroupFactory(meeting=meeting)
    ContributionFactory(working_group=group, municipality=world.b, status="accepted")
    ContributionFactory(working_group=group, municipality=declined, status="declined")
    AgendaItemFactory(meeting=meeting, speaker_municipality=speaker, kind="practice_report")
    write(meeting, office, title="Bericht aus Köln", status=ArticleStatus.PUBLISHED)
    write(meeting, office, title="Unveröffentlicht")
    for municipality in (world.a, world.b, speaker):  # host, short talk, practice report
        assert [a.title for a in selectors.published_articles_of_municipality(municipality)] == [
            "Bericht aus Köln"
        ]
        public_page = client.get(f"/k/{municipality.slug}/").content.decode()
        link = f'href="/k/{municipality.slug}/lernnetzwerk/berichte/"'
        assert link in public_page, municipality
        page = client.get(f"/k/{municipality.slug}/lernnetzwerk/berichte/").content.decode()
        assert "Bericht aus Köln" in page and "Unveröffentlicht" not in page
    assert not selectors.published_articles_of_municipality(declined).exists()
    assert "lernnetzwerk/berichte/" not in client.get("/k/absagedorf/").content.decode()
    page = client.get("/k/absagedorf/lernnetzwerk/berichte/").content.decode()
    assert "Noch keine Artikel." in page
