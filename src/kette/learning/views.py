"""Thin views of the learning network: parse, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from kette.core.models import Programme, Role
from kette.core.pdf import PDF_MEDIA_TYPE, render_pdf
from kette.core.roles import roles_of
from kette.core.selectors import default_programme, municipality_by_slug
from kette.core.tenancy import MunicipalityMixin
from kette.core.text import german_slug
from kette.learning import exports, ical, selectors, services
from kette.learning.forms import (
    AgendaItemForm,
    ArticleForm,
    AttendanceForm,
    ContributionForm,
    MeetingDocumentForm,
    MeetingForm,
    MeetingPhotoForm,
    MinutesForm,
    PracticeExampleAttachmentForm,
    PracticeExampleForm,
    RegistrationForm,
    WalkInForm,
    WorkingGroupForm,
)
from kette.learning.models import Meeting, RegistrationStatus, WorkingGroup

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _programme() -> Programme:
    programme = default_programme()
    if programme is None:
        raise Http404
    return programme


def _apply_errors(form: Form, error: ValidationError) -> None:
    """Show a service's validation error on the form instead of failing."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _cancel_url_template() -> str:
    """The absolute cancellation link for mails, with `{token}` for the token (links
    in mails start with KETTE_BASE_URL, not with the address a request came in by)."""
    url = reverse("learning:cancel", kwargs={"cancel_token": "TOKEN"})
    return (settings.KETTE_BASE_URL.rstrip("/") + url).replace("TOKEN", "{token}")


class ProgrammeMixin:
    """Views of the programme's learning network; `permission_required` is checked
    against the programme."""

    permission_required: str | None = None
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.programme = _programme()
        if self.permission_required:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(self.permission_required, self.programme):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["programme"] = self.programme
        return context


class MeetingMixin:
    """Resolves `self.meeting` from the URL's number. A meeting the user may not see
    is 404 (anonymous visitors are asked to log in first); `permission_required`
    is then checked against the meeting."""

    permission_required: str | None = None
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.programme = _programme()
        self.meeting = selectors.meeting_by_number(self.programme, kwargs["number"])
        user = request.user
        can_read = user.has_perm("learning.read_meeting", self.meeting)
        allowed = not self.permission_required or user.has_perm(
            self.permission_required, self.meeting
        )
        if not user.is_authenticated and not (can_read and allowed):
            return redirect_to_login(request.get_full_path())
        if not can_read:
            raise Http404
        if not allowed:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["meeting"] = self.meeting
        context["programme"] = self.programme
        context["can_manage"] = self.request.user.has_perm("learning.manage_meeting", self.meeting)
        return context

    def staff_redirect(self, name: str) -> HttpResponse:
        return redirect(f"learning:{name}", number=self.meeting.number)


# Public pages -----------------------------------------------------------------------


class MeetingListView(ProgrammeMixin, TemplateView):
    template_name = "learning/meeting_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        meetings = list(selectors.visible_meetings(self.programme, self.request.user))
        context["upcoming"] = sorted(
            (m for m in meetings if m.ends_on >= today), key=lambda m: m.starts_on
        )
        context["past"] = [m for m in meetings if m.ends_on < today]
        user = self.request.user
        context["can_create"] = user.has_perm("learning.create_meeting", self.programme)
        context["can_read_statistics"] = user.has_perm("learning.read_statistics", self.programme)
        return context


class MeetingDetailView(MeetingMixin, TemplateView):
    template_name = "learning/meeting_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        meeting = self.meeting
        user = self.request.user
        context["agenda"] = selectors.agenda_of(meeting)
        context["working_groups"] = selectors.working_groups_with_talks(meeting)
        context["is_over"] = meeting.ends_on < timezone.localdate()
        if context["is_over"]:
            context["reached"] = selectors.municipalities_reached(meeting)
        # Municipalities the user coordinates: they register people and submit talks there.
        roles = roles_of(user)
        coordinated = [pk for pk, role in roles.municipality.items() if role == Role.COORDINATOR]
        context["coordinated"] = list(
            self.programme.municipalities.filter(pk__in=coordinated).defer("boundary")
        )
        context["articles"] = selectors.published_articles_of_meeting(meeting)
        if context["can_manage"] and not context["is_over"]:
            context["invited"] = meeting.invitations.count()
            # whom the button would mail now (a dry run: nothing sent or written),
            # or why it would mail nobody (the meeting is the office's only)
            try:
                context["to_invite"] = len(
                    services.meeting_invitations_send(
                        actor=None, meeting=meeting, base_url="", dry_run=True
                    ).sent
                )
            except ValidationError as error:
                context["invitation_refused"] = " ".join(error.messages)
        context["documents"] = selectors.documents_for(meeting, user)
        context["photos"] = selectors.photos_for(meeting, user)
        for perm in ("review_contributions", "check_in", "read_registrations", "read_minutes"):
            context[f"can_{perm}"] = user.has_perm(f"learning.{perm}", meeting)
        return context


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CALENDAR_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _download_name(title: str, fallback: str, extension: str) -> str:
    """A download's file name from its title, umlauts and ß transliterated
    ("Übergänge gestalten" → uebergaenge-gestalten.pdf, not ubergange-…)."""
    return f"{german_slug(title) or fallback}.{extension}"


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF_MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class MeetingCalendarView(MeetingMixin, View):
    """The meeting as an iCalendar file."""

    def get(self, request: HttpRequest, number: int) -> HttpResponse:
        content = ical.calendar_for(
            [self.meeting],
            agenda_of=lambda m: list(selectors.agenda_of(m)),
            groups_of=selectors.working_groups_with_talks,
            url_of=lambda m: request.build_absolute_uri(m.get_absolute_url()),
            name=str(self.meeting),
        )
        return _calendar_response(content, f"lernnetzwerk-{number}.ics")


def programme_calendar(request: HttpRequest) -> HttpResponse:
    """A feed of the programme's public meetings, for calendar subscriptions."""
    programme = _programme()
    meetings = selectors.public_meetings_for_calendar(programme)
    content = ical.calendar_for(
        meetings,
        agenda_of=lambda m: list(m.agenda_items.all()),
        groups_of=lambda m: m.working_groups.all(),
        url_of=lambda m: request.build_absolute_uri(m.get_absolute_url()),
        name=_("Learning network – %(programme)s") % {"programme": programme.name},
    )
    return _calendar_response(content, "lernnetzwerk.ics")


class CancelRegistrationView(TemplateView):
    """The page behind the signed cancellation link: no account needed."""

    template_name = "learning/cancel.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            context["registration"] = services.registration_from_token(kwargs["cancel_token"])
        except services.InvalidCancellation as error:
            context["error"] = str(error)
        return context

    def post(self, request: HttpRequest, cancel_token: str) -> HttpResponse:
        try:
            registration = services.registration_cancel_by_token(token=cancel_token)
        except services.InvalidCancellation as error:
            return self.render_to_response({"error": str(error)}, status=400)
        return self.render_to_response({"cancelled": registration})


# Staff pages: meetings, agenda, working groups ------------------------------------------


class MeetingCreateView(ProgrammeMixin, FormView):
    template_name = "learning/meeting_form.html"
    permission_required = "learning.create_meeting"

    def get_form(self, form_class: Any = None) -> MeetingForm:
        return MeetingForm(programme=self.programme, **self.get_form_kwargs())

    def form_valid(self, form: MeetingForm) -> HttpResponse:  # type: ignore[override]
        try:
            meeting = services.meeting_create(
                actor=self.request.user,  # type: ignore[arg-type]
                programme=self.programme,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The meeting has been created."))
        return redirect("learning:agenda_builder", number=meeting.number)


class MeetingInviteView(MeetingMixin, View):
    """The office mails the invitation to the coordinators of all programme
    municipalities (those invited before are not mailed again)."""

    permission_required = "learning.manage_meeting"

    def post(self, request: HttpRequest, number: int) -> HttpResponse:
        try:
            report = services.meeting_invitations_send(
                actor=request.user,  # type: ignore[arg-type]
                meeting=self.meeting,
                # one source for links in mails, as the command and the directory's
                # mails (the address a request came in by may be an internal one)
                base_url=settings.KETTE_BASE_URL,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.staff_redirect("meeting_detail")
        messages.success(
            request,
            _("Invitations sent to %(sent)s coordinators; %(already)s had been invited before.")
            % {"sent": len(report.sent), "already": report.already},
        )
        return self.staff_redirect("meeting_detail")


class MeetingUpdateView(MeetingMixin, FormView):
    template_name = "learning/meeting_form.html"
    permission_required = "learning.manage_meeting"

    def get_form(self, form_class: Any = None) -> MeetingForm:
        return MeetingForm(
            programme=self.programme, instance=self.meeting, **self.get_form_kwargs()
        )

    def form_valid(self, form: MeetingForm) -> HttpResponse:  # type: ignore[override]
        try:
            change = services.meeting_update(
                actor=self.request.user,  # type: ignore[arg-type]
                meeting=Meeting.objects.get(pk=self.meeting.pk),
                cancel_url_template=_cancel_url_template(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)
        text = [_("The meeting has been saved.")]
        if change.moved_items:
            text.append(
                ngettext(
                    "%(count)s agenda item has moved with the dates.",
                    "%(count)s agenda items have moved with the dates.",
                    change.moved_items,
                )
                % {"count": change.moved_items}
            )
        if change.told:
            text.append(
                ngettext(
                    "%(count)s registered person has been told the new date and venue by e-mail.",
                    "%(count)s registered people have been told the new date and venue by e-mail.",
                    change.told,
                )
                % {"count": change.told}
            )
        if change.told_invited:
            text.append(
                ngettext(
                    "%(count)s invited coordinator has been told too.",
                    "%(count)s invited coordinators have been told too.",
                    change.told_invited,
                )
                % {"count": change.told_invited}
            )
        messages.success(self.request, " ".join(text))
        return self.staff_redirect("meeting_detail")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["delete_url"] = reverse("learning:meeting_delete", args=[self.meeting.number])
        context["consequences"] = _meeting_deletion(self.meeting)
        return context


def _meeting_deletion(meeting: Meeting) -> list[str]:
    """What deleting the meeting takes with it, in sentences for the confirmation."""
    goes = selectors.meeting_dependants(meeting, today=timezone.localdate())
    counted = [
        (
            goes.agenda_items,
            ngettext(
                "%(count)s agenda item is deleted with it.",
                "%(count)s agenda items are deleted with it.",
                goes.agenda_items,
            ),
        ),
        (
            goes.working_groups,
            ngettext(
                "%(count)s working group is deleted with it.",
                "%(count)s working groups are deleted with it.",
                goes.working_groups,
            ),
        ),
        (
            goes.registrations,
            ngettext(
                "%(count)s registration is deleted with it.",
                "%(count)s registrations are deleted with it.",
                goes.registrations,
            ),
        ),
        (
            goes.to_tell,
            ngettext(
                "%(count)s person registered or on the waitlist is told by e-mail that the "
                "meeting does not take place.",
                "%(count)s people registered or on the waitlist are told by e-mail that the "
                "meeting does not take place.",
                goes.to_tell,
            ),
        ),
        (
            goes.talks,
            ngettext(
                "%(count)s short talk is deleted with it.",
                "%(count)s short talks are deleted with it.",
                goes.talks,
            ),
        ),
        (
            goes.slides,
            ngettext(
                "%(count)s file of slides is deleted for good.",
                "%(count)s files of slides are deleted for good.",
                goes.slides,
            ),
        ),
        (
            goes.documents,
            ngettext(
                "%(count)s document is deleted for good.",
                "%(count)s documents are deleted for good.",
                goes.documents,
            ),
        ),
        (
            goes.photos,
            ngettext(
                "%(count)s photo is deleted for good.",
                "%(count)s photos are deleted for good.",
                goes.photos,
            ),
        ),
        (
            goes.articles,
            ngettext(
                "%(count)s article about the meeting is deleted with it.",
                "%(count)s articles about the meeting are deleted with it.",
                goes.articles,
            ),
        ),
    ]
    sentences = [text % {"count": count} for count, text in counted if count]
    if goes.has_minutes:
        sentences.append(_("The minutes are deleted with it."))
    if goes.published_articles:
        sentences.append(_("Published articles disappear from the news page."))
    return sentences


class MeetingDeleteView(MeetingMixin, View):
    permission_required = "learning.manage_meeting"

    def post(self, request: HttpRequest, number: int) -> HttpResponse:
        told = services.meeting_delete(actor=request.user, meeting=self.meeting)  # type: ignore[arg-type]
        text = [_("The meeting has been deleted.")]
        if told:
            text.append(
                ngettext(
                    "%(count)s registered person has been told by e-mail.",
                    "%(count)s registered people have been told by e-mail.",
                    told,
                )
                % {"count": told}
            )
        messages.success(request, " ".join(text))
        return redirect("learning:meeting_list")


class AgendaBuilderView(MeetingMixin, TemplateView):
    """The agenda and working groups of a meeting, with forms to add to both."""

    template_name = "learning/agenda_builder.html"
    permission_required = "learning.manage_meeting"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["agenda"] = selectors.agenda_of(self.meeting)
        context["working_groups"] = selectors.working_groups_with_talks(self.meeting)
        context.setdefault("item_form", AgendaItemForm(meeting=self.meeting, prefix="item"))
        context.setdefault("group_form", WorkingGroupForm(prefix="group"))
        return context

    def post(self, request: HttpRequest, number: int) -> HttpResponse:
        actor = request.user
        if request.POST.get("form") == "group":
            group_form = WorkingGroupForm(request.POST, prefix="group")
            if group_form.is_valid():
                try:
                    services.working_group_create(
                        actor=actor,  # type: ignore[arg-type]
                        meeting=self.meeting,
                        **group_form.cleaned_data,
                    )
                    messages.success(request, _("The working group has been added."))
                    return self.staff_redirect("agenda_builder")
                except ValidationError as error:
                    _apply_errors(group_form, error)
            return self.render_to_response(self.get_context_data(group_form=group_form))
        item_form = AgendaItemForm(request.POST, meeting=self.meeting, prefix="item")
        if item_form.is_valid():
            try:
                services.agenda_item_create(
                    actor=actor,  # type: ignore[arg-type]
                    meeting=self.meeting,
                    **item_form.cleaned_data,
                )
                messages.success(request, _("The agenda item has been added."))
                return self.staff_redirect("agenda_builder")
            except ValidationError as error:
                _apply_errors(item_form, error)
        return self.render_to_response(self.get_context_data(item_form=item_form))


class AgendaItemEditView(MeetingMixin, FormView):
    template_name = "learning/object_form.html"
    permission_required = "learning.manage_meeting"

    def get_form(self, form_class: Any = None) -> AgendaItemForm:
        self.item = selectors.agenda_item_in(self.meeting, self.kwargs["item_pk"])
        return AgendaItemForm(meeting=self.meeting, instance=self.item, **self.get_form_kwargs())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["heading"] = _("Edit agenda item")
        context["delete_url"] = reverse(
            "learning:agenda_item_delete", args=[self.meeting.number, self.item.pk]
        )
        context["deleted_name"] = self.item.title
        if selectors.minutes_text_of(self.item).strip():
            context["consequences"] = [_("The minutes text of this item is deleted with it.")]
        return context

    def form_valid(self, form: AgendaItemForm) -> HttpResponse:  # type: ignore[override]
        try:
            services.agenda_item_update(
                actor=self.request.user,  # type: ignore[arg-type]
                item=selectors.agenda_item_in(self.meeting, self.item.pk),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The agenda item has been saved."))
        return self.staff_redirect("agenda_builder")


class AgendaItemDeleteView(MeetingMixin, View):
    permission_required = "learning.manage_meeting"

    def post(self, request: HttpRequest, number: int, item_pk: int) -> HttpResponse:
        item = selectors.agenda_item_in(self.meeting, item_pk)
        services.agenda_item_delete(actor=request.user, item=item)  # type: ignore[arg-type]
        messages.success(request, _("The agenda item has been deleted."))
        return self.staff_redirect("agenda_builder")


class WorkingGroupEditView(MeetingMixin, FormView):
    template_name = "learning/object_form.html"
    permission_required = "learning.manage_meeting"

    def get_form(self, form_class: Any = None) -> WorkingGroupForm:
        self.group = selectors.working_group_in(self.meeting, self.kwargs["group_pk"])
        return WorkingGroupForm(instance=self.group, **self.get_form_kwargs())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["heading"] = _("Edit working group")
        context["delete_url"] = reverse(
            "learning:working_group_delete", args=[self.meeting.number, self.group.pk]
        )
        context["deleted_name"] = self.group.title
        context["consequences"] = _working_group_deletion(self.group)
        return context

    def form_valid(self, form: WorkingGroupForm) -> HttpResponse:  # type: ignore[override]
        services.working_group_update(
            actor=self.request.user,  # type: ignore[arg-type]
            group=selectors.working_group_in(self.meeting, self.group.pk),
            **form.cleaned_data,
        )
        messages.success(self.request, _("The working group has been saved."))
        return self.staff_redirect("agenda_builder")


def _working_group_deletion(group: WorkingGroup) -> list[str]:
    """What deleting the group takes with it, in sentences for the confirmation."""
    goes = selectors.working_group_dependants(group)
    sentences = []
    if goes.talks:
        if goes.with_slides:
            text = ngettext(
                "%(count)s short talk (%(municipalities)s) and its slides are deleted with it.",
                "%(count)s short talks (%(municipalities)s) and their slides are deleted with it.",
                goes.talks,
            )
        else:
            text = ngettext(
                "%(count)s short talk (%(municipalities)s) is deleted with it.",
                "%(count)s short talks (%(municipalities)s) are deleted with it.",
                goes.talks,
            )
        municipalities = ", ".join(goes.municipalities)
        sentences.append(text % {"count": goes.talks, "municipalities": municipalities})
    if goes.choices:
        text = ngettext(
            "%(count)s registration loses its choice of this working group.",
            "%(count)s registrations lose their choice of this working group.",
            goes.choices,
        )
        sentences.append(text % {"count": goes.choices})
    return sentences


class WorkingGroupDeleteView(MeetingMixin, View):
    permission_required = "learning.manage_meeting"

    def post(self, request: HttpRequest, number: int, group_pk: int) -> HttpResponse:
        group = selectors.working_group_in(self.meeting, group_pk)
        services.working_group_delete(actor=request.user, group=group)  # type: ignore[arg-type]
        messages.success(request, _("The working group has been deleted."))
        return self.staff_redirect("agenda_builder")


class ContributionReviewView(MeetingMixin, TemplateView):
    """Every short talk offered for the meeting, to accept or decline."""

    template_name = "learning/contribution_review.html"
    permission_required = "learning.review_contributions"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["contributions"] = selectors.contributions_of(self.meeting)
        return context


class ContributionDecisionView(MeetingMixin, View):
    permission_required = "learning.review_contributions"

    def post(self, request: HttpRequest, number: int, contribution_pk: int) -> HttpResponse:
        contribution = selectors.contribution_in(self.meeting, contribution_pk)
        decision = request.POST.get("decision")
        if decision == "accept":
            services.contribution_accept(actor=request.user, contribution=contribution)  # type: ignore[arg-type]
            messages.success(request, _("The short talk has been accepted."))
        elif decision == "decline":
            services.contribution_decline(actor=request.user, contribution=contribution)  # type: ignore[arg-type]
            messages.success(request, _("The short talk has been declined."))
        else:
            messages.error(request, _("Please choose to accept or decline."))
        return self.staff_redirect("contribution_review")


# Staff pages: registrations, check-in, statistics ----------------------------------------


class RegistrationListView(MeetingMixin, TemplateView):
    template_name = "learning/registration_list.html"
    permission_required = "learning.read_registrations"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["registrations"] = selectors.registrations_of(self.meeting)
        context["summary"] = selectors.registration_summary(self.meeting)
        return context


class RegistrationExportView(MeetingMixin, View):
    permission_required = "learning.read_registrations"
    file_format = "csv"

    def get(self, request: HttpRequest, number: int) -> HttpResponse:
        registrations = selectors.registrations_of(self.meeting)
        filename = f"lernnetzwerk-{number}-anmeldungen.{self.file_format}"
        if self.file_format == "xlsx":
            response = HttpResponse(
                exports.registrations_xlsx(registrations, title=_("Registrations")),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            response = HttpResponse(
                exports.registrations_csv(registrations), content_type="text/csv; charset=utf-8"
            )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class BadgesPdfView(MeetingMixin, View):
    """Name badges for everyone registered, eight to an A4 sheet (office only)."""

    permission_required = "learning.read_registrations"

    def get(self, request: HttpRequest, number: int) -> HttpResponse:
        context = {
            "meeting": self.meeting,
            "programme": self.programme,
            "badges": selectors.badges_of(self.meeting),
        }
        content = render_pdf("learning/print/badges.html", context)
        return _pdf_response(content, f"lernnetzwerk-{number}-namensschilder.pdf")


class CheckInView(MeetingMixin, TemplateView):
    """The list at the door: attendance per person and walk-ins."""

    template_name = "learning/check_in.html"
    permission_required = "learning.check_in"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["registrations"] = selectors.registrations_at_the_door(self.meeting)
        context["attendance_choices"] = AttendanceForm().fields["attendance"].choices  # type: ignore[attr-defined]
        context.setdefault("walk_in_form", WalkInForm(meeting=self.meeting))
        return context

    def post(self, request: HttpRequest, number: int) -> HttpResponse:
        actor = request.user
        if request.POST.get("form") == "walk_in":
            form = WalkInForm(request.POST, meeting=self.meeting)
            if form.is_valid():
                try:
                    registration = services.walk_in_create(
                        actor=actor,  # type: ignore[arg-type]
                        meeting=self.meeting,
                        **form.cleaned_data,
                    )
                    messages.success(
                        request, _("%(name)s has been checked in.") % {"name": registration}
                    )
                    return self.staff_redirect("check_in")
                except ValidationError as error:
                    _apply_errors(form, error)
            return self.render_to_response(self.get_context_data(walk_in_form=form))
        attendance_form = AttendanceForm(request.POST)
        if not attendance_form.is_valid():
            messages.error(request, _("Please choose an attendance."))
            return self.staff_redirect("check_in")
        registration = selectors.registration_in(
            self.meeting, attendance_form.cleaned_data["registration"]
        )
        services.attendance_set(
            actor=actor,  # type: ignore[arg-type]
            registration=registration,
            attendance=attendance_form.cleaned_data["attendance"],
        )
        messages.success(request, _("Attendance of %(name)s saved.") % {"name": registration})
        return redirect(reverse("learning:check_in", args=[number]) + f"#r{registration.pk}")


class StatisticsView(ProgrammeMixin, TemplateView):
    template_name = "learning/statistics.html"
    permission_required = "learning.read_statistics"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["stats"] = selectors.participation_statistics(
            self.programme, today=timezone.localdate()
        )
        return context


class MinutesView(MeetingMixin, TemplateView):
    """The minutes: each agenda item with what was said, the working groups with their
    short talks, and the attendance list (names for the coordination office only,
    municipalities and head counts for everyone else)."""

    template_name = "learning/minutes.html"
    permission_required = "learning.read_minutes"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(_minutes_context(self.meeting, self.request.user))
        return context


def _minutes_context(meeting: Meeting, user: Any) -> dict[str, Any]:
    """What the minutes page and the minutes PDF show (the same for both)."""
    return {
        "minutes": getattr(meeting, "minutes", None),
        "sections": selectors.minutes_sections(meeting),
        "working_groups": selectors.working_groups_with_talks(meeting),
        "attendance": selectors.attendance_list(meeting),
        "show_names": user.has_perm("learning.write_minutes", meeting),
        "reached": selectors.municipalities_reached(meeting),
    }


class MinutesPdfView(MeetingMixin, View):
    """The minutes as a tagged PDF/UA document: the same content and the same
    visibility as the minutes page (names only for the coordination office)."""

    permission_required = "learning.read_minutes"

    def get(self, request: HttpRequest, number: int) -> HttpResponse:
        context = {
            "meeting": self.meeting,
            "programme": self.programme,
            **_minutes_context(self.meeting, request.user),
        }
        content = render_pdf("learning/print/minutes.html", context)
        return _pdf_response(content, f"lernnetzwerk-{number}-protokoll.pdf")


class MinutesEditView(MeetingMixin, FormView):
    template_name = "learning/minutes_form.html"
    permission_required = "learning.write_minutes"

    def get_form(self, form_class: Any = None) -> MinutesForm:
        minutes = getattr(self.meeting, "minutes", None)
        kwargs = self.get_form_kwargs()
        if minutes is not None:
            kwargs["initial"] = {
                "introduction": minutes.introduction,
                "published": minutes.published,
            }
        return MinutesForm(sections=selectors.minutes_sections(self.meeting), **kwargs)

    def form_valid(self, form: MinutesForm) -> HttpResponse:  # type: ignore[override]
        services.minutes_save(
            actor=self.request.user,  # type: ignore[arg-type]
            meeting=self.meeting,
            introduction=form.cleaned_data["introduction"],
            texts=form.texts(),
            published=form.cleaned_data["published"],
        )
        messages.success(self.request, _("The minutes have been saved."))
        return self.staff_redirect("minutes")


# A municipality's pages: registering its people, submitting short talks ------------------


class MunicipalityMeetingMixin(MunicipalityMixin):
    """Under /k/<slug>/lernnetzwerk/<number>/: the municipality (with the permission
    checked) and a meeting of its programme the user may see."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Resolve tenant and permission first, then the meeting.
        self._number = kwargs["number"]
        return super().dispatch(request, *args, **kwargs)

    @property
    def meeting(self) -> Meeting:
        if not hasattr(self, "_meeting"):
            meeting = selectors.meeting_by_number(self.municipality.programme, self._number)
            if not self.request.user.has_perm("learning.read_meeting", meeting):
                raise Http404
            self._meeting = meeting
        return self._meeting

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["meeting"] = self.meeting
        return context

    def here(self, name: str) -> HttpResponse:
        return redirect(
            f"learning:{name}", municipality_slug=self.municipality.slug, number=self.meeting.number
        )


class MunicipalityRegistrationView(MunicipalityMeetingMixin, FormView):
    """A coordinator registers people of the municipality and sees their registrations."""

    template_name = "learning/municipality_registrations.html"
    permission_required = "learning.register_participants"

    def get_form(self, form_class: Any = None) -> RegistrationForm:
        return RegistrationForm(meeting=self.meeting, **self.get_form_kwargs())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["registrations"] = selectors.registrations_of_municipality(
            self.meeting, self.municipality
        )
        context["summary"] = selectors.registration_summary(self.meeting)
        context["has_begun"] = self.meeting.starts_on <= timezone.localdate()
        return context

    def form_valid(self, form: RegistrationForm) -> HttpResponse:  # type: ignore[override]
        try:
            registration = services.registration_create(
                actor=self.request.user,  # type: ignore[arg-type]
                meeting=self.meeting,
                municipality=self.municipality,
                cancel_url_template=_cancel_url_template(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)
        if registration.status == RegistrationStatus.WAITLISTED:
            text = _("%(name)s is on the waitlist.")
        else:
            text = _("%(name)s is registered.")
        messages.success(self.request, text % {"name": registration})
        return self.here("municipality_registrations")


class MunicipalityRegistrationCancelView(MunicipalityMeetingMixin, View):
    permission_required = "learning.register_participants"

    def post(
        self, request: HttpRequest, municipality_slug: str, number: int, registration_pk: int
    ) -> HttpResponse:
        registration = selectors.registration_in(self.meeting, registration_pk)
        if registration.municipality_id != self.municipality.pk:
            raise Http404
        try:
            services.registration_cancel(actor=request.user, registration=registration)  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s has been cancelled.") % {"name": registration})
        return self.here("municipality_registrations")


class ContributionSubmitView(MunicipalityMeetingMixin, FormView):
    """A coordinator offers short talks for the municipality and sees their status."""

    template_name = "learning/contribution_submit.html"
    permission_required = "learning.submit_contribution"

    def get_form(self, form_class: Any = None) -> ContributionForm:
        return ContributionForm(meeting=self.meeting, **self.get_form_kwargs())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["contributions"] = selectors.contributions_of_municipality(
            self.meeting, self.municipality
        )
        return context

    def form_valid(self, form: ContributionForm) -> HttpResponse:  # type: ignore[override]
        try:
            services.contribution_submit(
                actor=self.request.user,  # type: ignore[arg-type]
                municipality=self.municipality,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Thank you! The coordination office will tell you whether the talk is accepted."),
        )
        return self.here("contribution_submit")


# Practice examples -------------------------------------------------------------------


class PracticeExampleListView(ProgrammeMixin, TemplateView):
    template_name = "learning/practice_example_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:200]
        context["query"] = query
        if query:
            found = selectors.practice_example_search(self.programme, self.request.user, query)
            context["examples"] = found.examples
            context["corrected_query"] = found.corrected_query
        else:
            context["examples"] = selectors.visible_practice_examples(
                self.programme, self.request.user
            )
        editing = {Role.COORDINATOR, Role.EDITOR}
        own = [pk for pk, r in roles_of(self.request.user).municipality.items() if r in editing]
        context["own_municipalities"] = self.programme.municipalities.filter(pk__in=own).defer(
            "boundary"
        )
        return context


class PracticeExampleDetailView(TemplateView):
    template_name = "learning/practice_example_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        example = selectors.practice_example(kwargs["example_pk"])
        if not self.request.user.has_perm("learning.read_practice_example", example):
            raise Http404
        context["example"] = example
        context["attachments"] = example.attachments.all()
        context["talks"] = example.contributions.select_related("working_group__meeting")
        return context


class MunicipalityPracticeExamplesView(MunicipalityMixin, FormView):
    """A municipality's own practice examples (drafts included) and a form for a new one."""

    template_name = "learning/municipality_practice_examples.html"
    permission_required = "learning.manage_practice_examples"

    def get_form(self, form_class: Any = None) -> PracticeExampleForm:
        return PracticeExampleForm(
            talks=selectors.accepted_talks_of(self.municipality), **self.get_form_kwargs()
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["examples"] = selectors.practice_examples_of(self.municipality)
        return context

    def form_valid(self, form: PracticeExampleForm) -> HttpResponse:  # type: ignore[override]
        data = dict(form.cleaned_data)
        data["contributions"] = list(data["contributions"])
        try:
            services.practice_example_create(
                actor=self.request.user,  # type: ignore[arg-type]
                municipality=self.municipality,
                **data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The practice example has been saved."))
        return redirect("learning:municipality_practice_examples", self.municipality.slug)


class MunicipalityPracticeExampleEditView(MunicipalityMixin, FormView):
    template_name = "learning/practice_example_form.html"
    permission_required = "learning.manage_practice_examples"

    def get_form(self, form_class: Any = None) -> PracticeExampleForm:
        self.example = selectors.practice_example_in(self.municipality, self.kwargs["example_pk"])
        return PracticeExampleForm(
            talks=selectors.accepted_talks_of(self.municipality),
            instance=self.example,
            **self.get_form_kwargs(),
        )

    def form_valid(self, form: PracticeExampleForm) -> HttpResponse:  # type: ignore[override]
        data = dict(form.cleaned_data)
        data["contributions"] = list(data["contributions"])
        try:
            services.practice_example_update(
                actor=self.request.user,  # type: ignore[arg-type]
                example=selectors.practice_example_in(self.municipality, self.example.pk),
                **data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The practice example has been saved."))
        return redirect("learning:municipality_practice_examples", self.municipality.slug)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["example"] = self.example
        context["attachments"] = self.example.attachments.all()
        context.setdefault("attachment_form", PracticeExampleAttachmentForm())
        context["delete_url"] = reverse(
            "learning:practice_example_delete", args=[self.municipality.slug, self.example.pk]
        )
        attachments = len(context["attachments"])
        if attachments:
            context["example_consequence"] = ngettext(
                "%(count)s attachment is deleted with it for good.",
                "%(count)s attachments are deleted with it for good.",
                attachments,
            ) % {"count": attachments}
        return context


class PracticeExampleDeleteView(MunicipalityMixin, View):
    permission_required = "learning.manage_practice_examples"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        example = selectors.practice_example_in(self.municipality, kwargs["example_pk"])
        services.practice_example_delete(actor=request.user, example=example)  # type: ignore[arg-type]
        messages.success(request, _("The practice example has been deleted."))
        return redirect("learning:municipality_practice_examples", self.municipality.slug)


class PracticeExampleAttachmentAddView(MunicipalityMixin, View):
    """POST: attach a document to one of the municipality's practice examples."""

    permission_required = "learning.manage_practice_examples"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        example = selectors.practice_example_in(self.municipality, kwargs["example_pk"])
        form = PracticeExampleAttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.practice_example_attachment_add(
                    actor=request.user,  # type: ignore[arg-type]
                    example=example,
                    file=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The attachment has been added."))
                return redirect(
                    "learning:municipality_practice_example_edit",
                    self.municipality.slug,
                    example.pk,
                )
        # Show the edit page again with the attachment form's errors.
        edit = MunicipalityPracticeExampleEditView()
        edit.setup(request, *args, **kwargs)
        edit.municipality = self.municipality
        edit.example = example
        example_form = PracticeExampleForm(
            talks=selectors.accepted_talks_of(self.municipality), instance=example
        )
        return edit.render_to_response(
            edit.get_context_data(form=example_form, attachment_form=form)
        )


class PracticeExampleAttachmentDeleteView(MunicipalityMixin, View):
    permission_required = "learning.manage_practice_examples"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        example = selectors.practice_example_in(self.municipality, kwargs["example_pk"])
        attachment = selectors.attachment_of(example, kwargs["attachment_pk"])
        services.practice_example_attachment_delete(
            actor=request.user,  # type: ignore[arg-type]
            attachment=attachment,
        )
        messages.success(request, _("The attachment has been deleted."))
        return redirect(
            "learning:municipality_practice_example_edit", self.municipality.slug, example.pk
        )


class PracticeExampleAttachmentDownloadView(View):
    """An attachment, for everyone who may read the practice example (never a media URL)."""

    def get(self, request: HttpRequest, example_pk: int, attachment_pk: int) -> HttpResponse:
        example = selectors.practice_example(example_pk)
        if not request.user.has_perm("learning.read_practice_example", example):
            raise Http404
        attachment = selectors.attachment_of(example, attachment_pk)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=_download_name(attachment.title, "anhang", attachment.extension),
        )


class ContributionSlidesView(MeetingMixin, View):
    """Slides of a short talk, only for those who may have them (never a media URL)."""

    def get(self, request: HttpRequest, number: int, contribution_pk: int) -> HttpResponse:
        contribution = selectors.contribution_in(self.meeting, contribution_pk)
        if not contribution.slides:
            raise Http404
        refused = _protected_file(request, "learning.download_slides", contribution)
        if refused is not None:
            return refused
        extension = contribution.slides.name.rsplit(".", 1)[-1]
        return FileResponse(
            contribution.slides.open("rb"),
            as_attachment=True,
            filename=_download_name(contribution.title, "kurzreferat", extension),
        )


# Documents and photos ---------------------------------------------------------------


class MaterialView(MeetingMixin, TemplateView):
    """The office uploads documents and photos of a meeting and removes them."""

    template_name = "learning/material.html"
    permission_required = "learning.manage_meeting"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["documents"] = selectors.documents_for(self.meeting, self.request.user)
        context["photos"] = selectors.photos_for(self.meeting, self.request.user)
        context.setdefault("document_form", MeetingDocumentForm(prefix="document"))
        context.setdefault("photo_form", MeetingPhotoForm(prefix="photo"))
        return context

    def post(self, request: HttpRequest, number: int) -> HttpResponse:
        actor = request.user
        if request.POST.get("form") == "photo":
            photo_form = MeetingPhotoForm(request.POST, request.FILES, prefix="photo")
            if photo_form.is_valid():
                try:
                    services.meeting_photo_add(
                        actor=actor,  # type: ignore[arg-type]
                        meeting=self.meeting,
                        **photo_form.cleaned_data,
                    )
                    messages.success(request, _("The photo has been added to the gallery."))
                    return self.staff_redirect("material")
                except ValidationError as error:
                    _apply_errors(photo_form, error)
            context = self.get_context_data(photo_form=photo_form)
            return self.render_to_response(context, status=400)
        document_form = MeetingDocumentForm(request.POST, request.FILES, prefix="document")
        if document_form.is_valid():
            try:
                services.meeting_document_add(
                    actor=actor,  # type: ignore[arg-type]
                    meeting=self.meeting,
                    **document_form.cleaned_data,
                )
                messages.success(request, _("The document has been uploaded."))
                return self.staff_redirect("material")
            except ValidationError as error:
                _apply_errors(document_form, error)
        return self.render_to_response(
            self.get_context_data(document_form=document_form), status=400
        )


class MeetingDocumentDeleteView(MeetingMixin, View):
    permission_required = "learning.manage_meeting"

    def post(self, request: HttpRequest, number: int, document_pk: int) -> HttpResponse:
        document = selectors.document_in(self.meeting, document_pk)
        services.meeting_document_delete(actor=request.user, document=document)  # type: ignore[arg-type]
        messages.success(request, _("The document has been deleted."))
        return self.staff_redirect("material")


class MeetingPhotoDeleteView(MeetingMixin, View):
    permission_required = "learning.manage_meeting"

    def post(self, request: HttpRequest, number: int, photo_pk: int) -> HttpResponse:
        photo = selectors.photo_in(self.meeting, photo_pk)
        services.meeting_photo_delete(actor=request.user, photo=photo)  # type: ignore[arg-type]
        messages.success(request, _("The photo has been deleted."))
        return self.staff_redirect("material")


def _protected_file(request: HttpRequest, permission: str, item: Any) -> HttpResponse | None:
    """None when the user may have the item; otherwise the login page or 403."""
    if request.user.has_perm(permission, item):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


class MeetingDocumentDownloadView(MeetingMixin, View):
    """A meeting's document, only for those who may have it (never a media URL)."""

    def get(self, request: HttpRequest, number: int, document_pk: int) -> HttpResponse:
        document = selectors.document_in(self.meeting, document_pk)
        refused = _protected_file(request, "learning.read_document", document)
        if refused is not None:
            return refused
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=_download_name(document.title, "dokument", document.extension),
        )


class MeetingPhotoView(MeetingMixin, View):
    """A photo of the gallery (already stripped of metadata), permission-checked."""

    def get(self, request: HttpRequest, number: int, photo_pk: int) -> HttpResponse:
        photo = selectors.photo_in(self.meeting, photo_pk)
        refused = _protected_file(request, "learning.read_photo", photo)
        if refused is not None:
            return refused
        response = FileResponse(photo.image.open("rb"), content_type=_photo_type(photo))
        response["Cache-Control"] = "private, max-age=3600"
        return response


def _photo_type(photo: Any) -> str:
    return "image/png" if photo.image.name.endswith(".png") else "image/jpeg"


# Articles ------------------------------------------------------------------------------


class ArticleListView(ProgrammeMixin, TemplateView):
    """The programme's public news page (drafts too for the coordination office)."""

    template_name = "learning/article_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["articles"] = selectors.articles_for(self.programme, self.request.user)
        context["can_write"] = self.request.user.has_perm("learning.write_articles", self.programme)
        return context


class ArticleMixin(ProgrammeMixin):
    """Resolves `self.article`; a draft is the office's (anonymous visitors log in first)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.programme = _programme()
        self.article = selectors.article_by_pk(self.programme, kwargs["article_pk"])
        if not request.user.has_perm("learning.read_article", self.article):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ArticleDetailView(ArticleMixin, TemplateView):
    template_name = "learning/article_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["article"] = self.article
        context["can_write"] = self.request.user.has_perm("learning.write_articles", self.programme)
        context["can_read_meeting"] = self.request.user.has_perm(
            "learning.read_meeting", self.article.meeting
        )
        return context


class ArticlePhotoView(ArticleMixin, View):
    """A photo as part of an article: public once the article is published, even
    when the meeting itself is not."""

    def get(self, request: HttpRequest, article_pk: int, photo_pk: int) -> HttpResponse:
        photo = selectors.article_photo(self.article, photo_pk)
        return FileResponse(photo.image.open("rb"), content_type=_photo_type(photo))


class ArticleFormMixin(ProgrammeMixin):
    """Writing articles (office only); `current_article()` is None for a new one."""

    template_name = "learning/article_form.html"
    permission_required = "learning.write_articles"
    kwargs: dict[str, Any]

    def current_article(self) -> Any:
        if "article_pk" not in self.kwargs:
            return None
        return selectors.article_by_pk(self.programme, self.kwargs["article_pk"])

    def get_form(self, form_class: Any = None) -> ArticleForm:
        return ArticleForm(
            programme=self.programme,
            instance=self.current_article(),
            **self.get_form_kwargs(),  # type: ignore[attr-defined]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["article"] = self.current_article()
        return context

    def form_valid(self, form: ArticleForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        if "photos" in data:
            data["photos"] = list(data["photos"])
        article = self.current_article()
        try:
            if article is None:
                article = services.article_create(actor=self.request.user, **data)  # type: ignore[arg-type]
            else:
                article = services.article_update(
                    actor=self.request.user,  # type: ignore[arg-type]
                    article=article,
                    **data,
                )
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)  # type: ignore[attr-defined,no-any-return]
        messages.success(self.request, _("The article has been saved."))
        return redirect(article.get_absolute_url())


class ArticleCreateView(ArticleFormMixin, FormView):
    pass


class ArticleUpdateView(ArticleFormMixin, FormView):
    pass


class MunicipalityArticlesView(TemplateView):
    """Reports from the learning network on a municipality's public page: published
    articles about meetings it hosted or spoke at."""

    template_name = "learning/municipality_articles.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        municipality = municipality_by_slug(kwargs["municipality_slug"])
        context["municipality"] = municipality
        context["articles"] = selectors.published_articles_of_municipality(municipality)
        return context
