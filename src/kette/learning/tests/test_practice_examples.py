import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from kette.core.models import Role
from kette.learning import selectors, services
from kette.learning.models import PracticeExample, Visibility
from kette.learning.tests.factories import ContributionFactory
from kette.learning.tests.factories import share_example as share
from kette.testing import factories

pytestmark = pytest.mark.django_db


def test_who_reads_a_practice_example(world):
    draft = share(world.a, "Entwurf")
    network = share(world.a, "Netz", status="published", visibility=Visibility.NETWORK)
    public = share(world.a, "Offen", status="published", visibility=Visibility.PUBLIC)
    own = factories.user_with_role(Role.VIEWER, world.a, username="a")
    other = factories.user_with_role(Role.VIEWER, world.b, username="b")
    office = factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    anonymous = AnonymousUser()
    assert own.has_perm("learning.read_practice_example", draft)
    assert office.has_perm("learning.read_practice_example", draft)
    assert not other.has_perm("learning.read_practice_example", draft)
    assert other.has_perm("learning.read_practice_example", network)
    assert not anonymous.has_perm("learning.read_practice_example", network)
    assert anonymous.has_perm("learning.read_practice_example", public)
    assert not anonymous.has_perm("learning.read_practice_example", None)


def test_coordinators_and_editors_manage_their_municipalitys_examples(world):
    editor = factories.user_with_role(Role.EDITOR, world.a, username="e")
    viewer = factories.user_with_role(Role.VIEWER, world.a, username="v")
    assert editor.has_perm("learning.manage_practice_examples", world.a)
    assert not editor.has_perm("learning.manage_practice_examples", world.b)
    assert not viewer.has_perm("learning.manage_practice_examples", world.a)


def test_an_example_links_only_its_own_municipalitys_talks(world):
    own_talk = ContributionFactory(
        working_group__meeting__programme=world.programme, municipality=world.a, status="accepted"
    )
    other_talk = ContributionFactory(
        working_group=own_talk.working_group, municipality=world.b, status="accepted"
    )
    example = share(world.a, "Steuerung", contributions=[own_talk], life_phases=["0-3"])
    assert list(example.contributions.all()) == [own_talk]
    assert example.life_phase_labels() == ["Frühe Kindheit (0–3)"]
    with pytest.raises(ValidationError):
        services.practice_example_update(actor=None, example=example, contributions=[other_talk])
    services.practice_example_update(actor=None, example=example, title="Neu")
    assert PracticeExample.objects.get().title == "Neu"


def test_the_list_shows_what_the_visitor_may_read(client, world):
    share(world.a, "Entwurf-Beispiel")
    share(world.a, "Netz-Beispiel", status="published", visibility=Visibility.NETWORK)
    share(world.b, "Offenes-Beispiel", status="published", visibility=Visibility.PUBLIC)
    page = client.get("/lernnetzwerk/praxisbeispiele/").content.decode()
    assert "Offenes-Beispiel" in page
    assert "Netz-Beispiel" not in page and "Entwurf-Beispiel" not in page
    member = factories.user_with_role(Role.VIEWER, world.b, username="b")
    client.force_login(member)
    page = client.get("/lernnetzwerk/praxisbeispiele/").content.decode()
    assert "Netz-Beispiel" in page and "Entwurf-Beispiel" not in page
    assert len(selectors.visible_practice_examples(world.programme, member)) == 2


def test_a_draft_is_not_found_by_others(client, world):
    draft = share(world.a, "Entwurf-Beispiel")
    assert client.get(f"/lernnetzwerk/praxisbeispiele/{draft.pk}/").status_code == 404
    client.force_login(factories.user_with_role(Role.EDITOR, world.a, username="e"))
    page = client.get(f"/lernnetzwerk/praxisbeispiele/{draft.pk}/").content.decode()
    assert "Entwurf: sichtbar nur" in page


def test_an_editor_shares_and_edits_an_example(client, world):
    talk = ContributionFactory(
        working_group__meeting__programme=world.programme,
        municipality=world.a,
        status="accepted",
        title="Kurzreferat X",
    )
    client.force_login(factories.user_with_role(Role.EDITOR, world.a, username="e"))
    listing = client.get("/lernnetzwerk/praxisbeispiele/").content.decode()
    assert "Praxisbeispiel aus Altstadt teilen" in listing
    assert 'href="/lernnetzwerk/"' in listing  # the main navigation links the network
    url = f"/k/{world.a.slug}/praxisbeispiele/"
    form = client.get(url).content.decode()
    assert "Kurzreferat X" in form
    # a group of checkboxes is a fieldset named by its legend (not a label of no input)
    assert re.search(r'<fieldset class="field">\s*<legend>Lebensphasen:</legend>', form)
    assert "<label>Lebensphasen" not in form
    response = client.post(
        url,
        {
            "title": "Lotsendienst",
            "summary": "Familienlotsen in Geburtskliniken.",
            "life_phases": ["pregnancy"],
            "contributions": [talk.pk],
            "visibility": "public",
            "status": "published",
            "contact_email": "lotsen@example.org",
        },
    )
    assert response.status_code == 302
    example = PracticeExample.objects.get()
    assert (example.municipality, example.life_phases) == (world.a, ["pregnancy"])
    assert list(example.contributions.all()) == [talk]
    client.post(
        f"{url}{example.pk}/",
        {
            "title": "Familienlotsen",
            "summary": "Neu",
            "visibility": "network",
            "status": "published",
        },
    )
    example.refresh_from_db()
    assert (example.title, example.visibility) == ("Familienlotsen", "network")
    invalid = client.post(url, {"title": "", "summary": "", "life_phases": ["gibt-es-nicht"]})
    page = invalid.content.decode()
    assert "Dieses Feld ist zwingend erforderlich." in page
    # the summary's link for a group leads to its first choice
    assert 'href="#id_life_phases_0">Lebensphasen:' in page


def test_practice_examples_are_found_with_the_directorys_german_search(client, world):
    public = {"status": "published", "visibility": Visibility.PUBLIC}
    share(
        world.a,
        "Willkommensbesuche für Familien",
        summary="Mütter und Väter bekommen nach der Geburt Besuch.",
        **public,
    )
    share(
        world.b,
        "Steuerungsgruppe mit Schulen",
        summary="Die Schulleitungen sitzen mit am Tisch.",
        **public,
    )
    share(world.b, "Netzwerk Familie", summary="Nur für das Netzwerk.", status="published")
    anonymous = AnonymousUser()

    def titles(query, user=anonymous):
        found = selectors.practice_example_search(world.programme, user, query)
        return [e.title for e in found.examples]

    assert titles("Familie") == ["Willkommensbesuche für Familien"]  # stemming; network-only hidden
    assert titles("Muetter") == ["Willkommensbesuche für Familien"]  # umlaut folding
    assert titles("Steuer") == ["Steuerungsgruppe mit Schulen"]  # prefix
    assert titles("Bergdorf Schulleitung") == ["Steuerungsgruppe mit Schulen"]  # municipality
    assert titles('"Mütter und Väter"') == ["Willkommensbesuche für Familien"]  # phrase
    assert titles('"Väter Mütter"') == []  # a phrase keeps its order
    assert titles("Familie Schulen") == []  # every word must occur
    member = factories.user_with_role(Role.VIEWER, world.a, username="a-viewer")
    # Title hits weigh more than summary hits.
    assert titles("Familie", member) == ["Netzwerk Familie", "Willkommensbesuche für Familien"]
    page = client.get("/lernnetzwerk/praxisbeispiele/?q=Familien").content.decode()
    assert "1 Praxisbeispiel für „Familien“" in page
    assert "Willkommensbesuche" in page and "Steuerungsgruppe mit Schulen" not in page


def test_a_misspelt_search_finds_the_practice_examples_of_the_nearest_word(client, world):
    public = {"status": "published", "visibility": Visibility.PUBLIC}
    share(world.a, "Willkommensbesuche für Familien", summary="Besuch nach der Geburt.", **public)
    share(world.b, "Steuerungsgruppe mit Schulen", summary="Schulleitungen am Tisch.", **public)
    # a word only the network sees is not offered to the public as a correction
    share(world.b, "Netzwerk Familienzentren", summary="Nur intern.", status="published")
    anonymous = AnonymousUser()
    found = selectors.practice_example_search(world.programme, anonymous, "Wilkommensbesuche")
    assert [e.title for e in found.examples] == ["Willkommensbesuche für Familien"]
    assert found.corrected_query == "Willkommensbesuche"
    assert found.corrections == [("Wilkommensbesuche", "Willkommensbesuche")]
    # known words and words without a near neighbour stay as typed: nothing found
    assert selectors.practice_example_search(world.programme, anonymous, "Zirkus").examples == []
    hidden = selectors.practice_example_search(world.programme, anonymous, "Familienzentrn")
    assert (hidden.examples, hidden.corrected_query) == ([], "")
    # a query that finds something as typed is not corrected
    plain = selectors.practice_example_search(world.programme, anonymous, "Schulen")
    assert plain.corrected_query == "" and len(plain.examples) == 1
    page = client.get("/lernnetzwerk/praxisbeispiele/?q=Steurungsgruppe").content.decode()
    assert "Für „Steurungsgruppe“ wurde nichts gefunden." in page
    assert "Gezeigt wird 1 Praxisbeispiel für:" in page
    assert "<strong>Steuerungsgruppe</strong>" in page
    assert "Willkommensbesuche" not in page
    english = client.get(
        "/lernnetzwerk/praxisbeispiele/?q=Steurungsgruppe", HTTP_COOKIE="kette_language=en"
    ).content.decode()
    assert re.search(
        r'Showing 1 practice example for:\s*<strong lang="de">Steuerungsgruppe<', english
    )


def test_attachments_are_checked_added_served_and_deleted(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kette.learning.models import PracticeExampleAttachment

    example = share(world.a, "Lotsendienst", status="published", visibility=Visibility.NETWORK)
    editor = factories.user_with_role(Role.EDITOR, world.a, username="a-editor")
    client.force_login(editor)
    base = f"/k/altstadt/praxisbeispiele/{example.pk}/"
    fake = SimpleUploadedFile("konzept.pdf", b"<html>kein PDF</html>")
    page = client.post(base + "anhaenge/", {"title": "Konzept", "file": fake})
    assert page.status_code == 200
    assert "ist kein echtes PDF-Dokument" in page.content.decode()
    assert not PracticeExampleAttachment.objects.exists()

    pdf = SimpleUploadedFile("konzept.pdf", b"%PDF-1.7 Lotsendienst-Konzept")
    response = client.post(base + "anhaenge/", {"title": "Konzept 2026", "file": pdf})
    assert response.status_code == 302
    attachment = PracticeExampleAttachment.objects.get()
    assert attachment.file.name.startswith("learning/practice/")
    assert "konzept" not in attachment.file.name  # random name
    detail = client.get(example.get_absolute_url()).content.decode()
    link = f"/lernnetzwerk/praxisbeispiele/{example.pk}/anhaenge/{attachment.pk}/"
    assert link in detail and "Konzept 2026" in detail
    download = client.get(link)
    assert b"".join(download.streaming_content) == b"%PDF-1.7 Lotsendienst-Konzept"
    assert "konzept-2026.pdf" in download["Content-Disposition"]

    # Network-only example: a network member of B may download, the public may not.
    client.force_login(factories.user_with_role(Role.VIEWER, world.b, username="b-viewer"))
    again = client.get(link)
    assert again.status_code == 200
    assert b"".join(again.streaming_content).startswith(b"%PDF-")  # read to the end
    client.logout()
    assert client.get(link).status_code == 404
    # B's editor cannot delete A's attachment, A's editor can.
    client.force_login(factories.user_with_role(Role.EDITOR, world.b, username="b-editor"))
    delete = base + f"anhaenge/{attachment.pk}/loeschen/"
    assert client.post(delete).status_code == 403
    client.force_login(editor)
    form = client.get(base).content.decode()
    assert "„Konzept 2026“ löschen?" in form and "Die Datei wird endgültig gelöscht." in form
    assert client.post(delete).status_code == 302
    assert not PracticeExampleAttachment.objects.exists()
