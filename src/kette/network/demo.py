"""Demo step: a plausible steering structure and cooperation network for Köln.

Sample data, clearly marked: the people's names are fictional, functions are
generic titles, contact details use the reserved example.org domain and
phone numbers. Organisations the directory demo already created are reused
by name; missing ones are created through the directory's services.
Idempotent: everything is found by its natural key before it is created.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from kette.core.models import Municipality
from kette.directory import services as directory_services
from kette.directory.models import LifePhase, Organization, TaxonomyTerm
from kette.network import selectors, services
from kette.network.models import (
    Body,
    BodyKind,
    BodyMembership,
    Cooperation,
    CooperationKind,
    Level,
    MembershipRole,
    Person,
)

KOELN = "05315000"
SAMPLE = "Beispieldaten (fiktiv) für die Demo von kette."
START = dt.date(2024, 1, 1)

# (name, sector code)
ORGANIZATIONS = [
    ("Stadt Köln – Dezernat Bildung, Jugend und Sport", "verwaltung"),
    ("Stadt Köln – Amt für Kinder, Jugend und Familie", "jugendhilfe"),
    ("Stadt Köln – Gesundheitsamt", "gesundheit"),
    ("Stadt Köln – Amt für Schulentwicklung", "bildung"),
    ("Stadt Köln – Amt für Soziales, Arbeit und Senioren", "soziales"),
    ("Stadt Köln – Amt für Integration und Vielfalt", "integration"),
    ("Arbeitsgemeinschaft der Wohlfahrtsverbände (Beispiel)", "wohlfahrt"),
    ("Jobcenter (Beispiel)", "arbeit"),
    ("Familienzentrum Sonnenblume (Beispiel)", "kita"),
    ("Kita-Verbund Rheinufer (Beispiel)", "kita"),
    ("Hebammennetzwerk (Beispiel)", "gesundheit"),
    ("Kinderklinik am Stadtpark (Beispiel)", "gesundheit"),
    ("Kinder- und Jugendärztliche Praxis (Beispiel)", "gesundheit"),
    ("Erziehungsberatungsstelle Nord (Beispiel)", "jugendhilfe"),
    ("Schwangerschaftsberatung (Beispiel)", "wohlfahrt"),
    ("Grundschule am Park (Beispiel)", "bildung"),
    ("Gesamtschule Ost (Beispiel)", "bildung"),
    ("Offene Ganztagsschule – Träger (Beispiel)", "wohlfahrt"),
    ("Jugendzentrum Kalk (Beispiel)", "jugendhilfe"),
    ("Integrationsagentur (Beispiel)", "integration"),
    ("Sportverein Rheinkinder e. V. (Beispiel)", "sport-kultur"),
    ("Stadtbibliothek – Kinderbibliothek (Beispiel)", "sport-kultur"),
    ("Polizei – Kriminalprävention (Beispiel)", "polizei-justiz"),
    ("Hochschule – Institut für Sozialforschung (Beispiel)", "wissenschaft"),
    ("Quartiersmanagement Mülheim (Beispiel)", "stadtentwicklung"),
]
DEZERNAT, JUGENDAMT, GESUNDHEITSAMT, SCHULAMT, SOZIALAMT, INTEGRATION = (
    o[0] for o in ORGANIZATIONS[:6]
)
WOHLFAHRT, JOBCENTER = ORGANIZATIONS[6][0], ORGANIZATIONS[7][0]

# (fictional name, function, organisation, level)
PEOPLE = [
    ("Dr. Max Mustermann", "Beigeordnete:r für Bildung, Jugend und Sport", DEZERNAT, "leadership"),
    ("Erika Beispiel", "Amtsleitung Jugendamt", JUGENDAMT, "leadership"),
    ("Dr. Paul Platzhalter", "Amtsleitung Gesundheitsamt", GESUNDHEITSAMT, "leadership"),
    ("Clara Fiktiv", "Amtsleitung Schulentwicklung", SCHULAMT, "leadership"),
    ("Jonas Demo", "Abteilungsleitung Soziales", SOZIALAMT, "department"),
    ("Lea Exempel", "Amtsleitung Integration", INTEGRATION, "leadership"),
    ("Ben Beispielmann", "Sprecher:in der Wohlfahrtsverbände", WOHLFAHRT, "leadership"),
    ("Sofia Probe", "Bereichsleitung Markt und Integration", JOBCENTER, "department"),
    ("Nora Modell", "Koordination Präventionskette", JUGENDAMT, "operational"),
    ("Tim Testweg", "Sozialplanung", JUGENDAMT, "operational"),
    ("Hannah Vorlage", "Koordination Frühe Hilfen", JUGENDAMT, "operational"),
    ("Elif Musterer", "Kinder- und Jugendgesundheitsdienst", GESUNDHEITSAMT, "department"),
]

# (name, kind, parent, rhythm, mandate, life phase codes)
BODIES = [
    (
        "Lenkungskreis Präventionskette",
        BodyKind.STEERING_GROUP,
        None,
        "vierteljährlich",
        "Beschließt Ziele und Maßnahmen der Präventionskette und steuert ämterübergreifend.",
        [],
    ),
    (
        "Koordinierungsstelle Präventionskette",
        BodyKind.COORDINATION_OFFICE,
        "Lenkungskreis Präventionskette",
        "wöchentlich",
        "Bereitet den Lenkungskreis vor, begleitet die Arbeitsgruppen, pflegt das Monitoring.",
        [],
    ),
    (
        "AG Schwangerschaft und frühe Kindheit",
        BodyKind.WORKING_GROUP,
        "Koordinierungsstelle Präventionskette",
        "alle zwei Monate",
        "Übergänge von der Geburt in die Kindertagesbetreuung.",
        ["schwangerschaft-geburt", "fruehe-kindheit"],
    ),
    (
        "AG Kita-Alter",
        BodyKind.WORKING_GROUP,
        "Koordinierungsstelle Präventionskette",
        "alle zwei Monate",
        "Sprachförderung und der Übergang Kita – Grundschule.",
        ["kita"],
    ),
    (
        "AG Grundschulalter",
        BodyKind.WORKING_GROUP,
        "Koordinierungsstelle Präventionskette",
        "alle zwei Monate",
        "Offener Ganztag und der Übergang in die weiterführende Schule.",
        ["grundschule"],
    ),
    (
        "AG Übergang Schule – Beruf",
        BodyKind.WORKING_GROUP,
        "Koordinierungsstelle Präventionskette",
        "vierteljährlich",
        "Berufsorientierung und Anschlüsse nach der Schule.",
        ["weiterfuehrende-schule", "schule-beruf"],
    ),
    (
        "Netzwerk Frühe Hilfen",
        BodyKind.NETWORK,
        "Koordinierungsstelle Präventionskette",
        "halbjährlich",
        "Netzwerk nach dem Bundeskinderschutzgesetz für Familien mit Kindern bis drei Jahre.",
        ["schwangerschaft-geburt", "fruehe-kindheit"],
    ),
]

# body → [(person name or None, organisation or None, role, level or None)]
MEMBERS: dict[str, list[tuple[str | None, str | None, str, str | None]]] = {
    "Lenkungskreis Präventionskette": [
        ("Dr. Max Mustermann", None, MembershipRole.CHAIR, None),
        ("Erika Beispiel", None, MembershipRole.DEPUTY, None),
        ("Dr. Paul Platzhalter", None, MembershipRole.MEMBER, None),
        ("Clara Fiktiv", None, MembershipRole.MEMBER, None),
        ("Jonas Demo", None, MembershipRole.MEMBER, None),
        ("Lea Exempel", None, MembershipRole.MEMBER, None),
        ("Ben Beispielmann", None, MembershipRole.MEMBER, None),
        ("Nora Modell", None, MembershipRole.SECRETARIAT, None),
    ],
    "Koordinierungsstelle Präventionskette": [
        ("Nora Modell", None, MembershipRole.CHAIR, None),
        ("Tim Testweg", None, MembershipRole.MEMBER, None),
    ],
    "AG Schwangerschaft und frühe Kindheit": [
        ("Hannah Vorlage", None, MembershipRole.CHAIR, None),
        ("Elif Musterer", None, MembershipRole.MEMBER, None),
        (None, "Hebammennetzwerk (Beispiel)", MembershipRole.MEMBER, Level.OPERATIONAL),
        (None, "Familienzentrum Sonnenblume (Beispiel)", MembershipRole.MEMBER, Level.OPERATIONAL),
        (None, "Schwangerschaftsberatung (Beispiel)", MembershipRole.MEMBER, Level.OPERATIONAL),
    ],
    "AG Kita-Alter": [
        (None, "Kita-Verbund Rheinufer (Beispiel)", MembershipRole.CHAIR, Level.DEPARTMENT),
        (None, "Familienzentrum Sonnenblume (Beispiel)", MembershipRole.MEMBER, Level.OPERATIONAL),
        (None, "Grundschule am Park (Beispiel)", MembershipRole.MEMBER, Level.OPERATIONAL),
        ("Elif Musterer", None, MembershipRole.MEMBER, None),
        (None, "Stadtbibliothek – Kinderbibliothek (Beispiel)", MembershipRole.MEMBER, None),
    ],
    "AG Grundschulalter": [
        (None, "Grundschule am Park (Beispiel)", MembershipRole.CHAIR, Level.DEPARTMENT),
        (None, "Offene Ganztagsschule – Träger (Beispiel)", MembershipRole.MEMBER, None),
        (None, "Erziehungsberatungsstelle Nord (Beispiel)", MembershipRole.MEMBER, None),
        (None, "Sportverein Rheinkinder e. V. (Beispiel)", MembershipRole.MEMBER, None),
    ],
    "AG Übergang Schule – Beruf": [
        ("Sofia Probe", None, MembershipRole.CHAIR, None),
        (None, "Gesamtschule Ost (Beispiel)", MembershipRole.MEMBER, Level.DEPARTMENT),
        (None, "Jugendzentrum Kalk (Beispiel)", MembershipRole.MEMBER, Level.OPERATIONAL),
        (None, "Integrationsagentur (Beispiel)", MembershipRole.MEMBER, Level.OPERATIONAL),
    ],
    "Netzwerk Frühe Hilfen": [
        ("Hannah Vorlage", None, MembershipRole.CHAIR, None),
        (None, GESUNDHEITSAMT, MembershipRole.MEMBER, Level.DEPARTMENT),
        (None, "Hebammennetzwerk (Beispiel)", MembershipRole.MEMBER, Level.OPERATIONAL),
        (None, "Kinderklinik am Stadtpark (Beispiel)", MembershipRole.MEMBER, Level.DEPARTMENT),
        (None, "Kinder- und Jugendärztliche Praxis (Beispiel)", MembershipRole.MEMBER, None),
        (None, "Schwangerschaftsberatung (Beispiel)", MembershipRole.MEMBER, None),
        (None, "Erziehungsberatungsstelle Nord (Beispiel)", MembershipRole.MEMBER, None),
        (None, "Polizei – Kriminalprävention (Beispiel)", MembershipRole.MEMBER, None),
    ],
}

AGR, REF, JOINT, INF = (
    CooperationKind.AGREEMENT,
    CooperationKind.REFERRAL,
    CooperationKind.JOINT_OFFER,
    CooperationKind.INFORMAL,
)
# (organisation, organisation, kind, strength)
TIES = [
    (JUGENDAMT, GESUNDHEITSAMT, AGR, 3),
    (JUGENDAMT, SCHULAMT, AGR, 2),
    (JUGENDAMT, SOZIALAMT, INF, 2),
    (JUGENDAMT, INTEGRATION, INF, 2),
    (JUGENDAMT, WOHLFAHRT, AGR, 3),
    (JUGENDAMT, DEZERNAT, INF, 3),
    (DEZERNAT, SCHULAMT, INF, 3),
    (SOZIALAMT, JOBCENTER, AGR, 3),
    (INTEGRATION, "Integrationsagentur (Beispiel)", JOINT, 2),
    (GESUNDHEITSAMT, "Hebammennetzwerk (Beispiel)", REF, 3),
    (GESUNDHEITSAMT, "Kinderklinik am Stadtpark (Beispiel)", REF, 2),
    (GESUNDHEITSAMT, "Kinder- und Jugendärztliche Praxis (Beispiel)", INF, 1),
    ("Kinderklinik am Stadtpark (Beispiel)", "Hebammennetzwerk (Beispiel)", REF, 2),
    ("Hebammennetzwerk (Beispiel)", "Schwangerschaftsberatung (Beispiel)", INF, 2),
    ("Schwangerschaftsberatung (Beispiel)", JUGENDAMT, REF, 2),
    ("Familienzentrum Sonnenblume (Beispiel)", "Hebammennetzwerk (Beispiel)", JOINT, 2),
    ("Familienzentrum Sonnenblume (Beispiel)", JUGENDAMT, AGR, 2),
    ("Familienzentrum Sonnenblume (Beispiel)", "Kita-Verbund Rheinufer (Beispiel)", INF, 2),
    ("Kita-Verbund Rheinufer (Beispiel)", "Grundschule am Park (Beispiel)", AGR, 2),
    (
        "Kita-Verbund Rheinufer (Beispiel)",
        "Stadtbibliothek – Kinderbibliothek (Beispiel)",
        JOINT,
        1,
    ),
    ("Grundschule am Park (Beispiel)", "Offene Ganztagsschule – Träger (Beispiel)", AGR, 3),
    ("Grundschule am Park (Beispiel)", "Erziehungsberatungsstelle Nord (Beispiel)", REF, 2),
    (
        "Offene Ganztagsschule – Träger (Beispiel)",
        "Sportverein Rheinkinder e. V. (Beispiel)",
        JOINT,
        2,
    ),
    ("Grundschule am Park (Beispiel)", "Gesamtschule Ost (Beispiel)", INF, 1),
    ("Gesamtschule Ost (Beispiel)", JOBCENTER, AGR, 2),
    ("Gesamtschule Ost (Beispiel)", "Jugendzentrum Kalk (Beispiel)", JOINT, 2),
    ("Jugendzentrum Kalk (Beispiel)", "Integrationsagentur (Beispiel)", INF, 2),
    ("Jugendzentrum Kalk (Beispiel)", "Polizei – Kriminalprävention (Beispiel)", INF, 1),
    ("Erziehungsberatungsstelle Nord (Beispiel)", JUGENDAMT, AGR, 2),
    ("Quartiersmanagement Mülheim (Beispiel)", "Jugendzentrum Kalk (Beispiel)", INF, 1),
    ("Hochschule – Institut für Sozialforschung (Beispiel)", DEZERNAT, AGR, 1),
]


# Sample offers (drafts, never public) so that Fachlichkeit has something to measure:
# (organisation, name, from months, to months, field-of-action codes)
OFFERS = [
    ("Hebammennetzwerk (Beispiel)", "Hebammensprechstunde (Beispiel)", -9, 12, ["gesundheit"]),
    (JUGENDAMT, "Willkommensbesuch für Neugeborene (Beispiel)", 0, 12, ["fruehe-hilfen"]),
    (GESUNDHEITSAMT, "Familienhebammen (Beispiel)", -3, 12, ["fruehe-hilfen", "gesundheit"]),
    (
        "Familienzentrum Sonnenblume (Beispiel)",
        "Eltern-Kind-Gruppe (Beispiel)",
        0,
        72,
        ["erziehung-familie"],
    ),
    (
        "Kita-Verbund Rheinufer (Beispiel)",
        "Sprachförderung im Kita-Alltag (Beispiel)",
        36,
        72,
        ["sprache", "bildung"],
    ),
    ("Grundschule am Park (Beispiel)", "Lernpatenschaften (Beispiel)", 72, 120, ["bildung"]),
    (
        "Erziehungsberatungsstelle Nord (Beispiel)",
        "Erziehungsberatung (Beispiel)",
        0,
        324,
        ["beratung", "erziehung-familie"],
    ),
    (
        "Sportverein Rheinkinder e. V. (Beispiel)",
        "Bewegte Kindheit (Beispiel)",
        36,
        120,
        ["bewegung"],
    ),
    (JOBCENTER, "Berufsorientierung U25 (Beispiel)", 180, 300, ["uebergang-beruf"]),
    ("Jugendzentrum Kalk (Beispiel)", "Offener Treff (Beispiel)", 120, 324, ["freizeit"]),
]


def _organization(municipality: Municipality, name: str) -> Organization:
    existing = selectors.organization_by_name(municipality, name)
    if existing is not None:
        return existing
    return directory_services.organization_create(
        actor=None, municipality=municipality, name=name, description=SAMPLE
    )


@transaction.atomic
def load_koeln(municipality: Municipality) -> dict[str, int]:
    sectors = {s.code: s for s in services.sectors_ensure_defaults(municipality)}
    orgs: dict[str, Organization] = {}
    for name, sector_code in ORGANIZATIONS:
        org = _organization(municipality, name)
        profile = getattr(org, "network_profile", None)
        if profile is None or profile.sector_id != sectors[sector_code].pk:
            services.organization_set_sector(
                actor=None, organization=org, sector=sectors[sector_code]
            )
        orgs[name] = org

    if not LifePhase.objects.for_municipality(municipality).exists():
        directory_services.life_phases_ensure_defaults(municipality)
    for org_name, offer, min_months, max_months, codes in OFFERS:
        if not orgs[org_name].services.filter(name=offer).exists():
            directory_services.service_create(
                actor=None,
                organization=orgs[org_name],
                name=offer,
                description=SAMPLE,
                min_age_months=min_months,
                max_age_months=max_months,
                terms=TaxonomyTerm.objects.filter(
                    municipality=None, taxonomy__slug="handlungsfelder", code__in=codes
                ),
            )

    people: dict[str, Person] = {}
    for number, (name, function, org_name, level) in enumerate(PEOPLE, start=1):
        person = Person.objects.for_municipality(municipality).filter(name=name).first()
        if person is None:
            person = services.person_create(
                actor=None,
                municipality=municipality,
                name=name,
                function=function,
                organization=orgs[org_name],
                level=level,
                email=f"person{number}@example.org",
                phone=f"0221 555 01{number:02d}",
                legal_basis_note=SAMPLE,
            )
        people[name] = person

    phases = {p.code: p for p in LifePhase.objects.for_municipality(municipality)}
    bodies: dict[str, Body] = {}
    for name, kind, parent, rhythm, mandate, phase_codes in BODIES:
        body = Body.objects.for_municipality(municipality).filter(name=name).first()
        if body is None:
            body = services.body_create(
                actor=None,
                municipality=municipality,
                name=name,
                kind=kind,
                parent=bodies[parent] if parent else None,
                meeting_rhythm=rhythm,
                mandate=mandate,
                position=len(bodies),
                life_phases=[phases[c] for c in phase_codes if c in phases],
                fields_of_action=(
                    TaxonomyTerm.objects.filter(code="fruehe-hilfen", municipality=None)
                    if kind == BodyKind.NETWORK
                    else []
                ),
            )
        bodies[name] = body

    for body_name, members in MEMBERS.items():
        body = bodies[body_name]
        for person_name, org_name, role, level in members:
            person = people[person_name] if person_name else None
            org = orgs[org_name] if org_name else None
            if not BodyMembership.objects.filter(
                body=body, person=person, organization=org
            ).exists():
                services.body_membership_add(
                    actor=None,
                    body=body,
                    person=person,
                    organization=org,
                    role=role,
                    level=level,
                    valid_from=START,
                )

    for name_a, name_b, kind, strength in TIES:
        a, b = orgs[name_a], orgs[name_b]
        exists = (
            Cooperation.objects.for_municipality(municipality)
            .filter(kind=kind, organization_a__in=[a, b], organization_b__in=[a, b])
            .exists()
        )
        if not exists:
            services.cooperation_create(
                actor=None,
                organization_a=a,
                organization_b=b,
                kind=kind,
                strength=strength,
                valid_from=START,
                note=SAMPLE,
            )
    return {
        "organizations": len(orgs),
        "people": len(people),
        "bodies": len(bodies),
        "ties": Cooperation.objects.for_municipality(municipality).count(),
    }


def load_network_demo(report: Callable[[str], None]) -> None:
    municipality = Municipality.objects.filter(official_key=KOELN).first()
    if municipality is None:
        report("Netzwerk: Köln fehlt, übersprungen")
        return
    counts = load_koeln(municipality)
    report(
        f"Netzwerk Köln: {counts['bodies']} Gremien, {counts['people']} Personen (fiktiv), "
        f"{counts['organizations']} Organisationen, {counts['ties']} Kooperationen"
    )
