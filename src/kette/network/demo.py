"""Demo step: plausible steering structures and cooperation networks for Köln,
Ahlen and Dinslaken.

Sample data, clearly marked: the people's names are fictional, functions are
generic titles, contact details use the reserved example.org domain and
phone numbers. Institutions are real *types* (a town's youth office, the
district's health office); single facilities carry "(Beispiel)".

Ahlen follows the structure the town has published for its prevention chain:
a steering group (Steuerungsgruppe) and four working groups by age –
"Frühe Hilfen – Schwangerschaft bis Kleinkindalter", "Kita- und
Grundschulalter", "Späte Kindheit – weiterführende Schulen" and "Übergang
Schule-Beruf"; their members here are invented. Dinslaken gets a smaller
structure (a steering group with two working groups).

Organisations the directory demo already created are reused by name; missing
ones are created through the directory's services. Idempotent: everything is
found by its natural key before it is created, so a rerun writes nothing and
records no history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class DemoNetwork:
    """One municipality's sample structure (see the module doc)."""

    official_key: str
    name: str
    organizations: list[tuple[str, str]]  # (name, sector code)
    people: list[tuple[str, str, str, str]]  # (fictional name, function, organisation, level)
    bodies: list[tuple[str, str, str | None, str, str, list[str]]]
    members: dict[str, list[tuple[str | None, str | None, str, str | None]]]
    ties: list[tuple[str, str, str, int]]
    offers: list[tuple[str, str, int, int, list[str]]] = field(default_factory=list)
    email_prefix: str = ""
    phone_prefix: str = "0221 555 01"


def _organization(municipality: Municipality, name: str) -> Organization:
    existing = selectors.organization_by_name(municipality, name)
    if existing is not None:
        return existing
    return directory_services.organization_create(
        actor=None, municipality=municipality, name=name, description=SAMPLE
    )


def _organizations(municipality: Municipality, spec: DemoNetwork) -> dict[str, Organization]:
    sectors = {s.code: s for s in services.sectors_ensure_defaults(municipality)}
    orgs: dict[str, Organization] = {}
    for name, sector_code in spec.organizations:
        org = _organization(municipality, name)
        profile = getattr(org, "network_profile", None)
        if profile is None or profile.sector_id != sectors[sector_code].pk:
            services.organization_set_sector(
                actor=None, organization=org, sector=sectors[sector_code]
            )
        orgs[name] = org
    if not LifePhase.objects.for_municipality(municipality).exists():
        directory_services.life_phases_ensure_defaults(municipality)
    for org_name, offer, min_months, max_months, codes in spec.offers:
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
    return orgs


def _people(
    municipality: Municipality, spec: DemoNetwork, orgs: dict[str, Organization]
) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for number, (name, function, org_name, level) in enumerate(spec.people, start=1):
        person = Person.objects.for_municipality(municipality).filter(name=name).first()
        if person is None:
            person = services.person_create(
                actor=None,
                municipality=municipality,
                name=name,
                function=function,
                organization=orgs[org_name],
                level=level,
                email=f"{spec.email_prefix}person{number}@example.org",
                phone=f"{spec.phone_prefix}{number:02d}",
                legal_basis_note=SAMPLE,
            )
        people[name] = person
    return people


def _bodies(municipality: Municipality, spec: DemoNetwork) -> dict[str, Body]:
    phases = {p.code: p for p in LifePhase.objects.for_municipality(municipality)}
    bodies: dict[str, Body] = {}
    for name, kind, parent, rhythm, mandate, phase_codes in spec.bodies:
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
    return bodies


@transaction.atomic
def load_structure(municipality: Municipality, spec: DemoNetwork) -> dict[str, int]:
    """Create what is missing of `spec` in `municipality` (idempotent)."""
    orgs = _organizations(municipality, spec)
    people = _people(municipality, spec, orgs)
    bodies = _bodies(municipality, spec)
    for body_name, members in spec.members.items():
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

    for name_a, name_b, kind, strength in spec.ties:
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


KOELN_NETWORK = DemoNetwork(
    official_key=KOELN,
    name="Köln",
    organizations=ORGANIZATIONS,
    people=PEOPLE,
    bodies=BODIES,
    members=MEMBERS,
    ties=TIES,
    offers=OFFERS,
)


# Ahlen ------------------------------------------------------------------------

AHLEN = "05570004"
A_VERW = "Stadt Ahlen – Verwaltungsvorstand"
A_JA = "Stadt Ahlen – Jugendamt"
A_SCHUL = "Stadt Ahlen – Schulverwaltung"
A_SOZ = "Stadt Ahlen – Sozialamt"
A_KI = "Kreis Warendorf – Kommunales Integrationszentrum"
A_GA = "Kreis Warendorf – Gesundheitsamt"
A_JC = "Jobcenter Kreis Warendorf"
A_AA = "Agentur für Arbeit – Berufsberatung (Beispiel)"
# the directory demo's sample providers of Ahlen (their offers feed Fachlichkeit)
A_FAMBUERO = "Familienbüro Ahlen (Beispielträger)"
A_FZ = "Familienzentrum Ahlen (Beispielträger)"
A_STZ = "Stadtteilzentrum Ahlen (Beispielträger)"
A_JBH = "Jugendberufshilfe Ahlen (Beispielträger)"
HEB, KLINIK, ARZT, SCHWANGER = (
    "Hebammenpraxis (Beispiel)",
    "Geburtsklinik (Beispiel)",
    "Kinder- und Jugendarztpraxis (Beispiel)",
    "Schwangerschaftsberatung (Beispiel)",
)
KITA, GS, OGS, EB = (
    "Kita-Träger (Beispiel)",
    "Grundschule (Beispiel)",
    "Offene Ganztagsschule – Träger (Beispiel)",
    "Erziehungsberatungsstelle (Beispiel)",
)
GE, RS, SSA, JZ = (
    "Gesamtschule (Beispiel)",
    "Realschule (Beispiel)",
    "Schulsozialarbeit (Beispiel)",
    "Jugendzentrum (Beispiel)",
)
BK, SPORT, MIGRA = (
    "Berufskolleg (Beispiel)",
    "Sportverein (Beispiel)",
    "Migrationsberatung (Beispiel)",
)
A_STEERING = "Steuerungsgruppe"
A_WG_EARLY = "Frühe Hilfen – Schwangerschaft bis Kleinkindalter"
A_WG_KITA = "Kita- und Grundschulalter"
A_WG_LATE = "Späte Kindheit – weiterführende Schulen"
A_WG_JOB = "Übergang Schule-Beruf"
CHAIR, DEPUTY, MEMBER, SECRETARIAT = (
    MembershipRole.CHAIR,
    MembershipRole.DEPUTY,
    MembershipRole.MEMBER,
    MembershipRole.SECRETARIAT,
)
LEAD, DEPT, OPER = Level.LEADERSHIP, Level.DEPARTMENT, Level.OPERATIONAL

AHLEN_NETWORK = DemoNetwork(
    official_key=AHLEN,
    name="Ahlen",
    organizations=[
        (A_VERW, "verwaltung"),
        (A_JA, "jugendhilfe"),
        (A_SCHUL, "bildung"),
        (A_SOZ, "soziales"),
        (A_KI, "integration"),
        (A_GA, "gesundheit"),
        (A_JC, "arbeit"),
        (A_AA, "arbeit"),
        (A_FAMBUERO, "jugendhilfe"),
        (A_FZ, "kita"),
        (A_STZ, "wohlfahrt"),
        (A_JBH, "wohlfahrt"),
        (HEB, "gesundheit"),
        (KLINIK, "gesundheit"),
        (ARZT, "gesundheit"),
        (SCHWANGER, "wohlfahrt"),
        (KITA, "kita"),
        (GS, "bildung"),
        (OGS, "wohlfahrt"),
        (EB, "jugendhilfe"),
        (GE, "bildung"),
        (RS, "bildung"),
        (SSA, "jugendhilfe"),
        (JZ, "jugendhilfe"),
        (BK, "bildung"),
        (SPORT, "sport-kultur"),
        (MIGRA, "integration"),
    ],
    people=[
        ("Sabine Musterfrau", "Beigeordnete:r für Jugend, Schule und Soziales", A_VERW, LEAD),
        ("Thomas Beispielmann", "Leitung Jugendamt", A_JA, LEAD),
        ("Miriam Fiktiva", "Koordination Präventionskette", A_JA, OPER),
        ("Dr. Jan Platzhalter", "Kinder- und Jugendgesundheitsdienst", A_GA, DEPT),
        ("Aylin Demir-Demo", "Leitung Kommunales Integrationszentrum", A_KI, LEAD),
        ("Peter Probe", "Leitung Schulverwaltung", A_SCHUL, LEAD),
        ("Karin Vorlage", "Leitung Sozialamt", A_SOZ, LEAD),
        ("Markus Testmann", "Teamleitung U25", A_JC, DEPT),
        ("Julia Exempel", "Koordination Frühe Hilfen", A_JA, OPER),
        ("Stefan Muster", "Schulleitung", GE, LEAD),
        ("Fatma Beispiel", "Leitung Familienzentrum", A_FZ, DEPT),
    ],
    bodies=[
        (
            A_STEERING,
            BodyKind.STEERING_GROUP,
            None,
            "viermal im Jahr",
            "Steuert die Präventionskette ämter- und trägerübergreifend, beschließt Ziele "
            "und Schwerpunkte und nimmt die Ergebnisse der Arbeitsgruppen entgegen.",
            [],
        ),
        (
            A_WG_EARLY,
            BodyKind.WORKING_GROUP,
            A_STEERING,
            "alle zwei Monate",
            "Angebote rund um Schwangerschaft, Geburt und die ersten drei Lebensjahre "
            "verknüpfen; Übergang in die Kindertagesbetreuung.",
            ["schwangerschaft-geburt", "fruehe-kindheit"],
        ),
        (
            A_WG_KITA,
            BodyKind.WORKING_GROUP,
            A_STEERING,
            "alle zwei Monate",
            "Sprachbildung, Elternarbeit und der Übergang von der Kita in die Grundschule.",
            ["kita", "grundschule"],
        ),
        (
            A_WG_LATE,
            BodyKind.WORKING_GROUP,
            A_STEERING,
            "vierteljährlich",
            "Übergang in die weiterführende Schule, Schulsozialarbeit und Freizeit.",
            ["weiterfuehrende-schule"],
        ),
        (
            A_WG_JOB,
            BodyKind.WORKING_GROUP,
            A_STEERING,
            "vierteljährlich",
            "Berufsorientierung, Ausbildung und Anschlüsse nach der Schule.",
            ["schule-beruf"],
        ),
    ],
    members={
        A_STEERING: [
            ("Sabine Musterfrau", None, CHAIR, None),
            ("Thomas Beispielmann", None, DEPUTY, None),
            ("Dr. Jan Platzhalter", None, MEMBER, None),
            ("Aylin Demir-Demo", None, MEMBER, None),
            ("Peter Probe", None, MEMBER, None),
            ("Karin Vorlage", None, MEMBER, None),
            ("Markus Testmann", None, MEMBER, None),
            (None, A_STZ, MEMBER, LEAD),
            ("Miriam Fiktiva", None, SECRETARIAT, None),
        ],
        A_WG_EARLY: [
            ("Julia Exempel", None, CHAIR, None),
            ("Dr. Jan Platzhalter", None, MEMBER, None),
            (None, HEB, MEMBER, OPER),
            (None, KLINIK, MEMBER, DEPT),
            (None, ARZT, MEMBER, OPER),
            (None, SCHWANGER, MEMBER, OPER),
            (None, A_FAMBUERO, MEMBER, OPER),
            (None, A_FZ, MEMBER, OPER),
        ],
        A_WG_KITA: [
            ("Fatma Beispiel", None, CHAIR, None),
            (None, KITA, MEMBER, DEPT),
            (None, GS, MEMBER, OPER),
            (None, OGS, MEMBER, OPER),
            (None, EB, MEMBER, OPER),
            (None, SPORT, MEMBER, OPER),
        ],
        A_WG_LATE: [
            ("Stefan Muster", None, CHAIR, None),
            (None, RS, MEMBER, DEPT),
            (None, SSA, MEMBER, OPER),
            (None, JZ, MEMBER, OPER),
            (None, A_STZ, MEMBER, OPER),
            (None, MIGRA, MEMBER, OPER),
        ],
        A_WG_JOB: [
            ("Markus Testmann", None, CHAIR, None),
            (None, A_AA, MEMBER, DEPT),
            (None, BK, MEMBER, DEPT),
            (None, A_JBH, MEMBER, OPER),
            (None, GE, MEMBER, DEPT),
            (None, A_KI, MEMBER, OPER),
        ],
    },
    ties=[
        (A_JA, A_GA, AGR, 3),
        (A_JA, A_SCHUL, AGR, 2),
        (A_JA, A_SOZ, INF, 2),
        (A_JA, A_VERW, INF, 3),
        (A_VERW, A_SCHUL, INF, 3),
        (A_SOZ, A_JC, AGR, 3),
        (A_KI, MIGRA, JOINT, 2),
        (A_KI, A_JA, INF, 2),
        (A_GA, HEB, REF, 3),
        (A_GA, ARZT, INF, 1),
        (KLINIK, HEB, REF, 2),
        (KLINIK, A_FAMBUERO, REF, 3),
        (A_FAMBUERO, A_JA, AGR, 3),
        (SCHWANGER, A_FAMBUERO, REF, 2),
        (A_FZ, HEB, JOINT, 2),
        (A_FZ, KITA, INF, 2),
        (KITA, GS, AGR, 2),
        (GS, OGS, AGR, 3),
        (GS, EB, REF, 2),
        (EB, A_JA, AGR, 2),
        (OGS, SPORT, JOINT, 2),
        (GS, GE, INF, 1),
        (GS, RS, INF, 1),
        (GE, SSA, AGR, 2),
        (RS, SSA, AGR, 2),
        (SSA, A_JA, AGR, 2),
        (JZ, A_STZ, JOINT, 2),
        (A_STZ, MIGRA, INF, 2),
        (GE, A_AA, AGR, 2),
        (BK, A_AA, AGR, 2),
        (BK, A_JBH, JOINT, 2),
        (A_JBH, A_JC, AGR, 3),
        (JZ, A_JBH, INF, 1),
    ],
    email_prefix="ahlen-",
    phone_prefix="02382 555 01",
)


# Dinslaken (smaller) ----------------------------------------------------------

DINSLAKEN = "05170008"
D_VERW = "Stadt Dinslaken – Verwaltungsvorstand"
D_JA = "Stadt Dinslaken – Jugendamt"
D_SCHUL = "Stadt Dinslaken – Schulverwaltung"
D_GA = "Kreis Wesel – Gesundheitsamt"
D_JC = "Jobcenter Kreis Wesel"
D_FBS = "Familienbildungsstätte Dinslaken (Beispielträger)"
D_SPORT = "Sportverein Dinslaken (Beispielträger)"
D_JZ = "Jugendzentrum Dinslaken (Beispielträger)"
D_KITA = "Kita-Verbund (Beispiel)"
D_IA = "Integrationsagentur (Beispiel)"
D_STEERING = "Lenkungsgruppe Präventionskette"
D_WG_EARLY = "AG Frühe Hilfen"
D_WG_KITA = "AG Übergang Kita – Grundschule"

DINSLAKEN_NETWORK = DemoNetwork(
    official_key=DINSLAKEN,
    name="Dinslaken",
    organizations=[
        (D_VERW, "verwaltung"),
        (D_JA, "jugendhilfe"),
        (D_SCHUL, "bildung"),
        (D_GA, "gesundheit"),
        (D_JC, "arbeit"),
        (D_FBS, "wohlfahrt"),
        (D_SPORT, "sport-kultur"),
        (D_JZ, "jugendhilfe"),
        (D_KITA, "kita"),
        (GS, "bildung"),
        (HEB, "gesundheit"),
        (D_IA, "integration"),
    ],
    people=[
        ("Ralf Beispiel", "Beigeordnete:r für Jugend, Schule und Soziales", D_VERW, LEAD),
        ("Nina Muster", "Leitung Jugendamt", D_JA, LEAD),
        ("Ole Fiktiv", "Koordination Präventionskette", D_JA, OPER),
        ("Dr. Eva Platzhalter", "Kinder- und Jugendgesundheitsdienst", D_GA, DEPT),
        ("Can Demo", "Leitung Schulverwaltung", D_SCHUL, LEAD),
    ],
    bodies=[
        (
            D_STEERING,
            BodyKind.STEERING_GROUP,
            None,
            "halbjährlich",
            "Legt Ziele der Präventionskette fest und entscheidet über neue Vorhaben.",
            [],
        ),
        (
            D_WG_EARLY,
            BodyKind.WORKING_GROUP,
            D_STEERING,
            "vierteljährlich",
            "Frühe Hilfen von der Schwangerschaft bis zum dritten Geburtstag.",
            ["schwangerschaft-geburt", "fruehe-kindheit"],
        ),
        (
            D_WG_KITA,
            BodyKind.WORKING_GROUP,
            D_STEERING,
            "vierteljährlich",
            "Der Übergang von der Kita in die Grundschule.",
            ["kita", "grundschule"],
        ),
    ],
    members={
        D_STEERING: [
            ("Ralf Beispiel", None, CHAIR, None),
            ("Nina Muster", None, DEPUTY, None),
            ("Dr. Eva Platzhalter", None, MEMBER, None),
            ("Can Demo", None, MEMBER, None),
            (None, D_JC, MEMBER, DEPT),
            ("Ole Fiktiv", None, SECRETARIAT, None),
        ],
        D_WG_EARLY: [
            ("Ole Fiktiv", None, CHAIR, None),
            ("Dr. Eva Platzhalter", None, MEMBER, None),
            (None, HEB, MEMBER, OPER),
            (None, D_FBS, MEMBER, OPER),
            (None, D_KITA, MEMBER, OPER),
        ],
        D_WG_KITA: [
            (None, D_KITA, CHAIR, DEPT),
            (None, GS, MEMBER, OPER),
            (None, D_SPORT, MEMBER, OPER),
            (None, D_IA, MEMBER, OPER),
        ],
    },
    ties=[
        (D_JA, D_GA, AGR, 3),
        (D_JA, D_SCHUL, INF, 2),
        (D_JA, D_VERW, INF, 3),
        (D_GA, HEB, REF, 3),
        (HEB, D_FBS, JOINT, 2),
        (D_FBS, D_JA, AGR, 2),
        (D_KITA, GS, AGR, 2),
        (D_KITA, D_FBS, INF, 2),
        (GS, D_SPORT, JOINT, 1),
        (D_JZ, D_JA, AGR, 2),
        (D_JZ, D_JC, INF, 1),
        (D_IA, D_KITA, INF, 1),
    ],
    email_prefix="dinslaken-",
    phone_prefix="02064 555 01",
)

DEMO_NETWORKS = [KOELN_NETWORK, AHLEN_NETWORK, DINSLAKEN_NETWORK]


def load_network_demo(report: Callable[[str], None]) -> None:
    for spec in DEMO_NETWORKS:
        municipality = Municipality.objects.filter(official_key=spec.official_key).first()
        if municipality is None:
            report(f"Netzwerk: {spec.name} fehlt, übersprungen")
            continue
        counts = load_structure(municipality, spec)
        report(
            f"Netzwerk {spec.name}: {counts['bodies']} Gremien, "
            f"{counts['people']} Personen (fiktiv), {counts['organizations']} Organisationen, "
            f"{counts['ties']} Kooperationen"
        )
