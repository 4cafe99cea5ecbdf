"""Languages of offers: ISO 639 codes and their names in the interface's language.

A code is known when ISO 639-3 lists it (pycountry's tables, which also give
the two-letter ISO 639-1 codes): "tr", "gsg" (German Sign Language), "prs"
(Dari). Forms refuse other codes, which had reached the public language filter
("xx (1)"). Names come from kette's catalogue for the languages whose names
kette chose itself, else from Django (the languages it is translated into),
else from pycountry's translations of the ISO 639-3 names.
"""

from __future__ import annotations

import functools
import gettext
from typing import Any

import pycountry
from django.utils.translation import get_language, get_language_info, gettext_lazy, pgettext_lazy

# Languages of offers that Django has no name for, among them the codes the
# spreadsheet import gives "Kurdisch" and "Gebärdensprache".
LANGUAGE_NAMES = {
    "am": gettext_lazy("Amharic"),
    # kette's catalogue keeps "English" for the language switcher (its own name)
    "en": pgettext_lazy("language of an offer", "English"),
    "gsg": gettext_lazy("German Sign Language"),
    "ku": gettext_lazy("Kurdish"),
    "prs": gettext_lazy("Dari"),
    "ps": gettext_lazy("Pashto"),
    "rom": gettext_lazy("Romani"),
    "so": gettext_lazy("Somali"),
    "ti": gettext_lazy("Tigrinya"),
    "zh": gettext_lazy("Chinese"),
}


@functools.cache
def _entry(code: str) -> Any:
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code)
    if len(code) == 3:
        return pycountry.languages.get(alpha_3=code)
    return None


def known(code: str) -> bool:
    """Whether `code` (lower case) is an ISO 639-1 or ISO 639-3 language code."""
    return code.isascii() and code.isalpha() and _entry(code) is not None


@functools.cache
def _iso_names(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso639-3", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def name(code: str, default: str = "") -> str:
    """The name of the language with the ISO 639 `code` in the interface's
    language; unknown: `default`, else the code."""
    if code in LANGUAGE_NAMES:
        return str(LANGUAGE_NAMES[code])
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        pass
    entry = _entry(code)
    if entry is None:
        return default or code
    return _iso_names((get_language() or "de").split("-")[0]).gettext(entry.name)
