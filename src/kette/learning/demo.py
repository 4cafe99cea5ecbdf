"""Demo data of the learning network: the 17th network meeting on 13 September 2017 in
Köln and the meetings around it (numbers, dates and places as published).

The people who spoke in their public office appear by name and role as the
published report about the meeting names them (welcome, greeting, video message,
practice reports, Ahlen's short talk); every other participant and short-talk
presenter is fictional, with addresses under
demo.kette.invalid. Idempotent: meetings, agenda items and working groups are
matched by number and order, talks by title, registrations by e-mail address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from kette.core.demo import programme
from kette.core.models import Municipality, Programme
from kette.learning import services
from kette.learning.models import (
    AgendaItem,
    AgendaItemKind,
    Article,
    ArticleStatus,
    Attendance,
    Contribution,
    ContributionStatus,
    Meeting,
    PracticeExample,
    PracticeExampleStatus,
    Visibility,
    WorkingGroup,
)

OFFICE = "Landeskoordinierungsstelle Kommunale Präventionsketten NRW"


@dataclass(frozen=True)
class DemoMeeting:
    number: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    venue: str
    host: str  # official key


MEETINGS = [
    DemoMeeting(
        11,
        "Lernnetzwerktreffen in Unna",
        dt.date(2015, 3, 3),
        dt.date(2015, 3, 3),
        "Unna",
        "05978",
    ),
    DemoMeeting(
        15,
        "Lernnetzwerktreffen in Gelsenkirchen",
        dt.date(2016, 11, 24),
        dt.date(2016, 11, 24),
        "Gelsenkirchen",
        "05513000",
    ),
    DemoMeeting(
        17,
        "Voneinander lernen – 40 Kommunen im Landesprogramm",
        dt.date(2017, 9, 13),
        dt.date(2017, 9, 13),
        "Köln",
        "05315000",
    ),
    DemoMeeting(
        21,
        "Lernnetzwerktreffen in Wuppertal",
        dt.date(2018, 11, 29),
        dt.date(2018, 11, 30),
        "Wuppertal",
        "05124000",
    ),
]

KOELN, AHLEN, DINSLAKEN = "05315000", "05570004", "05170008"

# (order, start, end, kind, title, speakers, speaker municipality)
AGENDA_17: list[tuple[int, str, str, str, str, str, str | None]] = [
    (
        1,
        "10:00",
        "10:15",
        AgendaItemKind.WELCOME,
        "Begrüßung durch die Landeskoordinierungsstelle",
        "Ilona Heuchel, Vorstand des Instituts für Soziale Arbeit e. V. "
        "(Landeskoordinierungsstelle)",
        None,
    ),
    (
        2,
        "10:15",
        "10:30",
        AgendaItemKind.GREETING,
        "Grußwort der gastgebenden Stadt Köln",
        "Dr. Ralf Heinen, Bürgermeister der Stadt Köln",
        KOELN,
    ),
    (
        3,
        "10:30",
        "10:40",
        AgendaItemKind.VIDEO_MESSAGE,
        "Videobotschaft aus dem Ministerium: Das Landesprogramm wird bis Ende 2018 fortgeführt",
        "Andreas Bothe, Staatssekretär im Ministerium für Kinder, Familie, Flüchtlinge "
        "und Integration NRW",
        None,
    ),
    (
        4,
        "10:40",
        "11:20",
        AgendaItemKind.PRACTICE_REPORT,
        "Praxisbericht Ahlen: Start als neu geförderte Kommune",
        "Marina Bänke, Koordinatorin der Präventionskette der Stadt Ahlen",
        AHLEN,
    ),
    (
        5,
        "11:20",
        "12:00",
        AgendaItemKind.PRACTICE_REPORT,
        "Praxisbericht Dinslaken: Start als neu geförderte Kommune",
        "Holger Mrosek, Stadt Dinslaken",
        DINSLAKEN,
    ),
    (6, "12:00", "13:00", AgendaItemKind.BREAK, "Mittagspause", "", None),
    (
        7,
        "13:00",
        "15:00",
        AgendaItemKind.WORKING_GROUPS,
        "Arbeitsgruppen zum interkommunalen Austausch",
        "",
        None,
    ),
    (
        8,
        "15:00",
        "15:30",
        AgendaItemKind.CLOSING,
        "Ergebnisse der Arbeitsgruppen und Ausblick",
        OFFICE,
        None,
    ),
]

# (order, title, topic, room, [(municipality key, presenter, talk title, abstract)])
WORKING_GROUPS_17: list[tuple[int, str, str, str, list[tuple[str, str, str, str]]]] = [
    (
        1,
        "AG 1: Steuerungsstrukturen aufbauen",
        "Wie neu geförderte Kommunen eine Steuerungsgruppe und eine Koordinierungsstelle "
        "einrichten und die Verwaltungsspitze einbinden.",
        "Raum 1",
        [
            (
                AHLEN,
                "Marina Bänke, Koordinatorin der Präventionskette der Stadt Ahlen",
                "Die Steuerungsstruktur der Präventionskette Ahlen",
                "Lenkungskreis, Koordinierungsstelle und Arbeitsgruppen entlang der "
                "Lebensphasen: wie Ahlen die Präventionskette steuert.",
            ),
            (
                "05711000",
                "Jana Beispiel (fiktiv)",
                "Fünf Jahre Steuerungsgruppe: was sich bewährt hat",
                "Erfahrungen einer Modellkommune der ersten Förderkohorte.",
            ),
        ],
    ),
    (
        2,
        "AG 2: Übergang Kita – Grundschule",
        "Übergänge zwischen Institutionen so gestalten, dass kein Kind verloren geht.",
        "Raum 2",
        [
            (
                "05913000",
                "Tom Muster (fiktiv)",
                "Übergangskonferenzen im Sozialraum",
                "Kitas und Grundschulen eines Stadtteils planen den Übergang gemeinsam.",
            ),
        ],
    ),
    (
        3,
        "AG 3: Familien beteiligen",
        "Eltern und Kinder an der Planung von Angeboten beteiligen.",
        "Raum 3",
        [
            (
                "05766",
                "Lea Probe (fiktiv)",
                "Elternbefragung im ländlichen Raum",
                "Wie ein Kreis mit seinen Städten und Gemeinden Familien befragt hat.",
            ),
        ],
    ),
    (
        4,
        "AG 4: Sozialräumliches Monitoring nutzen",
        "Kennzahlen auf Ebene der Sozialräume für die Planung nutzen.",
        "Raum 4",
        [
            (
                "05513000",
                "Ben Exempel (fiktiv)",
                "Vom Monitoring zur Maßnahme",
                "Wie Kennzahlen aus den Stadtteilen in die Jugendhilfeplanung eingehen.",
            ),
        ],
    ),
]

FIRST_NAMES = ["Alex", "Kim", "Robin", "Sascha", "Charlie", "Jona", "Luca", "Mika"]
LAST_NAMES = ["Beispiel", "Muster", "Probe", "Exempel", "Testmann", "Vorlage"]


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _upsert_meeting(prog: Programme, demo: DemoMeeting, host: Municipality) -> Meeting:
    fields: dict[str, Any] = {
        "title": demo.title,
        "starts_on": demo.starts_on,
        "ends_on": demo.ends_on,
        "venue": demo.venue,
        "host_municipality": host,
        "visibility": Visibility.PUBLIC,
        "registration_open": False,
        "call_for_talks_open": False,
    }
    meeting = Meeting.objects.filter(programme=prog, number=demo.number).first()
    if meeting is None:
        return services.meeting_create(actor=None, programme=prog, number=demo.number, **fields)
    if any(getattr(meeting, key) != value for key, value in fields.items()):
        services.meeting_update(actor=None, meeting=meeting, **fields)
    return meeting


def _agenda(meeting: Meeting, by_key: dict[str, Municipality]) -> None:
    for order, start, end, kind, title, speakers, key in AGENDA_17:
        fields: dict[str, Any] = {
            "day": meeting.starts_on,
            "start_time": _time(start),
            "end_time": _time(end),
            "kind": kind,
            "title": title,
            "speakers": speakers,
            "speaker_municipality": by_key[key] if key else None,
        }
        item = AgendaItem.objects.filter(meeting=meeting, order=order).first()
        if item is None:
            services.agenda_item_create(actor=None, meeting=meeting, order=order, **fields)
        elif any(getattr(item, k) != v for k, v in fields.items()):
            services.agenda_item_update(actor=None, item=item, **fields)


def _working_groups(meeting: Meeting, by_key: dict[str, Municipality]) -> list[WorkingGroup]:
    groups = []
    missing: list[tuple[WorkingGroup, tuple[str, str, str, str]]] = []
    for order, title, topic, room, talks in WORKING_GROUPS_17:
        fields = {"title": title, "topic": topic, "room": room, "moderators": OFFICE}
        group = WorkingGroup.objects.filter(meeting=meeting, order=order).first()
        if group is None:
            group = services.working_group_create(
                actor=None, meeting=meeting, order=order, **fields
            )
        elif any(getattr(group, k) != v for k, v in fields.items()):
            services.working_group_update(actor=None, group=group, **fields)
        groups.append(group)
        missing += [
            (group, talk)
            for talk in talks
            if not Contribution.objects.filter(working_group=group, title=talk[2]).exists()
        ]
    # The meeting is over: its talks are recorded as the documentation tells them.
    for group, (key, presenter, talk_title, abstract) in missing:
        group.meeting = meeting
        services.contribution_record(
            actor=None,
            municipality=by_key[key],
            working_group=group,
            presenter=presenter,
            title=talk_title,
            abstract=abstract,
        )
    return groups


def _registrations(
    meeting: Meeting, municipalities: list[Municipality], groups: list[WorkingGroup]
) -> int:
    """One fictional participant from each of the 40 municipalities (all attended, as
    the report says), a second person from Köln who was excused and a guest."""
    count = 0
    for index, municipality in enumerate(municipalities):
        name = (
            f"{FIRST_NAMES[index % len(FIRST_NAMES)]} "
            f"{LAST_NAMES[index % len(LAST_NAMES)]} (fiktiv)"
        )
        services.registration_record(
            actor=None,
            meeting=meeting,
            person_name=name,
            email=f"teilnahme-17-{municipality.slug}@demo.kette.invalid",
            municipality=municipality,
            working_group=groups[index % len(groups)],
            attendance=Attendance.ATTENDED,
        )
        count += 1
    koeln = next(m for m in municipalities if m.official_key == KOELN)
    services.registration_record(
        actor=None,
        meeting=meeting,
        person_name="Sam Vorlage (fiktiv)",
        email="teilnahme-17-koeln-2@demo.kette.invalid",
        municipality=koeln,
        attendance=Attendance.EXCUSED,
    )
    services.registration_record(
        actor=None,
        meeting=meeting,
        person_name="Noa Gast (fiktiv)",
        email="gast-17@demo.kette.invalid",
        organisation="Landesjugendamt (Gast)",
        attendance=Attendance.WALK_IN,
    )
    return count + 2


MINUTES_17 = {
    1: "Die Landeskoordinierungsstelle begrüßte Vertreterinnen und Vertreter aus 40 "
    "Programmkommunen, darunter erstmals die 22 im Jahr 2017 neu aufgenommenen Kommunen.",
    3: "Die Videobotschaft bestätigte, dass das Land das Programm bis Ende 2018 fortführt.",
    7: "Vier Arbeitsgruppen tauschten sich zu Steuerung, Übergängen, Beteiligung und "
    "Monitoring aus; die Kurzreferate sind unten aufgeführt.",
}


def _minutes(meeting: Meeting) -> None:
    items = {item.order: item.pk for item in meeting.agenda_items.all()}
    services.minutes_save(
        actor=None,
        meeting=meeting,
        introduction=(
            "Das 17. Lernnetzwerktreffen fand am 13. September 2017 in Köln statt. "
            "Im Mittelpunkt stand der Austausch zwischen den Kommunen der ersten "
            "Förderkohorte und den neu geförderten Kommunen."
        ),
        texts={items[order]: text for order, text in MINUTES_17.items()},
        published=True,
    )


def _practice_example(ahlen: Municipality) -> None:
    title = "Steuerung der Präventionskette in Ahlen"
    if PracticeExample.objects.for_municipality(ahlen).filter(title=title).exists():
        return
    talks = list(
        Contribution.objects.for_municipality(ahlen).filter(
            title="Die Steuerungsstruktur der Präventionskette Ahlen"
        )
    )
    services.practice_example_create(
        actor=None,
        municipality=ahlen,
        title=title,
        summary=(
            "Ein Lenkungskreis der beteiligten Fachbereiche, eine Koordinierungsstelle im "
            "Jugendamt und Arbeitsgruppen entlang der Lebensphasen: so steuert eine 2017 "
            "neu geförderte Kommune ihre Präventionskette (Demo-Text)."
        ),
        life_phases=["0-3", "3-6", "6-10"],
        fields_of_action="Steuerung, Vernetzung",
        contact_role="Koordination der Präventionskette",
        visibility=Visibility.PUBLIC,
        status=PracticeExampleStatus.PUBLISHED,
        contributions=talks,
    )


# The article about meeting no. 17, written from what the published report about it
# tells (the speakers by name and office, as the report names them; no quotes). There
# is no photo of the meeting that kette could ship, so the article has none.
ARTICLE_17_TITLE = "Voneinander lernen: 40 Programmkommunen beim 17. Lernnetzwerktreffen in Köln"
ARTICLE_17_TEASER = (
    "Am 13. September 2017 kamen 40 Programmkommunen in Köln zusammen. Ahlen und "
    "Dinslaken, zwei der neu geförderten Kommunen, berichteten aus der Praxis; das "
    "Ministerium bestätigte die Fortführung des Programms bis Ende 2018."
)
ARTICLE_17_BODY = """\
Das 17. Lernnetzwerktreffen des Landesprogramms fand am 13. September 2017 in Köln \
statt. 40 Programmkommunen waren vertreten.

Ilona Heuchel, Vorstand des Instituts für Soziale Arbeit e. V., das die \
Landeskoordinierungsstelle trägt, begrüßte die Teilnehmenden. Für die gastgebende \
Stadt Köln sprach Bürgermeister Dr. Ralf Heinen ein Grußwort.

In einer Videobotschaft bestätigte Staatssekretär Andreas Bothe \
(Ministerium für Kinder, Familie, Flüchtlinge und Integration NRW), dass das \
Programm bis Ende 2018 fortgeführt wird.

Aus der Praxis berichteten Ahlen und Dinslaken, zwei der neu geförderten Kommunen. \
Für Ahlen sprach Marina Bänke, Koordinatorin der Präventionskette, für Dinslaken \
Holger Mrosek.

Am Nachmittag tauschten sich die Kommunen in vier Arbeitsgruppen aus. Kurzreferate \
aus den Kommunen gaben dafür Anstöße – eines davon hielt Marina Bänke \
über die Steuerungsstruktur der Präventionskette in Ahlen.

(Demo-Artikel, geschrieben nach dem veröffentlichten Bericht über das Treffen.)"""


def _article(meeting: Meeting) -> None:
    fields = {
        "title": ARTICLE_17_TITLE,
        "teaser": ARTICLE_17_TEASER,
        "body": ARTICLE_17_BODY,
        "status": ArticleStatus.PUBLISHED,
    }
    article = Article.objects.filter(meeting=meeting, title=ARTICLE_17_TITLE).first()
    if article is None:
        services.article_create(actor=None, meeting=meeting, **fields)
    elif any(getattr(article, key) != value for key, value in fields.items()):
        services.article_update(actor=None, article=article, **fields)


@transaction.atomic
def load_learning_demo(report: Callable[[str], None]) -> None:
    prog = programme()
    municipalities = list(
        Municipality.objects.filter(programme=prog).defer("boundary").order_by("name")
    )
    by_key = {m.official_key: m for m in municipalities}
    meetings = {demo.number: _upsert_meeting(prog, demo, by_key[demo.host]) for demo in MEETINGS}
    meeting = meetings[17]
    _agenda(meeting, by_key)
    groups = _working_groups(meeting, by_key)
    registrations = _registrations(meeting, municipalities, groups)
    _minutes(meeting)
    _article(meeting)
    _practice_example(by_key[AHLEN])
    accepted = Contribution.objects.filter(
        working_group__meeting=meeting, status=ContributionStatus.ACCEPTED
    ).count()
    report(
        f"{len(meetings)} Lernnetzwerktreffen; Nr. 17: {meeting.agenda_items.count()} "
        f"Tagesordnungspunkte, {len(groups)} Arbeitsgruppen, {accepted} Kurzreferate, "
        f"{registrations} Anmeldungen"
    )
