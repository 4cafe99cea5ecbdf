"""Rebuild the search documents of every offer: words ending in "Kurs" and its
forms keep the token "kurs" instead of Snowball's "kur", which is the token of
"Kur" (a spa cure), so that courses and cures no longer find each other
(`search._COURSE`). As migration 0012, through `directory_reindex` on the
current models (unchanged documents are not written).
"""

from django.db import migrations


def reindex(apps, schema_editor):
    from kette.directory.services import directory_reindex

    if schema_editor.connection.alias != "default":
        return  # the services write through the default database
    directory_reindex()


class Migration(migrations.Migration):
    dependencies = [("directory", "0012_reindex_search_documents")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop, elidable=True)]
