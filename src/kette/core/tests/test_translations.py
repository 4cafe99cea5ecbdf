"""The translation catalogues: English msgids, complete German catalogues, and no
other app's catalogue overriding kette's German wording."""

from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation


def _catalogues(language: str) -> list[Path]:
    dirs = [Path(p) for p in settings.LOCALE_PATHS]
    dirs += [
        Path(app.path) / "locale" for app in apps.get_app_configs() if app.name.startswith("kette.")
    ]
    return sorted(d / language / "LC_MESSAGES" / "django.po" for d in dirs if d.is_dir())


def _live_entries(path: Path) -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(path)) if not e.obsolete]


def test_project_and_core_have_german_and_english_catalogues() -> None:
    german = _catalogues("de")
    english = _catalogues("en")
    assert Path(settings.LOCALE_PATHS[0]) / "de/LC_MESSAGES/django.po" in german
    assert any("core" in p.parts for p in german)
    for path in german + english:
        assert path.is_file(), f"{path} missing (run makemessages -l de -l en)"


@pytest.mark.parametrize("path", _catalogues("de"), ids=str)
def test_german_catalogue_is_complete(path: Path) -> None:
    entries = _live_entries(path)
    assert entries
    untranslated = [e.msgid for e in entries if not e.translated()]
    assert untranslated == [], f"{path}: untranslated or fuzzy entries"


@pytest.mark.parametrize("path", _catalogues("en"), ids=str)
def test_english_catalogue_has_the_same_msgids_as_german(path: Path) -> None:
    german = path.parents[2] / "de" / "LC_MESSAGES" / "django.po"
    assert {e.msgid for e in _live_entries(path)} == {e.msgid for e in _live_entries(german)}


@pytest.mark.parametrize("path", _catalogues("de"), ids=str)
def test_german_wording_is_what_gettext_returns(path: Path) -> None:
    """Apps listed before kette in INSTALLED_APPS (admin, auth, …) win when they
    translate the same msgid; such a clash would silently change kette's German."""
    clashes = []
    with translation.override("de"):
        for entry in _live_entries(path):
            if entry.msgid_plural:
                got = translation.ngettext(entry.msgid, entry.msgid_plural, 1)
                want = entry.msgstr_plural[0]
            elif entry.msgctxt:
                got = translation.pgettext(entry.msgctxt, entry.msgid)
                want = entry.msgstr
            else:
                got = translation.gettext(entry.msgid)
                want = entry.msgstr
            if got != want:
                clashes.append((entry.msgid, want, got))
    assert clashes == [], "\n".join(map(str, clashes))
