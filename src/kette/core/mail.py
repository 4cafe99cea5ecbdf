"""Mails in their recipient's language."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.utils import translation

P = ParamSpec("P")
R = TypeVar("R")


def in_mail_language(write: Callable[P, R]) -> Callable[P, R]:
    """Write a mail in its recipient's language, not in that of whoever's action
    sends it (a coordinator or an office member working in English). kette
    stores no language per person (registrations and reminders need no
    account), so that is the default language, LANGUAGE_CODE (German), the
    language of the programme and its municipalities; as with Django's own
    mails, only a mail to the person making the request follows the request
    (the learning network's confirmation of cancelling through one's own
    link)."""

    @functools.wraps(write)
    def in_language(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return write(*args, **kwargs)

    return in_language
