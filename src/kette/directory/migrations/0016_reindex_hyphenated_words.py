"""Rebuild the search documents of every offer: hyphenated words are also
indexed as written in one ("Eltern-Café" as elterncaf, `search.joined_tokens`),
so that "Elterncafé" finds "Eltern-Café" as "Eltern-Café" finds "Elterncafé".
As migration 0014, through `directory_reindex` on the current models
(unchanged documents are not written).
"""

from django.db import migrations

from kette.directory.migration_steps import reindex_offers as reindex


class Migration(migrations.Migration):
    dependencies = [("directory", "0015_sort_name")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop, elidable=True)]
