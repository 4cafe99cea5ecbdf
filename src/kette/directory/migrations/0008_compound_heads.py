"""Search documents gain the heads of German compounds in their body
(kette.directory.search, COMPOUND_HEADS): applied to the stored tokens, which
gives what a reindex would write now, without reading the offers' texts again."""

from django.db import migrations

CHUNK = 2000


def add_compound_heads(apps, schema_editor):
    from kette.directory.search import with_compound_heads

    Service = apps.get_model("directory", "Service")
    offers = Service.objects.using(schema_editor.connection.alias)
    last = 0
    while True:
        rows = list(
            offers.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "search_name", "search_body")[:CHUNK]
        )
        if not rows:
            return
        last = rows[-1][0]
        changed = []
        for pk, name, body in rows:
            new_body = " ".join(with_compound_heads(body.split(), also=name.split()))
            if new_body != body:
                changed.append(Service(pk=pk, search_body=new_body))
        offers.bulk_update(changed, ["search_body"])


class Migration(migrations.Migration):
    dependencies = [("directory", "0007_facet_version")]

    operations = [
        migrations.RunPython(add_compound_heads, migrations.RunPython.noop, elidable=True)
    ]
