"""Rebuild the search documents of every offer: the plurals of words in -us
("Zirkusse", "Busse") get the token of the singular instead of Snowball's
"zirkuss", so that "Zirkusse" finds "Zirkus" as "Zirkus" finds "Zirkusse"
(`search._us_plural`). As migration 0013, through `directory_reindex` on the
current models (unchanged documents are not written).
"""

from django.db import migrations

from kette.directory.migration_steps import reindex_offers as reindex


class Migration(migrations.Migration):
    dependencies = [("directory", "0013_reindex_course_tokens")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop, elidable=True)]
