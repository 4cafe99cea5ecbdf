"""The programme-wide default taxonomies (fields of action, accessibility features)
with stable HSDS ids. Rerunning is harmless: rows are matched by their codes."""

from django.db import migrations


def forward(apps, schema_editor):
    from kette.directory import defaults

    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    vocabularies = {
        "handlungsfelder": defaults.FIELDS_OF_ACTION,
        "barrierefreiheit": defaults.ACCESSIBILITY_FEATURES,
    }
    for slug, (name, description) in defaults.TAXONOMIES.items():
        taxonomy, _ = Taxonomy.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "id_hsds": defaults.default_uuid(slug),
            },
        )
        for position, (code, term_name) in enumerate(vocabularies[slug]):
            TaxonomyTerm.objects.update_or_create(
                taxonomy=taxonomy,
                municipality=None,
                code=code,
                defaults={
                    "name": term_name,
                    "position": position,
                    "id_hsds": defaults.default_uuid(slug, code),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_search_index")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
