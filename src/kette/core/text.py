"""Text helpers that follow German conventions."""

import re
import unicodedata
from decimal import Decimal

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import get_language

_GERMAN_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
)


def german_slug(value: str) -> str:
    """Slug with German transliteration: "Köln" -> "koeln", "Mülheim an der Ruhr" ->
    "muelheim-an-der-ruhr" (umlauts become two letters instead of losing their dots)."""
    return slugify(value.translate(_GERMAN_TRANSLITERATION))


def fold_german(value: str) -> str:
    """Lower-case and fold umlauts and ß the way German readers type without them
    ("Mütter" and "Muetter" both become "muetter"): the transliteration of
    `german_slug`, then `casefold`. Done the other way round, as three
    replacements (casefold already makes ß and ẞ "ss", Ä "ä", …), it gives the
    same for every character and is several times faster than `str.translate`
    with a mapping, which looks up each character of a text (indexing an
    import's descriptions; a test compares the two over all of Unicode)."""
    return value.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _strip_run(match: re.Match[str]) -> str:
    decomposed = unicodedata.normalize("NFKD", match.group())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ı", "i")


def strip_marks(text: str) -> str:
    """`text` without accents and other combining marks ("é" → "e")."""
    if text.isascii():  # most German text once umlauts and ß are folded
        return text
    # Only the runs of other characters: a description with one dash or
    # accent is otherwise taken apart and put together again letter by letter
    # (a fifth of building the search documents of an import). NFKD works
    # character by character and ASCII stays as it is, so the result is the
    # same as for the whole text (a test checks it).
    return _NON_ASCII.sub(_strip_run, text)


_LEADING_NON_WORD = re.compile(r"^[\W_]+")


def sort_key(name: str) -> str:
    """The key names are sorted by (offers' `Service.sort_name`; other names
    through the collation of `kette.core.collation`): folded as the search
    folds (case, umlauts as ae/oe/ue and ß as ss, as German phone books sort;
    accents dropped), and without leading punctuation. So "Aktive" comes before
    "ASK", "Förderschule" before "Fröbel", "kath. Kindergarten" among the K and
    "(ehem.) Sonderschule" among the E, where byte order put capitals first and
    umlauts, accents and small letters after Z."""
    return _LEADING_NON_WORD.sub("", strip_marks(fold_german(name)))


def unix_newlines(value: str) -> str:
    """Line breaks as "\\n": browsers send text areas with "\\r\\n", files from
    Excel carry "\\n", and the same text must compare equal."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def german_decimal(value: float) -> str:
    """A number for files people and kette's imports read back: every digit of
    the float (the shortest form that reads back as the same value), no
    exponent, a decimal comma and no thousands separator: 1044555.0 →
    "1044555", 34.4523 → "34,4523", 1e-05 → "0,00001" (`f"{value:g}"` wrote
    "1,04456e+06", six digits and an exponent)."""
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def interface_is_german() -> bool:
    """Whether the active interface language is German, the language of kette's
    content: elsewhere, German data gets `lang="de"` (core's `lang_de` tag)."""
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0] == "de"
