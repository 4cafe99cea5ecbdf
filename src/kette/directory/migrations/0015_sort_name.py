"""Offers get `sort_name`, the name as the guide sorts it (`search.sort_key`:
folded as the search folds, without leading punctuation), kept current with
the search document; every offer is reindexed to fill it in."""

from django.db import migrations, models

from kette.directory.migration_steps import reindex_offers as reindex


class Migration(migrations.Migration):
    dependencies = [("directory", "0014_reindex_us_plurals")]

    operations = [
        migrations.AddField(
            model_name="service",
            name="sort_name",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(reindex, migrations.RunPython.noop, elidable=True),
    ]
