"""Rebuild the search documents of every offer, for two changes of what they hold:

- district filter keys follow the nesting of districts: a place counts for its
  district and every district containing it (a Stadtteil's Stadtbezirk), a
  service area also for every part of its district (`services._DistrictTree`);
- words lose a plural -s after a vowel ("Kitas" → kita, "Büros" → buro;
  `search._without_plural_s`).

That needs the offers' texts, places, areas and districts read again, which is what
`directory_reindex` does (in chunks; unchanged documents are not
written). It works on the current models, not the historical ones: should a
later migration change the tables it reads, a database migrating through this
one gets correct documents from `kette reindex_offers` afterwards.
"""

from django.db import migrations

from kette.directory.migration_steps import reindex_offers as reindex


class Migration(migrations.Migration):
    dependencies = [("directory", "0011_constraint_messages")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop, elidable=True)]
