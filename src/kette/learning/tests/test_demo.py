import pytest
from django.core.management import call_command

from kette.core import audit
from kette.learning import selectors
from kette.learning.models import (
    AgendaItem,
    AgendaItemKind,
    Article,
    ContributionStatus,
    Meeting,
    Minutes,
    MinutesEntry,
    WorkingGroup,
)

pytestmark = pytest.mark.django_db


def _history_rows() -> int:
    rows = sum(entry.model.history.count() for entry in audit.registered())
    programme_level = (Meeting, AgendaItem, WorkingGroup, Minutes, MinutesEntry, Article)
    return rows + sum(m.history.count() for m in programme_level)


def test_the_demo_tells_meeting_17_in_koeln_and_reruns_without_changes(client, capsys):
    call_command("demo")
    meeting = Meeting.objects.get(number=17)
    assert (meeting.starts_on.isoformat(), meeting.host_municipality.name) == ("2017-09-13", "Köln")
    kinds = [item.kind for item in selectors.agenda_of(meeting)]
    assert kinds[:3] == [
        AgendaItemKind.WELCOME,
        AgendaItemKind.GREETING,
        AgendaItemKind.VIDEO_MESSAGE,
    ]
    assert kinds.count(AgendaItemKind.PRACTICE_REPORT) == 2
    groups = list(selectors.working_groups_with_talks(meeting))
    assert len(groups) == 4
    ahlen_talk = groups[0].accepted_talks[0]
    assert (ahlen_talk.municipality.name, ahlen_talk.status) == (
        "Ahlen",
        ContributionStatus.ACCEPTED,
    )
    assert selectors.municipalities_reached(meeting) == 40
    assert sorted(Meeting.objects.values_list("number", flat=True)) == [11, 15, 17, 21]

    page = client.get("/lernnetzwerk/17/").content.decode()
    assert "Grußwort der gastgebenden Stadt Köln" in page
    assert "Die Steuerungsstruktur der Präventionskette Ahlen" in page
    # The speakers in public office, named as the published report names them.
    for speaker in ("Ilona Heuchel", "Dr. Ralf Heinen", "Andreas Bothe", "Marina Bänke"):
        assert speaker in page
    assert ahlen_talk.presenter.startswith("Marina Bänke")
    assert "40 Programmkommunen erreicht" in page

    minutes = client.get("/lernnetzwerk/17/protokoll/").content.decode()
    assert "bis Ende 2018" in minutes and "40 Programmkommunen waren anwesend." in minutes
    # Participants are named to the coordination office only.
    assert "Noa Gast" not in minutes and "Alex Beispiel" not in minutes

    # The article about the meeting: published, without photos (none could be shipped).
    article = Article.objects.get(meeting=meeting)
    assert article.is_published and not article.photos.exists()
    news = client.get("/lernnetzwerk/aktuelles/").content.decode()
    assert "40 Programmkommunen beim 17. Lernnetzwerktreffen in Köln" in news
    text = client.get(article.get_absolute_url()).content.decode()
    assert "bis Ende 2018" in text and "Holger Mrosek" in text and "vier Arbeitsgruppen" in text
    for slug in ("koeln", "ahlen", "dinslaken"):
        assert f"/k/{slug}/lernnetzwerk/berichte/" in client.get(f"/k/{slug}/").content.decode()

    examples = client.get("/lernnetzwerk/praxisbeispiele/").content.decode()
    assert "Steuerung der Präventionskette in Ahlen" in examples

    before = _history_rows()
    call_command("demo")
    assert _history_rows() == before, "a second run must not record changes"
    assert "Lernnetzwerktreffen" in capsys.readouterr().out
