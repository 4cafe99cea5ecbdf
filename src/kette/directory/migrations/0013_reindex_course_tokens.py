"""Rebuild the search documents of every offer: words ending in "Kurs" and its
forms keep the token "kurs" instead of Snowball's "kur", which is the token of
"Kur" (a spa cure), so that a search for "Kurs" no longer finds cures
(`search._COURSE`). As migration 0012, through `directory_reindex` on the
current models (unchanged documents are not written).
"""

from django.db import migrations

from kette.directory.migration_steps import reindex_offers as reindex


class Migration(migrations.Migration):
    dependencies = [("directory", "0012_reindex_search_documents")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop, elidable=True)]
