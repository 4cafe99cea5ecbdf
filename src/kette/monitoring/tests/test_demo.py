"""The monitoring demo step: Köln's districts, population and need index."""

import pytest

from kette.core.demo import load_core
from kette.core.models import District, Municipality
from kette.monitoring import selectors
from kette.monitoring.demo import load_monitoring_demo
from kette.monitoring.models import Observation

pytestmark = pytest.mark.django_db


def test_demo_loads_koeln_and_is_idempotent():
    lines = []
    load_core(lines.append)
    load_monitoring_demo(lines.append)
    koeln = Municipality.objects.get(slug="koeln")
    count = Observation.objects.for_municipality(koeln).count()
    load_monitoring_demo(lines.append)
    assert Observation.objects.for_municipality(koeln).count() == count
    assert District.objects.for_municipality(koeln).filter(level="Stadtteil").count() == 86
    assert District.objects.for_municipality(koeln).filter(level="Stadtbezirk").count() == 9
    kinder = selectors.indicator_of(koeln, "kinder-0-3")
    assert selectors.years_of(koeln, kinder) == list(range(2005, 2013))
    index = selectors.need_index(koeln, 2012)
    assert (index.level, index.earlier_year, len(index.ranked)) == ("Stadtteil", 2010, 86)
    mindestsicherung = selectors.indicator_of(koeln, "mindestsicherungsquote")
    table = selectors.indicator_table(koeln, mindestsicherung, 2023)
    assert table.municipality_row.display == "14,4"
