"""The full-text index of offers (see kette.directory.search for the design).

SQLite: an FTS5 external-content table over directory_service's search columns,
kept in sync by triggers. PostgreSQL: a stored generated tsvector column with a
GIN index, `simple` configuration over the pre-stemmed tokens; the filter tokens
(`search_filters`) are part of the same index.
"""

from django.db import migrations

FTS = "directory_service_fts"

SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    "search_name, search_body, search_filters, "
    "content='directory_service', content_rowid='id')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON directory_service BEGIN "
    f"INSERT INTO {FTS}(rowid, search_name, search_body, search_filters) "
    "VALUES (new.id, new.search_name, new.search_body, new.search_filters); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON directory_service BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, search_name, search_body, search_filters) "
    "VALUES ('delete', old.id, old.search_name, old.search_body, old.search_filters); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE OF search_name, search_body, search_filters "
    "ON directory_service BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, search_name, search_body, search_filters) "
    "VALUES ('delete', old.id, old.search_name, old.search_body, old.search_filters); "
    f"INSERT INTO {FTS}(rowid, search_name, search_body, search_filters) "
    "VALUES (new.id, new.search_name, new.search_body, new.search_filters); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TABLE IF EXISTS {FTS}",
]
POSTGRES_FORWARD = [
    "ALTER TABLE directory_service ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, search_name), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, search_body), 'D') || "
    "setweight(to_tsvector('simple'::regconfig, search_filters), 'C')) STORED",
    "CREATE INDEX directory_service_search_vector ON directory_service USING gin (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS directory_service_search_vector",
    "ALTER TABLE directory_service DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
