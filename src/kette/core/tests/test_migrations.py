"""Every model change comes with its migration."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations() -> None:
    output = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=output, stderr=output)
    except SystemExit as exit_:  # --check exits with 1 when a migration is missing
        pytest.fail(f"missing migrations (exit {exit_.code}):\n{output.getvalue()}")
    assert "No changes detected" in output.getvalue()
