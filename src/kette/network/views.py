"""Thin views of the network app under /k/<slug>/netzwerk/."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from kette.core.tenancy import MunicipalityMixin
from kette.network import analytics, diagrams, graph_export, selectors, services, transfer
from kette.network.forms import (
    KIND_LABELS,
    AsOfForm,
    NetworkFilterForm,
    NetworkImportForm,
    SectorFormSet,
)
from kette.network.models import BodyMembership, Sector


def _grouped_by_sector(
    members: list[BodyMembership],
) -> list[tuple[Sector | None, list[BodyMembership]]]:
    groups: dict[Any, tuple[Sector | None, list[BodyMembership]]] = {}
    for membership in members:
        sector = selectors.sector_of(analytics.member_organization(membership))
        key = sector.pk if sector else None
        groups.setdefault(key, (sector, []))[1].append(membership)
    return sorted(
        groups.values(),
        key=lambda g: (g[0] is None, g[0].position if g[0] else 0, g[0].name if g[0] else ""),
    )


class SteeringStructureView(MunicipalityMixin, TemplateView):
    """The steering structure: bodies as a nested list with their members by sector and
    the three quality measures, and the same as a diagram."""

    template_name = "network/structure.html"
    permission_required = "network.read_structure"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = AsOfForm(self.request.GET or None)
        day = form.day()
        roots = selectors.body_tree(self.municipality, day)
        qualities = analytics.steering_quality(self.municipality, day)
        for node in selectors.flatten(roots):
            node.quality = qualities.get(node.body.pk)  # type: ignore[attr-defined]
            node.groups = _grouped_by_sector(node.members)  # type: ignore[attr-defined]
        context.update(
            form=form,
            day=day,
            roots=roots,
            diagram=diagrams.tree_diagram(roots, qualities),
            sectors=list(selectors.sectors_of(self.municipality)),
            show_names=self.request.user.has_perm("network.read_people", self.municipality),
        )
        return context


def _network_filter(
    request: HttpRequest, municipality: Any
) -> tuple[NetworkFilterForm, analytics.NetworkFilter]:
    """The filter of the network page and its exports, from the GET parameters (bad
    values are reported by the form and ignored)."""
    form = NetworkFilterForm(request.GET or None, municipality=municipality)
    data = form.cleaned_data if form.is_valid() else {}
    flt = analytics.NetworkFilter(
        day=form.day(),
        kinds=list(data.get("art") or []),
        sector_ids=[s.pk for s in data.get("sektor") or []],
        body_id=data["gremium"].pk if data.get("gremium") else None,
    )
    return form, flt


def _comparison(
    current: analytics.NetworkMeasures, earlier: analytics.NetworkMeasures
) -> list[tuple[str, Any, Any, Any]]:
    """(label, on the comparison day, on the chosen day, change) for the headline measures."""
    from django.utils.translation import gettext as _

    def row(label: str, old: Any, new: Any) -> tuple[str, Any, Any, Any]:
        change = None if old is None or new is None else new - old
        return (label, old, new, change)

    return [
        row(_("Organisations"), earlier.nodes, current.nodes),
        row(_("Cooperations (pairs)"), earlier.edges, current.edges),
        row(_("Density"), earlier.density, current.density),
        row(_("separate components"), len(earlier.components), len(current.components)),
        row(_("Organisations without cooperation"), len(earlier.isolates), len(current.isolates)),
        row(
            _("Cut points"),
            len(earlier.articulation_points),
            len(current.articulation_points),
        ),
        row(_("E-I index overall"), earlier.ei_overall.value, current.ei_overall.value),
    ]


class NetworkView(MunicipalityMixin, TemplateView):
    """The cooperation network with filters, measures, tables and a drawing."""

    template_name = "network/network.html"
    permission_required = "network.read_structure"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form, flt = _network_filter(self.request, self.municipality)
        analysis = analytics.analyse_network(self.municipality, flt)
        compare_day = form.compare_day()
        if compare_day is not None:
            earlier = analytics.analyse_network(
                self.municipality,
                analytics.NetworkFilter(
                    day=compare_day,
                    kinds=flt.kinds,
                    sector_ids=flt.sector_ids,
                    body_id=flt.body_id,
                ),
            )
            context["compare_day"] = compare_day
            context["comparison"] = _comparison(analysis.measures, earlier.measures)
        measures = analysis.measures
        community_of = measures.community_of
        articulation = set(measures.articulation_points)
        rows = []
        numbers: dict[int, int] = {}
        for number, (pk, org) in enumerate(
            sorted(analysis.organizations.items(), key=lambda kv: kv[1].name), start=1
        ):
            numbers[pk] = number
            rows.append(
                {
                    "number": number,
                    "organization": org,
                    "sector": selectors.sector_of(org),
                    "degree": measures.degree.get(pk, 0),
                    "betweenness": measures.betweenness.get(pk, 0.0),
                    "community": community_of.get(pk, 0) + 1,
                    "articulation": pk in articulation,
                }
            )
        edges = []
        kind_labels = dict(NetworkFilterForm.base_fields["art"].choices)  # type: ignore[attr-defined]
        for a, b, edge in analysis.graph.edges(data=True):
            org_a, org_b = analysis.organizations[a], analysis.organizations[b]
            if org_b.name < org_a.name:
                org_a, org_b = org_b, org_a
            edges.append(
                {
                    "a": org_a,
                    "b": org_b,
                    "kinds": [kind_labels.get(k, k) for k in edge["kinds"]],
                    "strength": edge["weight"],
                }
            )
        edges.sort(key=lambda e: (e["a"].name, e["b"].name))
        ei = [
            (analysis.sectors[pk], value)
            for pk, value in measures.ei_by_sector.items()
            if pk in analysis.sectors
        ]
        ei.sort(key=lambda item: (item[0].position, item[0].name))
        context.update(
            form=form,
            day=flt.day,
            analysis=analysis,
            measures=measures,
            rows=rows,
            edges=edges,
            brokers=[(analysis.organizations[pk], b) for pk, b in measures.brokers[:5]],
            articulation_points=[analysis.organizations[pk] for pk in measures.articulation_points],
            isolates=[analysis.organizations[pk] for pk in measures.isolates],
            communities=[
                sorted(analysis.organizations[pk].name for pk in c) for c in measures.communities
            ],
            ei=ei,
            drawing=diagrams.graph_drawing(analysis, numbers),
            sectors=list(selectors.sectors_of(self.municipality)),
            kind_styles=[
                (label, diagrams.KIND_STYLE[value]) for value, label in kind_labels.items()
            ],
        )
        return context


class NetworkExportView(MunicipalityMixin, View):
    """The filtered network as GraphML, GEXF or CSV node/edge list."""

    permission_required = "network.read_structure"
    kind = "graphml"
    FORMATS = {
        "graphml": ("application/graphml+xml", "graphml", graph_export.graphml),
        "gexf": ("application/gexf+xml", "gexf", graph_export.gexf),
        "nodes": ("text/csv; charset=utf-8", "knoten.csv", graph_export.nodes_csv),
        "edges": ("text/csv; charset=utf-8", "kanten.csv", graph_export.edges_csv),
    }

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _form, flt = _network_filter(request, self.municipality)
        analysis = analytics.analyse_network(self.municipality, flt)
        content_type, suffix, render = self.FORMATS[self.kind]
        response = HttpResponse(render(analysis), content_type=content_type)
        filename = f"kooperationen-{self.municipality.slug}-{flt.day:%Y-%m-%d}.{suffix}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class PeopleView(MunicipalityMixin, TemplateView):
    """The people of the network with their contact details (municipality roles only)."""

    template_name = "network/people.html"
    permission_required = "network.read_people"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["people"] = selectors.people_of(self.municipality)
        return context


class NetworkImportView(MunicipalityMixin, FormView):
    """Upload a CSV/XLSX file of organisations, people, memberships or ties: every row
    is checked first; problems are listed by row and column, nothing is saved then."""

    template_name = "network/import.html"
    permission_required = "network.manage_network"
    form_class = NetworkImportForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kinds"] = [
            (kind, label, transfer.COLUMNS[kind], transfer.REQUIRED[kind])
            for kind, label in KIND_LABELS
        ]
        context["can_export"] = self.request.user.has_perm("network.read_people", self.municipality)
        return context

    def form_valid(self, form: NetworkImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            header, rows = transfer.read_bytes(upload.name, upload.read())
            result = transfer.import_rows(
                actor=self.request.user,  # type: ignore[arg-type]
                municipality=self.municipality,
                kind=form.cleaned_data["kind"],
                header=header,
                rows=rows,
                dry_run=form.cleaned_data["dry_run"],
            )
        except transfer.ImportRejected as rejected:
            return self.render_to_response(
                self.get_context_data(form=form, problems=[str(p) for p in rejected.problems])
            )
        if result.dry_run:
            text = _(
                "Trial run: %(rows)d rows checked, no errors. Importing would create "
                "%(created)d new entries and update %(updated)d."
            )
        else:
            text = _("%(rows)d rows imported: %(created)d created, %(updated)d updated.")
        messages.success(
            self.request,
            text % {"rows": result.rows, "created": result.created, "updated": result.updated},
        )
        return redirect("network:import", municipality_slug=self.municipality.slug)


class NetworkDataExportView(MunicipalityMixin, View):
    """Download organisations, people, memberships or ties (?art=…&format=csv|xlsx);
    people are pseudonymised unless ?namen=1."""

    permission_required = "network.read_people"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        kind = request.GET.get("art", "")
        fmt = request.GET.get("format", "xlsx")
        if kind not in transfer.KINDS or fmt not in ("csv", "xlsx"):
            raise Http404
        with_names = request.GET.get("namen") == "1"
        header, rows = transfer.export_rows(
            municipality=self.municipality, kind=kind, with_names=with_names
        )
        filename = f"netzwerk-{kind}-{self.municipality.slug}.{fmt}"
        content_type = (
            "text/csv; charset=utf-8"
            if fmt == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response = HttpResponse(
            transfer.table_bytes(filename, header, rows), content_type=content_type
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class SectorsView(MunicipalityMixin, TemplateView):
    """The municipality's sector set: names, core flags and colours (coordinator)."""

    template_name = "network/sectors.html"
    permission_required = "network.manage_sectors"

    def _sectors(self) -> list[Any]:
        return list(selectors.sectors_of(self.municipality))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        sectors = self._sectors()
        if not sectors:
            sectors = services.sectors_ensure_defaults(
                self.municipality,
                actor=request.user,  # type: ignore[arg-type]
            )
        formset = SectorFormSet(
            initial=[{"name": s.name, "is_core": s.is_core, "color": s.color} for s in sectors]
        )
        return self.render_to_response(self.get_context_data(formset=formset, sectors=sectors))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        sectors = self._sectors()
        formset = SectorFormSet(
            request.POST,
            initial=[{"name": s.name, "is_core": s.is_core, "color": s.color} for s in sectors],
        )
        if not formset.is_valid() or len(formset.forms) != len(sectors):
            return self.render_to_response(
                self.get_context_data(formset=formset, sectors=sectors), status=400
            )
        names = [form.cleaned_data["name"] for form in formset.forms]
        if len(set(names)) != len(names):
            formset._non_form_errors = formset.error_class(  # type: ignore[attr-defined]
                [_("Every sector needs a name of its own.")]
            )
            return self.render_to_response(
                self.get_context_data(formset=formset, sectors=sectors), status=400
            )
        for sector, form in zip(sectors, formset.forms, strict=True):
            if form.has_changed():
                services.sector_update(
                    actor=request.user,  # type: ignore[arg-type]
                    sector=sector,
                    name=form.cleaned_data["name"],
                    is_core=form.cleaned_data["is_core"],
                    color=form.cleaned_data["color"].lower(),
                )
        messages.success(request, _("The sectors have been saved."))
        return redirect("network:sectors", municipality_slug=self.municipality.slug)
