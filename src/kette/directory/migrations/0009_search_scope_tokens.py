"""Search scope as one filter token per municipality (or programme) and status.

Offers carried "m:<municipality>", "p:<programme>" and "st:<status>" tokens, and
a search ANDed two of them. Now they carry "st:<status>", "ms:<municipality>:
<status>" and "ps:<programme>:<status>" (kette.directory.search.scope_keys): a
search's scope is one phrase, whose doclist bm25() walks once per query and the
matches seek in once. This rewrites the stored `search_filters` of every
indexed offer; the full-text index follows (SQLite: triggers; PostgreSQL: the
generated column). The token hash is copied here so that this migration keeps
its meaning whatever search.py becomes.
"""

import hashlib

from django.db import migrations

CHUNK = 2000


def _token(key):
    return "z" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:15]


def _rewrite(old_keys, new_keys):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.id, s.municipality_id, m.programme_id, s.status, s.search_filters "
                "FROM directory_service s JOIN core_municipality m ON m.id = s.municipality_id "
                "WHERE s.search_filters <> '' ORDER BY s.id"
            )
            rows = cursor.fetchall()
            updates = []
            for pk, municipality_id, programme_id, status, filters in rows:
                ids = {"m": municipality_id, "p": programme_id, "st": status}
                tokens = set(filters.split())
                tokens -= {_token(key.format(**ids)) for key in old_keys}
                tokens |= {_token(key.format(**ids)) for key in new_keys}
                updated = " ".join(sorted(tokens))
                if updated != filters:
                    updates.append((updated, pk))
            for start in range(0, len(updates), CHUNK):
                cursor.executemany(
                    "UPDATE directory_service SET search_filters = %s WHERE id = %s",
                    updates[start : start + CHUNK],
                )

    return run


SEPARATE = ["m:{m}", "p:{p}"]
COMBINED = ["ms:{m}:{st}", "ps:{p}:{st}"]


class Migration(migrations.Migration):
    dependencies = [("directory", "0008_compound_heads")]

    operations = [
        migrations.RunPython(_rewrite(SEPARATE, COMBINED), _rewrite(COMBINED, SEPARATE)),
    ]
