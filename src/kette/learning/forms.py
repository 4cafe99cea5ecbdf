from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kette.core.models import Municipality
from kette.learning import uploads
from kette.learning.models import (
    SLIDE_EXTENSIONS,
    AgendaItem,
    Article,
    Attendance,
    DocumentKind,
    LifePhase,
    MaterialAudience,
    Meeting,
    MeetingPhoto,
    PracticeExample,
    WorkingGroup,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "number",
            "title",
            "starts_on",
            "ends_on",
            "venue",
            "host_municipality",
            "description",
            "visibility",
            "capacity",
            "registration_open",
            "call_for_talks_open",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, programme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["host_municipality"].queryset = Municipality.objects.filter(  # type: ignore[attr-defined]
            programme=programme
        ).defer("boundary")
        if self.instance.pk:
            del self.fields["number"]
        else:
            self.fields["number"].required = False
            self.fields["number"].help_text = _("Leave empty for the next number.")

    def clean_number(self) -> int | None:
        number = self.cleaned_data.get("number")
        if number and Meeting.objects.filter(programme=self.programme, number=number).exists():
            raise forms.ValidationError(_("A meeting with this number already exists."))
        return number

    def clean(self) -> dict[str, Any]:
        """The meeting's own rules (`Meeting.clean`) too, so that every problem is
        shown at once, not the dates only after the number was corrected."""
        data = super().clean()
        probe = Meeting(starts_on=data.get("starts_on"), ends_on=data.get("ends_on"))
        try:
            probe.clean()
        except ValidationError as error:
            self.add_error(None, error)
        return data

    def _post_clean(self) -> None:
        # The services validate the whole meeting; the form checks fields only.
        pass


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = [
            "day",
            "start_time",
            "end_time",
            "kind",
            "title",
            "speakers",
            "speaker_name",
            "speaker_organisation",
            "speaker_municipality",
            "order",
        ]
        widgets = {
            "day": DATE,
            "start_time": TIME,
            "end_time": TIME,
            "speakers": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["speaker_municipality"].queryset = Municipality.objects.filter(  # type: ignore[attr-defined]
            programme_id=meeting.programme_id
        ).defer("boundary")
        self.fields["day"].initial = meeting.starts_on

    def _post_clean(self) -> None:
        pass


class WorkingGroupForm(forms.ModelForm):
    class Meta:
        model = WorkingGroup
        fields = ["title", "topic", "moderators", "room", "order"]
        widgets = {"topic": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self) -> None:
        pass


class ContributionForm(forms.Form):
    working_group = forms.ModelChoiceField(label=_("working group"), queryset=None)  # type: ignore[arg-type]
    presenter = forms.CharField(label=_("presenter"), max_length=200)
    title = forms.CharField(label=_("title"), max_length=300)
    abstract = forms.CharField(
        label=_("abstract"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    slides = forms.FileField(
        label=_("slides"),
        required=False,
        help_text=_("PDF, PowerPoint or OpenDocument, at most 25 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{e}" for e in SLIDE_EXTENSIONS)}
        ),
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["working_group"].queryset = meeting.working_groups.order_by("order", "pk")  # type: ignore[attr-defined]


class RegistrationForm(forms.Form):
    person_name = forms.CharField(label=_("name"), max_length=200)
    email = forms.EmailField(label=_("e-mail address"))
    working_group = forms.ModelChoiceField(
        label=_("working group"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("no preference"),
    )
    needs = forms.CharField(
        label=_("accessibility or dietary needs"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Deleted automatically after the meeting."),
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["working_group"].queryset = meeting.working_groups.order_by("order", "pk")  # type: ignore[attr-defined]


class WalkInForm(forms.Form):
    person_name = forms.CharField(label=_("name"), max_length=200)
    email = forms.EmailField(label=_("e-mail address"))
    municipality = forms.ModelChoiceField(
        label=_("municipality"),
        queryset=None,
        required=False,  # type: ignore[arg-type]
    )
    organisation = forms.CharField(label=_("organisation"), max_length=300, required=False)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.filter(  # type: ignore[attr-defined]
            programme_id=meeting.programme_id
        ).defer("boundary")


class AttendanceForm(forms.Form):
    registration = forms.IntegerField(widget=forms.HiddenInput)
    attendance = forms.ChoiceField(
        label=_("attendance"), choices=[("", "–"), *Attendance.choices], required=False
    )


class MinutesForm(forms.Form):
    """An introduction, one text per agenda item, and whether the minutes are published."""

    introduction = forms.CharField(
        label=_("introduction"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, sections: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = sections
        for section in sections:
            item = section.item
            label = f"{item.start_time:%H:%M} {item.title}"
            self.fields[f"item_{item.pk}"] = forms.CharField(
                label=label,
                required=False,
                initial=section.text,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.fields["published"] = forms.BooleanField(
            label=_("published"),
            required=False,
            help_text=_("Published minutes are visible to everyone who may see the meeting."),
        )

    def texts(self) -> dict[int, str]:
        return {
            section.item.pk: self.cleaned_data.get(f"item_{section.item.pk}", "")
            for section in self.sections
        }


class PracticeExampleForm(forms.ModelForm):
    life_phases = forms.MultipleChoiceField(
        label=_("life phases"),
        choices=LifePhase.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PracticeExample
        fields = [
            "title",
            "summary",
            "life_phases",
            "fields_of_action",
            "contact_name",
            "contact_role",
            "contact_email",
            "contributions",
            "visibility",
            "status",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "contributions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, talks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contributions"].queryset = talks  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass


def _accept(extensions: list[str]) -> forms.ClearableFileInput:
    return forms.ClearableFileInput(attrs={"accept": ",".join(f".{e}" for e in extensions)})


class MeetingDocumentForm(forms.Form):
    """The type and content are checked by the service (uploads.check_document)."""

    title = forms.CharField(label=_("title"), max_length=300)
    kind = forms.ChoiceField(label=_("kind"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("file"),
        help_text=_("PDF, PowerPoint, Word, Excel or OpenDocument, at most 25 MB."),
        widget=_accept(uploads.DOCUMENT_EXTENSIONS),
    )
    audience = forms.ChoiceField(
        label=_("who may download it"),
        choices=MaterialAudience.choices,
        initial=MaterialAudience.MEETING,
    )


class PracticeExampleAttachmentForm(forms.Form):
    """The type and content are checked by the service (uploads.check_document)."""

    title = forms.CharField(label=_("title"), max_length=300)
    file = forms.FileField(
        label=_("file"),
        help_text=_("PDF, PowerPoint, Word, Excel or OpenDocument, at most 25 MB."),
        widget=_accept(uploads.DOCUMENT_EXTENSIONS),
    )


class MeetingPhotoForm(forms.Form):
    """Photos lose their metadata in the service (uploads.clean_photo)."""

    image = forms.FileField(
        label=_("photo"),
        help_text=_(
            "JPEG, PNG or WebP, at most 15 MB. Location, camera and other metadata "
            "are removed on upload."
        ),
        widget=_accept(uploads.PHOTO_EXTENSIONS),
    )
    caption = forms.CharField(label=_("caption"), max_length=500)
    credit = forms.CharField(
        label=_("photo credit"),
        max_length=200,
        help_text=_('Who took the photo; shown as "Photo: …".'),
    )
    alt_text = forms.CharField(
        label=_("alternative text"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    audience = forms.ChoiceField(
        label=_("who may see it"),
        choices=MaterialAudience.choices,
        initial=MaterialAudience.MEETING,
    )


class PhotoChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("%(caption)s (Photo: %(credit)s)") % {"caption": obj.caption, "credit": obj.credit}


class ArticleForm(forms.ModelForm):
    """A new article chooses its meeting; an existing one chooses photos from that
    meeting's gallery (photos for the learning network only are not offered)."""

    photos = PhotoChoiceField(
        label=_("photos from the meeting's gallery"),
        queryset=MeetingPhoto.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Article
        fields = ["meeting", "title", "teaser", "body", "photos", "status"]
        widgets = {
            "teaser": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 14}),
        }

    def __init__(self, *args: Any, programme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["meeting"]
            self.fields["photos"].queryset = self.instance.meeting.photos.filter(  # type: ignore[attr-defined]
                audience=MaterialAudience.MEETING
            ).order_by("order", "pk")
            if not self.fields["photos"].queryset.exists():  # type: ignore[attr-defined]
                del self.fields["photos"]
        else:
            del self.fields["photos"]
            self.fields["meeting"].queryset = Meeting.objects.for_programme(programme)  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        # The services validate and save the article.
        pass
