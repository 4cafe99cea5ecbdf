"""Thin views of the network app under /k/<slug>/netzwerk/."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from kette.core.selectors import default_programme
from kette.core.tenancy import MunicipalityMixin
from kette.network import analytics, diagrams, graph_export, selectors, services, transfer
from kette.network.forms import (
    KIND_LABELS,
    AsOfForm,
    BodyForm,
    CooperationForm,
    MembershipForm,
    NetworkFilterForm,
    NetworkImportForm,
    PersonForm,
    SectorCreateForm,
    SectorFormSet,
)
from kette.network.models import Body, BodyMembership, Cooperation, Person, Sector


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
            can_manage=self.request.user.has_perm("network.manage_network", self.municipality),
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
            can_manage=self.request.user.has_perm("network.manage_network", self.municipality),
            sample_size=analytics.BETWEENNESS_SAMPLE,
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
        context["can_manage"] = self.request.user.has_perm(
            "network.manage_network", self.municipality
        )
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
        messages.success(self.request, result.summary())
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

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rows"] = list(zip(context["formset"].forms, context["sectors"], strict=False))
        return context

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


# ---------------------------------------------------------------------------
# Editing one record at a time (coordinators and editors)
# ---------------------------------------------------------------------------


def _show_service_errors(form: Form, error: ValidationError) -> None:
    """Put a service's validation error on the form: on the field it names when the
    form has that field, above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, texts in error.message_dict.items():
        form.add_error(name if name in form.fields else None, texts)


class _EditView(MunicipalityMixin, FormView):
    """Create or change one record through a service; `save` returns the success
    message, `success_url` where to go next."""

    template_name = "network/object_form.html"
    permission_required = "network.manage_network"
    title: Any = ""

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["municipality"] = self.municipality
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["cancel_url"] = self.get_success_url()
        return context

    def save(self, data: dict[str, Any]) -> str:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            text = self.save(form.cleaned_data)
        except ValidationError as error:
            _show_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, text)
        return redirect(self.get_success_url())


class _DeleteView(MunicipalityMixin, TemplateView):
    """GET: ask for confirmation; POST: delete through a service, or explain why not."""

    template_name = "network/confirm_delete.html"
    permission_required = "network.manage_network"

    def target(self) -> Any:
        raise NotImplementedError

    def delete(self, obj: Any) -> str:
        raise NotImplementedError

    def back_url(self) -> str:
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(object=self.target(), cancel_url=self.back_url())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj, back = self.target(), self.back_url()  # the way back may need the object
        try:
            text = self.delete(obj)
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(problems=error.messages), status=409
            )
        messages.success(request, text)
        return redirect(back)


def _actor(request: HttpRequest) -> Any:
    return request.user


class _BodyEditMixin:
    municipality: Any
    kwargs: dict[str, Any]

    def body(self) -> Body:
        return get_object_or_404(selectors.bodies_of(self.municipality), pk=self.kwargs["body_pk"])


def _body_links(data: dict[str, Any]) -> dict[str, Any]:
    """The body form's data as the service takes it."""
    return {
        **data,
        "life_phases": list(data["life_phases"]),
        "fields_of_action": list(data["fields_of_action"]),
    }


class BodyCreateView(_EditView):
    form_class = BodyForm
    title = gettext_lazy("New body")

    def get_initial(self) -> dict[str, Any]:
        parent = self.request.GET.get("oberhalb")
        return {"parent": parent} if parent and parent.isdigit() else {}

    def save(self, data: dict[str, Any]) -> str:
        self.created = services.body_create(
            actor=_actor(self.request), municipality=self.municipality, **_body_links(data)
        )
        return _("The body %(name)s has been created.") % {"name": self.created.name}

    def get_success_url(self) -> str:
        created = getattr(self, "created", None)
        if created is not None:
            return reverse("network:body_edit", args=[self.municipality.slug, created.pk])
        return reverse("network:structure", args=[self.municipality.slug])


class BodyEditView(_BodyEditMixin, _EditView):
    """A body's details and its memberships (active and ended) with their links."""

    form_class = BodyForm
    template_name = "network/body_form.html"

    title = gettext_lazy("Edit body")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["body"] = self.object = self.body()
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        body = self.body()
        return {
            "name": body.name,
            "kind": body.kind,
            "parent": body.parent_id,
            "mandate": body.mandate,
            "meeting_rhythm": body.meeting_rhythm,
            "life_phases": list(body.life_phases.all()),
            "fields_of_action": list(body.fields_of_action.all()),
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["body"] = self.object
        context["memberships"] = selectors.memberships_of_body(self.object)
        return context

    def save(self, data: dict[str, Any]) -> str:
        body = services.body_update(
            actor=_actor(self.request), body=self.body(), **_body_links(data)
        )
        return _("The body %(name)s has been saved.") % {"name": body.name}

    def get_success_url(self) -> str:
        return (
            reverse("network:structure", args=[self.municipality.slug])
            + f"#gremium-{self.kwargs['body_pk']}"
        )


class BodyDeleteView(_BodyEditMixin, _DeleteView):
    def target(self) -> Body:
        return self.body()

    def delete(self, obj: Body) -> str:
        services.body_delete(actor=_actor(self.request), body=obj)
        return _("The body %(name)s has been deleted.") % {"name": obj.name}

    def back_url(self) -> str:
        return reverse("network:structure", args=[self.municipality.slug])


def _membership_data(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "level": data["level"] or None}


class MembershipCreateView(_BodyEditMixin, _EditView):
    form_class = MembershipForm

    title = gettext_lazy("Add a member")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["subtitle"] = self.body().name
        return context

    def save(self, data: dict[str, Any]) -> str:
        services.body_membership_add(
            actor=_actor(self.request), body=self.body(), **_membership_data(data)
        )
        return _("The member has been added.")

    def get_success_url(self) -> str:
        return reverse("network:body_edit", args=[self.municipality.slug, self.kwargs["body_pk"]])


class _MembershipMixin:
    municipality: Any
    kwargs: dict[str, Any]

    def membership(self) -> BodyMembership:
        return get_object_or_404(
            selectors.memberships_of(self.municipality), pk=self.kwargs["body_membership_pk"]
        )

    def back_url(self) -> str:
        return reverse(
            "network:body_edit", args=[self.municipality.slug, self.membership().body_id]
        )


class MembershipEditView(_MembershipMixin, _EditView):
    form_class = MembershipForm

    title = gettext_lazy("Edit membership")

    def get_initial(self) -> dict[str, Any]:
        m = self.membership()
        return {
            "person": m.person_id,
            "organization": m.organization_id,
            "role": m.role,
            "level": m.level,
            "valid_from": m.valid_from,
            "valid_until": m.valid_until,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["subtitle"] = self.membership().body.name
        return context

    def save(self, data: dict[str, Any]) -> str:
        membership = self.membership()
        if not data["level"]:
            data = {**data, "level": data["person"].level}
        services.body_membership_update(actor=_actor(self.request), membership=membership, **data)
        return _("The membership has been saved.")

    def get_success_url(self) -> str:
        return self.back_url()


class MembershipDeleteView(_MembershipMixin, _DeleteView):
    def target(self) -> BodyMembership:
        return self.membership()

    def delete(self, obj: BodyMembership) -> str:
        services.body_membership_delete(actor=_actor(self.request), membership=obj)
        return _("The membership has been deleted.")


class _PersonMixin:
    municipality: Any
    kwargs: dict[str, Any]

    def person(self) -> Person:
        return get_object_or_404(
            selectors.people_of(self.municipality), pk=self.kwargs["person_pk"]
        )

    def back_url(self) -> str:
        return reverse("network:people", args=[self.municipality.slug])


class PersonCreateView(_PersonMixin, _EditView):
    form_class = PersonForm

    title = gettext_lazy("New person")

    def save(self, data: dict[str, Any]) -> str:
        person = services.person_create(
            actor=_actor(self.request), municipality=self.municipality, **data
        )
        return _("%(name)s has been added.") % {"name": person.name}

    def get_success_url(self) -> str:
        return self.back_url()


class PersonEditView(_PersonMixin, _EditView):
    form_class = PersonForm

    title = gettext_lazy("Edit person")

    def get_initial(self) -> dict[str, Any]:
        p = self.person()
        return {
            "name": p.name,
            "function": p.function,
            "organization": p.organization_id,
            "level": p.level,
            "email": p.email,
            "phone": p.phone,
            "legal_basis": p.legal_basis,
            "legal_basis_note": p.legal_basis_note,
        }

    def save(self, data: dict[str, Any]) -> str:
        person = services.person_update(actor=_actor(self.request), person=self.person(), **data)
        return _("%(name)s has been saved.") % {"name": person.name}

    def get_success_url(self) -> str:
        return self.back_url()


class PersonDeleteView(_PersonMixin, _DeleteView):
    def target(self) -> Person:
        return self.person()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Deleting takes the memberships along: name them and offer ending one instead.
        context["memberships"] = (
            selectors.memberships_of(self.municipality)
            .filter(person=context["object"])
            .order_by("body__name", "valid_from")
        )
        return context

    def delete(self, obj: Person) -> str:
        services.person_delete(actor=_actor(self.request), person=obj)
        return _("%(name)s and their memberships have been deleted.") % {"name": obj.name}


class CooperationListView(MunicipalityMixin, TemplateView):
    """Every recorded tie, ended ones included, with links to change them."""

    template_name = "network/cooperation_list.html"
    permission_required = "network.manage_network"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["ties"] = selectors.cooperations_of(self.municipality)
        return context


class _CooperationMixin:
    municipality: Any
    kwargs: dict[str, Any]

    def cooperation(self) -> Cooperation:
        return get_object_or_404(
            selectors.cooperations_of(self.municipality), pk=self.kwargs["cooperation_pk"]
        )

    def back_url(self) -> str:
        return reverse("network:cooperations", args=[self.municipality.slug])


class CooperationCreateView(_CooperationMixin, _EditView):
    form_class = CooperationForm

    title = gettext_lazy("New cooperation")

    def save(self, data: dict[str, Any]) -> str:
        services.cooperation_create(actor=_actor(self.request), **data)
        return _("The cooperation has been recorded.")

    def get_success_url(self) -> str:
        return self.back_url()


class CooperationEditView(_CooperationMixin, _EditView):
    form_class = CooperationForm

    title = gettext_lazy("Edit cooperation")

    def get_initial(self) -> dict[str, Any]:
        c = self.cooperation()
        return {
            "organization_a": c.organization_a_id,
            "organization_b": c.organization_b_id,
            "kind": c.kind,
            "strength": c.strength,
            "valid_from": c.valid_from,
            "valid_until": c.valid_until,
            "note": c.note,
        }

    def save(self, data: dict[str, Any]) -> str:
        services.cooperation_update(
            actor=_actor(self.request), cooperation=self.cooperation(), **data
        )
        return _("The cooperation has been saved.")

    def get_success_url(self) -> str:
        return self.back_url()


class CooperationDeleteView(_CooperationMixin, _DeleteView):
    def target(self) -> Cooperation:
        return self.cooperation()

    def delete(self, obj: Cooperation) -> str:
        services.cooperation_delete(actor=_actor(self.request), cooperation=obj)
        return _("The cooperation has been deleted.")


class SectorCreateView(_EditView):
    form_class = SectorCreateForm
    permission_required = "network.manage_sectors"
    title = gettext_lazy("New sector")

    def save(self, data: dict[str, Any]) -> str:
        sector = services.sector_create(
            actor=_actor(self.request),
            municipality=self.municipality,
            name=data["name"],
            is_core=data["is_core"],
            color=data["color"].lower(),
        )
        return _("The sector %(name)s has been added.") % {"name": sector.name}

    def get_success_url(self) -> str:
        return reverse("network:sectors", args=[self.municipality.slug])


class SectorDeleteView(_DeleteView):
    permission_required = "network.manage_sectors"

    def target(self) -> Sector:
        return get_object_or_404(
            selectors.sectors_of(self.municipality), pk=self.kwargs["sector_pk"]
        )

    def delete(self, obj: Sector) -> str:
        services.sector_delete(actor=_actor(self.request), sector=obj)
        return _("The sector %(name)s has been deleted.") % {"name": obj.name}

    def back_url(self) -> str:
        return reverse("network:sectors", args=[self.municipality.slug])


# ---------------------------------------------------------------------------
# Comparison across the programme's municipalities (coordination office)
# ---------------------------------------------------------------------------

# sort key in the URL → (column heading, attribute of MunicipalitySummary)
COMPARISON_COLUMNS = [
    ("kommune", gettext_lazy("Municipality"), "municipality.name"),
    ("mitglieder", gettext_lazy("Members"), "members"),
    ("intersektoralitaet", gettext_lazy("Intersectorality"), "intersectorality"),
    ("hochrangigkeit", gettext_lazy("Seniority"), "high_rank"),
    ("kernsektoren", gettext_lazy("Missing core sectors"), "core_missing"),
    ("organisationen", gettext_lazy("Organisations"), "organizations"),
    ("dichte", gettext_lazy("Density"), "density"),
    ("teilnetze", gettext_lazy("separate components"), "components"),
    ("isoliert", gettext_lazy("Organisations without cooperation"), "isolates"),
    ("vermittler", gettext_lazy("Brokers"), "brokers"),
    ("schluesselstellen", gettext_lazy("Cut points"), "articulation_points"),
]


def _sort_value(summary: analytics.MunicipalitySummary, attribute: str) -> Any:
    if attribute == "municipality.name":
        return summary.municipality.name
    value = getattr(summary, attribute)
    if attribute == "core_missing":
        return len(value)
    return -1.0 if value is None else value


class ProgrammeComparisonView(LoginRequiredMixin, TemplateView):
    """The network and steering measures of every programme municipality that has a
    steering group, side by side, sortable by any column (no names of people)."""

    template_name = "network/comparison.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not request.user.has_perm(
            "network.compare_municipalities"
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = AsOfForm(self.request.GET or None)
        day = form.day()
        programme = default_programme()
        rows = (
            analytics.programme_comparison(selectors.steering_bodies_of_programme(programme), day)
            if programme
            else []
        )
        order = self.request.GET.get("sortierung", "kommune")
        key = order.lstrip("-")
        attributes = {k: attribute for k, _label, attribute in COMPARISON_COLUMNS}
        if key not in attributes:
            order = key = "kommune"
        descending = order.startswith("-")
        rows.sort(key=lambda r: _sort_value(r, attributes[key]), reverse=descending)
        query = self.request.GET.copy()
        columns = []
        for column_key, label, _attribute in COMPARISON_COLUMNS:
            query["sortierung"] = (
                f"-{column_key}" if column_key == key and not descending else column_key
            )
            columns.append(
                {
                    "key": column_key,
                    "label": label,
                    "url": f"?{query.urlencode()}",
                    "sort": (
                        ("descending" if descending else "ascending") if column_key == key else ""
                    ),
                }
            )
        context.update(
            form=form,
            day=day,
            programme=programme,
            rows=rows,
            columns=columns,
            sampled=any(r.betweenness_sampled for r in rows),
        )
        return context
