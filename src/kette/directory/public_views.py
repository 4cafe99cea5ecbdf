"""The public family guide (Familienwegweiser): search and offer pages for
everyone, without login, tracking or cookies.

Search is a GET form (no CSRF cookie, no session); the same view answers JSON
(`?format=json` or `Accept: application/json`) with the results and the facet
counts (`&facets=off` leaves the counts out), which is kette's search API over
HTTP. Only published offers appear.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import (
    gettext_lazy,
    ngettext,
    pgettext,
)
from django.views.generic import TemplateView

from kette.core.collation import german
from kette.core.models import District, Municipality
from kette.core.tenancy import MunicipalityMixin
from kette.core.text import interface_is_german
from kette.directory import defaults, origins, selectors
from kette.directory.languages import name as language_name
from kette.directory.models import (
    HSDS_WEEKDAYS,
    LifePhase,
    Service,
    Taxonomy,
    TaxonomyTerm,
    Weekday,
)
from kette.directory.origins import Origin
from kette.directory.public_search import (
    SORT_DISTANCE,
    SORT_DISTRICT,
    SORT_NAME,
    SORT_RELEVANCE,
    GuideQuery,
    Point,
    district_centroid,
    guide_search,
)
from kette.directory.search import SearchResult

PER_PAGE = 20
MAX_PAGE = 10_000  # a page further on is taken as this one (beyond the last)
SORT_CHOICES = [
    (SORT_RELEVANCE, gettext_lazy("relevance")),
    (SORT_NAME, gettext_lazy("name")),
    (SORT_DISTANCE, gettext_lazy("distance")),
    (SORT_DISTRICT, gettext_lazy("district")),
]
FACET_FIELDS = {
    "life_phase": "lebensphase",
    "field_of_action": "handlungsfeld",
    "district": "sozialraum",
    "language": "sprache",
    "accessibility": "barrierefreiheit",
    "weekday": "wochentag",
}


class _CoordinateField(forms.FloatField):
    """A coordinate with a decimal point or a decimal comma ("50,94")."""

    def to_python(self, value: Any) -> float | None:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class _GermanOptions:
    """A choice widget whose options in `german_values` are German data (a
    municipality's own term, a district's name): marked `lang="de"` in a
    non-German interface (WCAG 3.1.2), an option of a select on the `<option>`,
    a checkbox on its label."""

    german_values: frozenset[str] = frozenset()
    lang_on_label = False

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)  # type: ignore[misc]
        if str(option["value"]) in self.german_values and not interface_is_german():
            if self.lang_on_label:
                option["label_lang"] = "de"
            else:
                option["attrs"]["lang"] = "de"
        return option


class _GermanSelect(_GermanOptions, forms.Select):
    pass


class _GermanCheckboxes(_GermanOptions, forms.CheckboxSelectMultiple):
    option_template_name = "directory/widgets/_lang_checkbox_option.html"
    lang_on_label = True


class _InterfaceText(str):
    """A choice label in the interface's language among German data ("all of Porz")."""


class GuideForm(forms.Form):
    """The guide's search form (GET). Choices come from the municipality's (or
    every municipality's) vocabularies; counts are added after the search."""

    q = forms.CharField(label=gettext_lazy("Search term"), max_length=200, required=False)
    alter = forms.DecimalField(
        label=gettext_lazy("Age of the child (years)"),
        min_value=Decimal(0),
        max_value=Decimal(27),
        max_digits=4,
        decimal_places=1,
        required=False,
        localize=True,
    )
    lebensphase = forms.ChoiceField(
        label=gettext_lazy("Life phase"), required=False, widget=_GermanSelect
    )
    handlungsfeld = forms.ChoiceField(
        label=gettext_lazy("Field of action"), required=False, widget=_GermanSelect
    )
    sozialraum = forms.TypedChoiceField(
        label=gettext_lazy("District"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=_GermanSelect,
    )
    # Any ISO 639 code is a valid filter; the list offers the languages of the matches.
    sprache = forms.RegexField(
        label=gettext_lazy("Language"),
        regex=r"^[a-z]{2,3}$",
        required=False,
        widget=forms.Select,
        error_messages={"invalid": gettext_lazy("Please choose a language from the list.")},
    )
    kostenlos = forms.BooleanField(label=gettext_lazy("free of charge only"), required=False)
    barrierefreiheit = forms.MultipleChoiceField(
        label=gettext_lazy("Accessibility"), required=False, widget=_GermanCheckboxes
    )
    wochentag = forms.TypedChoiceField(
        label=gettext_lazy("Open on"), coerce=int, required=False, empty_value=None
    )
    sortierung = forms.ChoiceField(
        label=gettext_lazy("Sort by"), choices=SORT_CHOICES, required=False
    )
    ab = forms.CharField(
        label=gettext_lazy("Distance from (address, postal code, district or coordinates)"),
        max_length=200,
        required=False,
    )
    ab_sozialraum = forms.TypedChoiceField(
        label=gettext_lazy("Distance from district"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=_GermanSelect,
    )
    lat = _CoordinateField(
        label=gettext_lazy("Latitude"),
        min_value=origins.LATITUDE_RANGE[0],
        max_value=origins.LATITUDE_RANGE[1],
        required=False,
    )
    lon = _CoordinateField(
        label=gettext_lazy("Longitude"),
        min_value=origins.LONGITUDE_RANGE[0],
        max_value=origins.LONGITUDE_RANGE[1],
        required=False,
    )
    # never an error: the page comes from the result's links, not from the form
    seite = forms.CharField(required=False)

    def __init__(self, *args: Any, municipality: Municipality | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        anything = [("", _("any"))]
        # (code, shown name, translated?): defaults in the interface's language
        phases: list[tuple[str, str, bool]]
        fields: list[tuple[str, str, bool]]
        features: list[tuple[str, str, bool]]
        if municipality is not None:
            phases = _shown(selectors.life_phases_of(municipality))
            fields = _shown(selectors.fields_of_action(municipality))
            features = _shown(selectors.accessibility_features(municipality))
            districts = district_choices(municipality)
        else:
            seen: dict[str, str] = {}
            for code, name in LifePhase.objects.order_by("position", "min_age_months").values_list(
                "code", "name"
            ):
                seen.setdefault(code, name)
            phases = [
                (code, *defaults.shown_name(defaults.LIFE_PHASE, code, name))
                for code, name in seen.items()
            ]
            fields = _default_terms(Taxonomy.FIELDS_OF_ACTION)
            features = _default_terms(Taxonomy.ACCESSIBILITY)
            districts = []
        for field_name, entries in (
            ("lebensphase", phases),
            ("handlungsfeld", fields),
            ("barrierefreiheit", features),
        ):
            field = self.fields[field_name]
            field.choices = (anything if field_name != "barrierefreiheit" else []) + [
                (code, name) for code, name, _translated in entries
            ]
            field.widget.german_values = frozenset(
                code for code, _name, translated in entries if not translated
            )
        self.fields["wochentag"].choices = anything + [(d.value, d.label) for d in Weekday]
        self.fields["sprache"].widget.choices = anything + [
            (code, language_name(code)) for code in _language_codes(self.data.get("sprache"))
        ]
        if municipality is None:
            self.fields["ab"].label = gettext_lazy("Distance from (coordinates)")
        if districts:
            self.fields["sozialraum"].choices = anything + districts
            self.fields["ab_sozialraum"].choices = [
                ("", pgettext("origin district", "none")),
                *districts,
            ]
            # district names (and levels: "Stadtbezirk Porz") are German
            german = frozenset(
                str(pk)
                for pk, label in flat_choices(districts)
                if not isinstance(label, _InterfaceText)
            )
            self.fields["sozialraum"].widget.german_values = german
            self.fields["ab_sozialraum"].widget.german_values = german
        else:
            del self.fields["sozialraum"]
            del self.fields["ab_sozialraum"]

    def clean_ab(self) -> Origin | None:
        text = self.cleaned_data.get("ab") or ""
        if not text.strip():
            return None
        origin = origins.resolve(text, self.municipality)
        if origin is None and origins.coordinates_outside_germany(text):
            raise forms.ValidationError(
                _("The coordinates “%(text)s” do not lie in Germany.") % {"text": text}
            )
        if origin is None:
            raise forms.ValidationError(
                _(
                    "“%(text)s” was not found. kette looks addresses up only among the "
                    "places of its own offers (no outside service): please give a district, "
                    "a postal code or a street with offers, or coordinates such as "
                    "“50.94, 6.96”."
                )
                % {"text": text}
                if self.municipality is not None
                else _(
                    "Across the programme, distances are measured from coordinates such as "
                    "“50.94, 6.96”; addresses and districts work in a municipality's guide."
                )
            )
        return origin

    def clean_seite(self) -> int:
        """The page asked for: a number that is no page (0, -1, "abc", "1.5") is
        the first page, one past MAX_PAGE the last page looked at (beyond the
        last one: the page says so and links to the first)."""
        try:
            number = int(self.cleaned_data.get("seite") or 1)
        except ValueError:
            return 1
        return min(max(number, 1), MAX_PAGE)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given = {name for name in ("lat", "lon") if self.data.get(name, "").strip()}
        if len(given) == 1:
            raise forms.ValidationError(_("Please give both latitude and longitude."))
        return data

    def guide_query(self) -> GuideQuery:
        """The search the valid part of the input asks for (invalid fields are
        left out and reported by the form)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        origin = None
        if data.get("ab") is not None:
            origin = data["ab"].point
        elif data.get("lat") is not None and data.get("lon") is not None:
            origin = Point(data["lat"], data["lon"])
        elif data.get("ab_sozialraum"):
            district = District.objects.for_municipality(self.municipality).get(
                pk=data["ab_sozialraum"]
            )
            origin = district_centroid(district)
        return GuideQuery(
            query=data.get("q") or "",
            age_years=data.get("alter"),
            life_phase=data.get("lebensphase") or "",
            field_of_action=data.get("handlungsfeld") or "",
            district=data.get("sozialraum"),
            language=data.get("sprache") or "",
            free_of_charge=bool(data.get("kostenlos")),
            accessibility=tuple(data.get("barrierefreiheit") or ()),
            weekday=data.get("wochentag"),
            sort=data.get("sortierung") or SORT_RELEVANCE,
            origin=origin,
            page=data.get("seite") or 1,
            per_page=PER_PAGE,
        )


def district_choices(municipality: Municipality) -> list[Any]:
    """The municipality's districts as choices: without nesting a list by name;
    with it, a group (`<optgroup>`) per district that has parts (a Stadtbezirk):
    first the district as a whole, labelled with its level ("Stadtbezirk Porz",
    else "ganz Porz"), then its parts by name; districts that neither have nor
    are parts come first. So a Stadtbezirk and a Stadtteil of the same name
    stay apart, with or without JavaScript."""
    rows = list(
        District.objects.for_municipality(municipality)
        .order_by(german("name"), "code")
        .values_list("pk", "name", "level", "parent_id")
    )
    parent_of = {pk: parent_id for pk, _name, _level, parent_id in rows}
    with_parts = {parent_id for parent_id in parent_of.values() if parent_id is not None}
    if not with_parts:
        return [(pk, name) for pk, name, _level, _parent in rows]

    def label(pk: int, name: str, level: str) -> str:
        if pk not in with_parts:
            return name
        if level:
            return f"{level} {name}"
        return _InterfaceText(_("all of %(name)s") % {"name": name})

    def top(pk: int) -> int:
        seen = {pk}
        while parent_of.get(pk) is not None and parent_of[pk] not in seen:
            pk = parent_of[pk]
            seen.add(pk)
        return pk

    parts: dict[int, list[tuple[int, str]]] = {}
    for pk, name, level, _parent in rows:
        root = top(pk)
        if root != pk:
            parts.setdefault(root, []).append((pk, label(pk, name, level)))
    alone: list[Any] = []
    groups: list[Any] = []
    for pk, name, level, _parent in rows:
        if pk in parts:
            whole = label(pk, name, level)
            groups.append((whole, [(pk, whole), *parts[pk]]))
        elif top(pk) == pk:
            alone.append((pk, name))
    return alone + groups


def flat_choices(choices: Any) -> list[tuple[Any, Any]]:
    """Choices with their groups (`<optgroup>`) dissolved."""
    flat = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            flat.extend(label)
        else:
            flat.append((value, label))
    return flat


def _default_terms(taxonomy_slug: str) -> list[tuple[str, str, bool]]:
    return [
        (code, *defaults.shown_name(defaults.TERM, code, name))
        for code, name in TaxonomyTerm.objects.filter(
            taxonomy__slug=taxonomy_slug, municipality=None
        )
        .order_by("position", "name")
        .values_list("code", "name")
    ]


def _shown(entries: Any) -> list[tuple[str, str, bool]]:
    """Vocabulary entries as (code, name shown in the interface, translated?)."""
    return [(entry.code, entry.display_name, entry.name_translated) for entry in entries]


def _language_codes(*extra: str | None) -> list[str]:
    """German first, then the given codes (e.g. the languages of the matches) by name."""
    codes = {"de", *(code for code in extra if code and len(code) <= 3 and code.isalpha())}
    return sorted(codes, key=lambda code: (code != "de", language_name(code)))


def wants_json(request: HttpRequest) -> bool:
    if request.GET.get("format") == "json":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


class _GuideBase(TemplateView):
    """Search view of the guide (municipal or programme-wide)."""

    template_name = "directory/guide/search.html"
    municipality: Municipality | None = None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = GuideForm(request.GET or None, municipality=self.municipality)
        if form.is_bound:
            form.is_valid()
        guide = form.guide_query() if form.is_bound else GuideQuery(per_page=PER_PAGE)
        # API clients that need no counts may skip them: ?format=json&facets=off
        with_facets = not (wants_json(request) and request.GET.get("facets") == "off")
        result = guide_search(guide, municipality=self.municipality, with_facets=with_facets)
        for service in result.services:
            service.age_text = age_text(service)
        # The landing page too: its search (no criteria) counts every offer.
        _add_counts(form, result)
        if wants_json(request):
            response: HttpResponse = self.json_response(request, form, guide, result)
        else:
            response = self.html_response(request, form, guide, result)
        # The same URL answers HTML or JSON by the Accept header: caches must
        # keep them apart.
        patch_vary_headers(response, ("Accept",))
        return response

    def html_response(
        self, request: HttpRequest, form: GuideForm, guide: GuideQuery, result: SearchResult
    ) -> HttpResponse:
        page_url = _page_url(request)
        context = self.get_context_data(
            form=form,
            guide=guide,
            result=result,
            markers=_markers(result, request),
            list_start=(result.page - 1) * result.per_page + 1,
            next_url=page_url(result.page + 1) if result.has_next else None,
            previous_url=page_url(result.page - 1) if result.has_previous else None,
            searched=form.is_bound,
            free_count=result.facets.get("free_of_charge", {}).get("true", 0),
            # distance asked for without a starting point: sorted by relevance
            distance_without_origin=guide.sort == SORT_DISTANCE and guide.origin is None,
            beyond_last_page=result.total > 0 and not result.services,
            first_page_url=page_url(1),
        )
        return self.render_to_response(context)

    def json_response(
        self, request: HttpRequest, form: GuideForm, guide: GuideQuery, result: SearchResult
    ) -> JsonResponse:
        if form.is_bound and form.errors:
            errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        else:
            errors = {}
        page_url = _page_url(request)
        data = {
            "query": guide.query,
            "also_searched": result.also_searched,
            # misspelt words corrected when the query as typed found nothing
            "corrected_query": result.corrected_query or None,
            "corrections": [
                {"typed": typed, "searched": word} for typed, word in result.corrections
            ],
            "sort": guide.sort,
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "num_pages": result.num_pages,
            "next_url": page_url(result.page + 1) if result.has_next else None,
            "previous_url": page_url(result.page - 1) if result.has_previous else None,
            "results": [
                {
                    "id": service.pk,
                    "name": service.name,
                    "organisation": service.organization.name,
                    "municipality": service.municipality.name,
                    "url": request.build_absolute_uri(detail_url(service)),
                    "distance_km": (
                        round(service.distance_km, 2) if service.distance_km is not None else None
                    ),
                    "min_age_months": service.min_age_months,
                    "max_age_months": service.max_age_months,
                    "free_of_charge": service.is_free,
                    "locations": [
                        {
                            "address": loc.address_1,
                            "postal_code": loc.postal_code,
                            "city": loc.city,
                            "district": loc.district.name if loc.district else None,
                            "latitude": float(loc.latitude) if loc.latitude is not None else None,
                            "longitude": (
                                float(loc.longitude) if loc.longitude is not None else None
                            ),
                        }
                        for loc in service.guide_locations
                    ],
                }
                for service in result.services
            ],
            "facets": {
                name: [
                    {"value": option["value"], "label": option["label"], "count": option["count"]}
                    for option in options
                ]
                for name, options in _facet_options(form, result).items()
            },
            "errors": errors,
        }
        return JsonResponse(
            data,
            status=400 if errors else 200,
            json_dumps_params={"ensure_ascii": False},
        )


def _facet_options(form: GuideForm, result: SearchResult) -> dict[str, list[dict[str, Any]]]:
    """Per facet the values with their counts, labelled like the form's choices."""
    options: dict[str, list[dict[str, Any]]] = {}
    for facet, field_name in FACET_FIELDS.items():
        counts = result.facets.get(facet, {})
        field = form.fields.get(field_name)
        if field is None:
            choices = []
        elif isinstance(field, forms.RegexField):
            choices = list(field.widget.choices)
        else:
            choices = flat_choices(field.choices)
        labels = {str(value): str(label) for value, label in choices}
        labels.pop("", None)
        values = list(labels) if labels else []
        values += [value for value in counts if value not in labels]
        options[facet] = [
            {
                "value": value,
                "label": _strip_count(labels.get(value))
                or (language_name(value) if facet == "language" else value),
                "count": counts.get(value, 0),
            }
            for value in values
            if counts.get(value, 0) or facet != "language"
        ]
    options["free_of_charge"] = [
        {
            "value": "true",
            "label": _("free of charge"),
            "count": result.facets.get("free_of_charge", {}).get("true", 0),
        }
    ]
    return options


def _strip_count(label: str | None) -> str:
    if label and label.endswith(")") and " (" in label:
        return label.rsplit(" (", 1)[0]
    return label or ""


def _add_counts(form: GuideForm, result: SearchResult) -> None:
    """Show the number of matching offers after each choice: "Bildung (12)"."""
    for facet, field_name in FACET_FIELDS.items():
        field = form.fields.get(field_name)
        if field is None:
            continue
        counts = result.facets.get(facet, {})
        if facet == "language":
            codes = _language_codes(*counts, form.data.get("sprache"))
            field.widget.choices = [
                ("", _("any")),
                *((code, f"{language_name(code)} ({counts.get(code, 0)})") for code in codes),
            ]
            continue
        field.choices = [(value, _counted(counts, value, label)) for value, label in field.choices]


def _counted(counts: dict[str, int], value: Any, label: Any) -> Any:
    """A choice's label with its count; a group's options with theirs."""
    if isinstance(label, list | tuple):
        return [(v, _counted(counts, v, option)) for v, option in label]
    return f"{label} ({counts.get(str(value), 0)})" if value != "" else label


def _page_url(request: HttpRequest) -> Any:
    def page_url(number: int) -> str:
        query = request.GET.copy()
        query["seite"] = str(number)
        return f"{request.path}?{query.urlencode()}"

    return page_url


def detail_url(service: Service) -> str:
    return reverse(
        "guide:detail",
        kwargs={"municipality_slug": service.municipality.slug, "service_pk": service.pk},
    )


def _marker_lang() -> str:
    """The language of the marker names (offers' and places' names are German)
    for the map popups' `lang`: empty in the German interface."""
    return "" if interface_is_german() else "de"


def _markers(result: SearchResult, request: HttpRequest) -> list[dict[str, Any]]:
    markers = []
    lang = _marker_lang()
    for service in result.services:
        for location in service.guide_locations:
            if location.latitude is None or location.longitude is None:
                continue
            markers.append(
                {
                    "id": service.pk,
                    "name": service.name,
                    "url": detail_url(service),
                    "lat": float(location.latitude),
                    "lon": float(location.longitude),
                    "lang": lang,
                }
            )
    return markers


class ProgrammeGuideView(_GuideBase):
    """The guide across all municipalities of the programme."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["municipality"] = None
        return context


class MunicipalityGuideView(MunicipalityMixin, _GuideBase):
    """The guide of one municipality."""


class GuideDetailView(MunicipalityMixin, TemplateView):
    """A published offer's public page with schema.org JSON-LD and a print view."""

    template_name = "directory/guide/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        service = selectors.service_detail(self.municipality, self.kwargs["service_pk"])
        locations = [sal.location for sal in service.service_at_locations.all()]
        today = timezone.localdate()
        # the place's own opening hours too (they open the offer on their days
        # in the weekday filter), named by the place when there are several
        for location in locations:
            for hours in location.schedules.all():
                hours.place_name = (
                    (location.name or location.address_1) if len(locations) > 1 else ""
                )
        schedules = sorted(
            [
                s
                for s in [
                    *service.schedules.all(),
                    *(s for sal in service.service_at_locations.all() for s in sal.schedules.all()),
                    *(s for location in locations for s in location.schedules.all()),
                ]
                # hours that ended and dates that passed are not shown
                if not (s.valid_to and s.valid_to < today) and not (s.dtstart and s.dtstart < today)
            ],
            key=lambda s: (s.weekday or 8, str(s.opens_at or s.dtstart or "")),
        )
        public_phones = [p for p in service.phones.all() if p.contact_id is None]
        url = self.request.build_absolute_uri(detail_url(service))
        service.age_text = age_text(service)
        context.update(
            service=service,
            locations=locations,
            schedules=schedules,
            today=today,
            public_phones=public_phones,
            # German first, then by name (as in the search form)
            language_names=[
                name
                for _german, name in sorted(
                    (language.code != "de", language_name(language.code, language.name))
                    for language in service.languages.all()
                )
            ],
            life_phases=selectors.life_phases_of_service(service),
            share_url=url,
            json_ld=json_ld_script(schema_org(service, locations, schedules, public_phones, url)),
            markers=[
                {
                    "id": service.pk,
                    "name": location.name or service.name,
                    "url": "",
                    "lat": float(location.latitude),
                    "lon": float(location.longitude),
                    "lang": _marker_lang(),
                }
                for location in locations
                if location.latitude is not None and location.longitude is not None
            ],
            back_url=_search_left(self.request, self.municipality),
        )
        return context


def _search_left(request: HttpRequest, municipality: Municipality) -> str:
    """Where "back to the family guide" leads: the guide search the visitor came
    from (this site's municipality or programme guide, with its words, filters
    and page), else the municipality's guide. The browser sends the page it came
    from within the site (Django's referrer policy is same-origin)."""
    guide = reverse("guide:search", args=[municipality.slug])
    came_from = urlsplit(request.headers.get("referer", ""))
    if came_from.netloc != request.get_host() or came_from.path not in (
        guide,
        reverse("guide:programme"),
    ):
        return guide
    return came_from.path + (f"?{came_from.query}" if came_from.query else "")


def _years_text(months: int) -> str:
    return number_format(_years(months) or 0)


def age_text(service: Service) -> str:
    """The offer's ages in words: "0 bis unter 6 Jahre", "ab 10 Jahren", "unter 1 Jahr"."""
    low, high = service.min_age_months, service.max_age_months

    def n(months: int) -> int:  # singular for exactly one year
        return 1 if months == 12 else 2

    if low is not None and low < 0:
        if high is None:
            return _("from pregnancy")
        return ngettext(
            "from pregnancy to under %(high)s year",
            "from pregnancy to under %(high)s years",
            n(high),
        ) % {"high": _years_text(high)}
    if low is not None and high is not None:
        return ngettext(
            "%(low)s to under %(high)s year", "%(low)s to under %(high)s years", n(high)
        ) % {"low": _years_text(low), "high": _years_text(high)}
    if low is not None:
        return ngettext("from %(low)s year", "from %(low)s years", n(low)) % {
            "low": _years_text(low)
        }
    if high is not None:
        return ngettext("under %(high)s year", "under %(high)s years", n(high)) % {
            "high": _years_text(high)
        }
    return ""


def _years(months: int | None) -> float | None:
    if months is None:
        return None
    years = months / 12
    return int(years) if years == int(years) else round(years, 1)


def schema_org(
    service: Service, locations: list[Any], schedules: list[Any], phones: list[Any], url: str
) -> dict[str, Any]:
    """The offer as a schema.org Service (JSON-LD)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Service",
        "@id": url,
        "url": url,
        "name": service.name,
        "description": service.description,
        "identifier": str(service.id_hsds),
        "provider": {"@type": "Organization", "name": service.organization.name},
        "areaServed": [
            {"@type": "AdministrativeArea", "name": area.district.name}
            if area.district
            else {"@type": "City", "name": service.municipality.name}
            for area in service.service_areas.all()
        ]
        or [{"@type": "City", "name": service.municipality.name}],
        "isAccessibleForFree": service.is_free,
        "serviceType": [term.name for term in service.terms.all()],
    }
    if service.url:
        data["sameAs"] = service.url
    if service.email:
        data["email"] = service.email
    numbers = list(dict.fromkeys(phone.number for phone in phones))
    if numbers:
        data["telephone"] = numbers[0] if len(numbers) == 1 else numbers
    audience: dict[str, Any] = {"@type": "PeopleAudience"}
    if service.min_age_months is not None:
        audience["suggestedMinAge"] = max(0, _years(service.min_age_months) or 0)
    if service.max_age_months is not None:
        # kette's upper bound is exclusive ("bis unter 6"); schema.org's is the
        # oldest age still meant: a month below, in years with one decimal
        audience["suggestedMaxAge"] = max(
            0, math.floor((service.max_age_months - 1) / 12 * 10) / 10
        )
    if len(audience) > 1:
        data["audience"] = audience
    places = []
    for location in locations:
        place: dict[str, Any] = {"@type": "Place", "name": location.name or service.name}
        address = {
            key: value
            for key, value in (
                ("streetAddress", location.address_1),
                ("postalCode", location.postal_code),
                ("addressLocality", location.city),
            )
            if value
        }
        if address:  # a country alone says nothing about the place
            place["address"] = {
                "@type": "PostalAddress",
                **address,
                "addressCountry": location.country,
            }
        if location.latitude is not None and location.longitude is not None:
            place["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": float(location.latitude),
                "longitude": float(location.longitude),
            }
        places.append(place)
    if places:
        data["availableChannel"] = [
            {"@type": "ServiceChannel", "serviceLocation": place} for place in places
        ]
    hours = [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/" + str(Weekday(s.weekday).name.title()),
            **({"opens": s.opens_at.strftime("%H:%M")} if s.opens_at else {}),
            **({"closes": s.closes_at.strftime("%H:%M")} if s.closes_at else {}),
            **({"validFrom": s.valid_from.isoformat()} if s.valid_from else {}),
            **({"validThrough": s.valid_to.isoformat()} if s.valid_to else {}),
        }
        for s in schedules
        if s.weekday
    ]
    if hours:
        data["hoursAvailable"] = hours
        data["openingHours"] = [
            HSDS_WEEKDAYS[s.weekday].title()
            + (
                f" {s.opens_at.strftime('%H:%M')}-{s.closes_at.strftime('%H:%M')}"
                if s.opens_at and s.closes_at
                else ""
            )
            for s in schedules
            if s.weekday
        ]
    return data


def json_ld_script(data: dict[str, Any]) -> str:
    """JSON for a <script type="application/ld+json"> element, safe inside HTML."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    text = text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 (escaped above)
