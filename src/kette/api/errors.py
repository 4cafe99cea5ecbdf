"""German messages for the API's invalid parameters (422).

django-ninja reports them with pydantic's English messages; the structure
(`{"detail": [{"type", "loc", "msg", "ctx"?}]}`) stays, `msg` becomes German
for the kinds of error a query parameter can have, the English one otherwise.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

MESSAGES = {
    "greater_than_equal": "muss mindestens {ge} sein",
    "greater_than": "muss größer als {gt} sein",
    "less_than_equal": "darf höchstens {le} sein",
    "less_than": "muss kleiner als {lt} sein",
    "int_parsing": "ist keine ganze Zahl",
    "int_from_float": "ist keine ganze Zahl",
    "float_parsing": "ist keine Zahl",
    "finite_number": "muss eine endliche Zahl sein",
    "bool_parsing": "ist kein Wahrheitswert (true oder false)",
    "datetime_parsing": "ist kein Zeitpunkt (ISO 8601, z. B. 2026-11-27T09:30)",
    "datetime_from_date_parsing": "ist kein Zeitpunkt (ISO 8601, z. B. 2026-11-27T09:30)",
    "date_parsing": "ist kein Datum (JJJJ-MM-TT)",
    "date_from_datetime_parsing": "ist kein Datum (JJJJ-MM-TT)",
    "string_too_long": "darf höchstens {max_length} Zeichen lang sein",
    "string_too_short": "muss mindestens {min_length} Zeichen lang sein",
    "missing": "fehlt",
    "uuid_parsing": "ist keine gültige UUID",
}


def german(error: dict[str, Any]) -> dict[str, Any]:
    template = MESSAGES.get(str(error.get("type")))
    if template is None:
        return error
    name = str(error.get("loc", ["?"])[-1])
    try:
        text = template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return error
    # pydantic's context may hold English (e.g. "input is too short"): left out
    return {k: v for k, v in error.items() if k != "ctx"} | {"msg": f"„{name}“ {text}"}


def install(api: NinjaAPI) -> None:
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request, {"detail": [german(dict(e)) for e in exc.errors]}, status=422
        )

    api.add_exception_handler(ValidationError, invalid)
