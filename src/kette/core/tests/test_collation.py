"""Names sort as German readers expect on both databases (`kette.core.collation`):
umlauts among their letters, capitals and small letters together."""

import pytest
from django.db import connection

from kette.core import collation
from kette.core.models import Membership, Municipality, Role
from kette.directory import selectors as directory_selectors
from kette.directory.models import Organization
from kette.network.forms import MembershipForm
from kette.network.models import Person
from kette.testing.factories import MunicipalityFactory, ProgrammeFactory, user_with_role

pytestmark = pytest.mark.django_db

# in German phone-book order (DIN 5007-2: ä as ae, ö as oe, ü as ue)
MUNICIPALITIES = ["Aachen", "Ölbach", "Oelde", "Übach-Palenberg", "Ulm", "Zülpich"]


def test_the_comparison_folds_umlauts_and_case_and_breaks_ties_by_the_text() -> None:
    assert collation.compare("Übach", "Ulm") < 0  # "uebach" < "ulm"
    assert collation.compare("Ölbach", "Oelde") < 0  # "oelbach" < "oelde"
    assert collation.compare("arbeiterwohlfahrt", "Caritas") < 0
    assert collation.compare("Straße", "Strasse") > 0  # equal keys: the text decides
    assert collation.compare("Köln", "Köln") == 0


def test_municipalities_come_in_german_order_by_default_and_in_the_programme() -> None:
    programme = ProgrammeFactory()
    for name in reversed(MUNICIPALITIES):
        MunicipalityFactory(programme=programme, name=name)
    assert [m.name for m in Municipality.objects.filter(programme=programme)] == MUNICIPALITIES
    names = Municipality.objects.filter(programme=programme).order_by(collation.german("name"))
    assert list(names.values_list("name", flat=True)) == MUNICIPALITIES


def test_organisations_and_people_of_a_municipality_in_german_order() -> None:
    municipality = MunicipalityFactory()
    names = ["Ärztekammer", "arbeiterwohlfahrt", "Caritas", "Förderverein", "Fröbel-Kita"]
    for name in reversed(names):
        Organization.objects.create(municipality=municipality, name=name)
        Person.objects.create(municipality=municipality, name=name)
    listed = directory_selectors.organization_list(municipality)
    assert [o.name for o in listed] == names
    # the choices of the offer form and of the network's forms
    coordinator = user_with_role(Role.COORDINATOR, municipality, username="k")
    choices = directory_selectors.organizations_editable_by(coordinator, municipality)
    assert [o.name for o in choices] == names
    seat = MembershipForm(municipality=municipality)
    assert [str(label) for _value, label in seat.fields["organization"].choices][1:] == names
    assert [p.name for p in Person.objects.filter(municipality=municipality)] == names


def test_the_programme_overview_lists_municipalities_in_german_order(client) -> None:
    staff = user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    programme = Membership.objects.get(user=staff).programme
    for name in reversed(MUNICIPALITIES):
        MunicipalityFactory(programme=programme, name=name)
    client.force_login(staff)
    html = client.get("/programm/").content.decode()
    positions = [html.index(f">{name}<") for name in MUNICIPALITIES]
    assert positions == sorted(positions)


def test_the_collation_exists_on_the_database() -> None:
    """SQLite: registered on the connection; PostgreSQL: created by migration
    (from ICU's phone-book order on these servers)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM (SELECT 'Zülpich' AS name UNION ALL SELECT 'Ulm' "
            "UNION ALL SELECT 'Übach') names ORDER BY name COLLATE kette_german"
        )
        assert [row[0] for row in cursor.fetchall()] == ["Übach", "Ulm", "Zülpich"]
