"""Project-level guarantees: migrations, documentation, production checks, the demo."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command, get_commands

from kette.core import demo
from kette.core.models import FundingPeriod, Membership, Municipality, User

ROOT = Path(__file__).resolve().parents[4]
SETTINGS = ROOT / "src" / "kette" / "settings.py"


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()


def test_every_setting_read_from_the_environment_is_documented():
    readme = (ROOT / "README.md").read_text()
    names = set(
        re.findall(
            r"""(?:environ\.get|env_bool|env_list|environ)\(\s*["']([A-Z_]+)["']""",
            SETTINGS.read_text(),
        )
    )
    names |= set(re.findall(r"""os\.environ\[["']([A-Z_]+)["']\]""", SETTINGS.read_text()))
    assert {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "MEDIA_ROOT"} <= names
    undocumented = sorted(name for name in names if f"`{name}`" not in readme)
    assert not undocumented, f"settings without a line in README.md: {undocumented}"


def test_every_kette_command_is_documented():
    readme = (ROOT / "README.md").read_text()
    ours = sorted(name for name, app in get_commands().items() if app.startswith("kette."))
    assert "demo" in ours
    undocumented = [name for name in ours if f"kette {name}" not in readme]
    assert not undocumented, f"commands without a line in README.md: {undocumented}"


def test_production_configuration_passes_the_deploy_check(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "SESSION_", "CSRF_", "KETTE_", "DEBUG"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="prod-" + "k7Qz9" * 12,
        ALLOWED_HOSTS="kette.example.org",
        KETTE_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "-m", "kette", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sqlite_runs_in_wal_mode():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]


@pytest.mark.django_db
def test_demo_loads_the_40_programme_municipalities_once():
    call_command("demo", stdout=StringIO())
    assert Municipality.objects.count() == 40
    koeln = Municipality.objects.get(slug="koeln")
    assert koeln.official_key == "05315000"
    assert koeln.population == 1085664
    assert koeln.boundary["type"] in {"Polygon", "MultiPolygon"}
    assert Municipality.objects.get(official_key="05570").slug == "kreis-warendorf"
    assert Municipality.objects.get(official_key="05117000").slug == "muelheim-an-der-ruhr"
    assert Municipality.objects.filter(cohort=2012).count() == 18
    assert Municipality.objects.filter(cohort=2017).count() == 22
    assert Municipality.objects.filter(boundary__isnull=True).count() == 0
    assert {str(p.ends_on) for p in FundingPeriod.objects.all()} == {"2018-12-31"}

    counts = (Municipality.history.count(), User.objects.count(), Membership.objects.count())
    out = StringIO()
    call_command("demo", stdout=out)
    assert (
        Municipality.history.count(),
        User.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert "koordination-koeln" in out.getvalue()
    assert demo.DEMO_PASSWORD in out.getvalue()


@pytest.mark.django_db
def test_each_role_has_a_demo_account():
    call_command("demo", stdout=StringIO())
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {
        "programme_admin",
        "programme_staff",
        "coordinator",
        "editor",
        "provider",
        "viewer",
    }
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(demo.DEMO_PASSWORD)


def test_every_kette_app_is_installed():
    installed = {app.name for app in apps.get_app_configs()}
    assert {"kette.core", "kette.api"} <= installed


def test_production_mode_serves_pages_and_static_files_under_gunicorn(tmp_path):
    """The documented production commands: migrate, collectstatic, gunicorn."""
    import socket
    import time
    import urllib.request

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "SESSION_", "CSRF_", "KETTE_", "DEBUG"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="prod-" + "k7Qz9" * 12,
        ALLOWED_HOSTS="127.0.0.1",
        KETTE_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        SECURE_SSL_REDIRECT="false",  # no TLS proxy in this test
    )
    kette = [sys.executable, "-m", "kette"]
    for args in (["migrate", "-v0"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run(kette + args, env=env, check=True, capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "kette.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                page = urllib.request.urlopen(base + "/impressum/", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        html = page.read().decode()
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        css_url = re.search(r'href="(/static/kette/css/kette\.[0-9a-f]+\.css)"', html).group(1)
        with urllib.request.urlopen(base + css_url, timeout=5) as css:
            assert css.status == 200
            assert "max-age" in css.headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=10)
