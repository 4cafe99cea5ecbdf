"""The collation `kette_german` on PostgreSQL (`kette.core.collation`): ICU's
German phone-book order where the server has ICU, else byte order ("C"), so
that queries naming the collation run on every server. SQLite gets it from
Python on every connection."""

from django.db import DatabaseError, migrations, transaction

CANDIDATES = [
    "CREATE COLLATION IF NOT EXISTS kette_german (provider = icu, locale = 'de-u-co-phonebk')",
    'CREATE COLLATION IF NOT EXISTS kette_german FROM "C"',
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    failure: DatabaseError | None = None
    for statement in CANDIDATES:
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute(statement)
        except DatabaseError as error:  # a server without ICU: the next one
            failure = error
            continue
        return
    # not even byte order (no right to create a collation in the schema): stop
    # here rather than fail every query that orders by a name later
    assert failure is not None
    raise failure


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP COLLATION IF EXISTS kette_german")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_cohort_year_validated")]

    operations = [migrations.RunPython(create, drop)]
