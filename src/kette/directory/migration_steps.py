"""Steps of the directory's data migrations that several of them share."""

from typing import Any


def reindex_offers(apps: Any, schema_editor: Any) -> None:
    """Rebuild every offer's search document with `directory_reindex`, on the
    current models (not the historical ones: should a later migration change
    the tables it reads, a database migrating through this step gets correct
    documents from `kette reindex_offers` afterwards); unchanged documents are
    not written."""
    from kette.directory.models import Service
    from kette.directory.services import directory_reindex

    if schema_editor.connection.alias != "default":
        return  # the services write through the default database
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, Service._meta.db_table
            )
        }
    if any(field.column not in columns for field in Service._meta.concrete_fields):
        # An older step on a database that a later migration gives more
        # columns (e.g. 0015's `sort_name`): the current code would read them
        # before they exist. That later migration reindexes.
        return
    directory_reindex()
