"""The chain at a glance: offers per life phase × field of action, and a year's changes."""

import datetime as dt

import pytest
from django.utils import timezone

from kette.directory import selectors, services
from kette.directory.models import Service, Taxonomy, TaxonomyTerm
from kette.testing.history import happened_at

pytestmark = pytest.mark.django_db


def term(code):
    return TaxonomyTerm.objects.get(taxonomy__slug=Taxonomy.FIELDS_OF_ACTION, code=code)


@pytest.fixture
def chain(world):
    services.taxonomy_ensure_defaults()
    org = services.organization_create(actor=None, municipality=world.a, name="Träger")
    make = services.service_create
    # 0–3 years, health + language: the early-childhood row, two cells.
    make(
        actor=None,
        organization=org,
        name="Babytreff",
        status="published",
        min_age_months=0,
        max_age_months=36,
        terms=[term("gesundheit"), term("sprache")],
    )
    # 2–4 years: early childhood and Kita age (two phases), health.
    make(
        actor=None,
        organization=org,
        name="Krabbelgruppe",
        status="published",
        min_age_months=24,
        max_age_months=48,
        terms=[term("gesundheit")],
    )
    # No age, no field: counted in the total only.
    make(actor=None, organization=org, name="Familienbüro", status="published")
    # Drafts never count.
    make(
        actor=None,
        organization=org,
        name="Entwurf",
        status="draft",
        min_age_months=0,
        max_age_months=36,
        terms=[term("gesundheit")],
    )
    services.service_create(
        actor=None,
        organization=services.organization_create(
            actor=None, municipality=world.b, name="Anderswo"
        ),
        name="In B",
        status="published",
        min_age_months=0,
        max_age_months=36,
        terms=[term("gesundheit")],
    )
    return world


def test_matrix_counts_published_offers_per_cell(chain, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        matrix = selectors.chain_matrix(chain.a)
    phases = {p.code: p for p in matrix.life_phases}
    assert matrix.total == 3
    assert matrix.count(phases["fruehe-kindheit"], term("gesundheit")) == 2
    assert matrix.count(phases["fruehe-kindheit"], term("sprache")) == 1
    assert matrix.count(phases["kita"], term("gesundheit")) == 1
    assert matrix.count(phases["kita"], term("sprache")) == 0
    assert matrix.phase_totals[phases["fruehe-kindheit"].pk] == 2
    assert matrix.field_totals[term("gesundheit").pk] == 2  # distinct offers, not cells
    assert matrix.without_phase == 1
    assert matrix.without_field == 1
    cells = len(matrix.life_phases) * len(matrix.fields)
    assert matrix.empty_cells == cells - 3


def test_offer_year_counts_new_and_archived_from_the_history(chain):
    this_year = timezone.now().year
    offer = Service.objects.get(name="Krabbelgruppe")
    services.service_archive(actor=None, service=offer)
    result = selectors.offer_year(chain.a, this_year, stale_after=dt.timedelta(days=365))
    assert result.created == 4  # drafts included: they were entered this year
    assert result.archived == 1
    assert result.published == 2
    assert result.stale == 0
    assert result.fresh_share == 1.0
    assert result.stale_after_months == 12
    earlier = selectors.offer_year(chain.a, this_year - 1, stale_after=dt.timedelta(days=365))
    assert (earlier.created, earlier.archived) == (0, 0)
    # Published again and archived again later: still one archiving in the year, and
    # an offer archived in an earlier year is not counted again.
    services.service_publish(actor=None, service=offer)
    services.service_archive(actor=None, service=offer)
    again = selectors.offer_year(chain.a, this_year, stale_after=dt.timedelta(days=365))
    assert again.archived == 1
    # an offer entered this year and deleted since was still entered this year
    services.service_delete(actor=None, service=Service.objects.get(name="Krabbelgruppe"))
    assert selectors.offer_year(chain.a, this_year, stale_after=dt.timedelta(days=365)).created == 4


def test_matrix_page_links_each_cell_to_its_offers(client, chain):
    from django.urls import reverse

    from kette.core.models import Role
    from kette.testing.factories import user_with_role

    client.force_login(user_with_role(Role.VIEWER, chain.a))
    page = client.get(reverse("directory:chain_matrix", args=["altstadt"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "3 veröffentlichte Angebote entlang der Lebensphasen." in html
    link = "?status=published&amp;lebensphase=fruehe-kindheit&amp;handlungsfeld=gesundheit"
    assert link in html
    assert 'class="num number empty-cell"' in html
    listing = client.get(
        reverse("directory:service_list", args=["altstadt"]) + link.replace("&amp;", "&")
    ).content.decode()
    assert "Babytreff" in listing and "Krabbelgruppe" in listing
    assert "Familienbüro</" not in listing and ">Entwurf</a>" not in listing
    assert "2 Angebote" in listing
    assert "Gefiltert: Frühe Kindheit (0–3 Jahre), Gesundheit" in listing


def test_offers_due_for_a_check_are_flagged_and_listed(client, chain):
    from django.urls import reverse

    from kette.core.models import Role
    from kette.testing.factories import user_with_role

    Service.objects.filter(name="Babytreff").update(
        last_verified_at=timezone.now() - dt.timedelta(days=500)
    )
    client.force_login(user_with_role(Role.COORDINATOR, chain.a))
    html = client.get(reverse("directory:chain_matrix", args=["altstadt"])).content.decode()
    assert "1 veröffentlichtes Angebot wurde seit mehr als 12 Monaten nicht bestätigt." in html
    listing = client.get(
        reverse("directory:service_list", args=["altstadt"]) + "?pruefung=faellig"
    ).content.decode()
    assert "Babytreff" in listing and "Krabbelgruppe" not in listing


def moment(year, month, day):
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


def test_matrix_and_freshness_on_a_past_day_come_from_the_history(world):
    """A year-end report reads the offers as they were: published, archived,
    re-aged, deleted and confirmed at known times."""
    services.taxonomy_ensure_defaults()
    with happened_at(moment(2023, 3, 1)):
        org = services.organization_create(actor=None, municipality=world.a, name="Träger")
        babytreff, kurs = (
            services.service_create(
                actor=None,
                organization=org,
                name=name,
                status="published",
                min_age_months=0,
                max_age_months=36,
                terms=[term(field)],
            )
            for name, field in (("Babytreff", "gesundheit"), ("Elternkurs", "beratung"))
        )
        gone = services.service_create(
            actor=None, organization=org, name="Gelöscht", status="published"
        )
    for offer in (babytreff, kurs, gone):
        offer.refresh_from_db()  # with the creation time happened_at gave it
    with happened_at(moment(2024, 5, 1)):
        # now for Kita age instead of early childhood, and a second field of action
        services.service_update(
            actor=None,
            service=babytreff,
            min_age_months=36,
            max_age_months=72,
            terms=[term("gesundheit"), term("sprache")],
        )
        services.service_archive(actor=None, service=kurs)
        services.service_delete(actor=None, service=gone)
        services.service_confirm_current(actor=None, service=babytreff, when=moment(2024, 5, 1))
    phases = {p.code: p for p in selectors.life_phases_of(world.a)}

    end_2023 = selectors.chain_matrix(world.a, at=moment(2023, 12, 31))
    assert end_2023.total == 3
    assert end_2023.count(phases["fruehe-kindheit"], term("gesundheit")) == 1
    assert end_2023.count(phases["fruehe-kindheit"], term("beratung")) == 1
    assert end_2023.count(phases["kita"], term("gesundheit")) == 0
    assert end_2023.without_phase == 1
    assert not end_2023.transitions_recorded and end_2023.transitions == []

    end_2024 = selectors.chain_matrix(world.a, at=moment(2024, 12, 31))
    assert end_2024.total == 1
    assert end_2024.count(phases["fruehe-kindheit"], term("gesundheit")) == 0
    assert end_2024.count(phases["kita"], term("gesundheit")) == 1
    assert end_2024.count(phases["kita"], term("sprache")) == 1
    # today's state read from the history is today's matrix
    now = selectors.chain_matrix(world.a)
    assert now.transitions_recorded
    from_history = selectors.chain_matrix(world.a, at=timezone.now())
    assert (from_history.total, from_history.cells) == (now.total, now.cells)
    assert selectors.chain_matrix(world.a, at=moment(2022, 12, 31)).total == 0

    year = dt.timedelta(days=365)
    offers_2023 = selectors.offer_year(world.a, 2023, stale_after=year, at=moment(2023, 12, 31))
    # entered: the deleted one too (its creation is in the history)
    assert (offers_2023.created, offers_2023.published, offers_2023.stale) == (3, 3, 0)
    assert offers_2023.recorded_since == moment(2023, 3, 1)
    # never confirmed, entered in March 2023: due for a check at the end of 2024; the
    # Babytreff was confirmed in May 2024
    offers_2024 = selectors.offer_year(world.a, 2024, stale_after=year, at=moment(2024, 12, 31))
    assert (offers_2024.archived, offers_2024.published, offers_2024.stale) == (1, 1, 0)
    offers_2025 = selectors.offer_year(world.a, 2025, stale_after=year, at=moment(2025, 12, 31))
    assert (offers_2025.published, offers_2025.stale, offers_2025.fresh_share) == (1, 1, 0.0)
