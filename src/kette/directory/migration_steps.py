"""Steps of the directory's data migrations that several of them share."""

from typing import Any


def reindex_offers(apps: Any, schema_editor: Any) -> None:
    """Rebuild every offer's search document with `directory_reindex`, on the
    current models (not the historical ones: should a later migration change
    the tables it reads, a database migrating through this step gets correct
    documents from `kette reindex_offers` afterwards); unchanged documents are
    not written."""
    from kette.directory.services import directory_reindex

    if schema_editor.connection.alias != "default":
        return  # the services write through the default database
    directory_reindex()
