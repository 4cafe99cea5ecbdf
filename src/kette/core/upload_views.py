"""The two steps every import page shares: an upload that must be readable at
all before it is kept (`CheckedUploadView`), and a report page that reads the
kept file back (`StoredUploadMixin`); see `kette.core.upload_store`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView

from kette.core import upload_store
from kette.core.tenancy import MunicipalityMixin


class CheckedUploadView(MunicipalityMixin, FormView):
    """Step 1: a file larger than `upload_store.max_bytes()`, or one `check_file`
    rejects by raising one of `file_errors` (its text a German message), stays
    on the form with that message; any other is kept (with `upload_options`)
    and the user goes on to its report, the view named `review_url_name`."""

    kind = ""
    review_url_name = ""
    file_errors: tuple[type[Exception], ...] = ()

    def check_file(self, data: bytes, filename: str) -> None:
        raise NotImplementedError

    def upload_options(self, form: forms.Form) -> dict[str, str]:
        return {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["limit_mb"] = upload_store.max_bytes() // (1024 * 1024)
        return context

    def form_valid(self, form: forms.Form) -> HttpResponse:
        uploaded = form.cleaned_data["file"]
        if uploaded.size > upload_store.max_bytes():
            form.add_error("file", upload_store.size_message(uploaded.size))
            return self.form_invalid(form)
        data = uploaded.read()
        try:
            self.check_file(data, uploaded.name)
        except self.file_errors as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        token = upload_store.store(
            data,
            kind=self.kind,
            municipality_id=self.municipality.pk,
            user_id=self.request.user.pk or 0,
            filename=uploaded.name,
            options=self.upload_options(form),
        )
        return HttpResponseRedirect(
            reverse(
                self.review_url_name,
                kwargs={"municipality_slug": self.municipality.slug, "upload_token": token},
            )
        )


class StoredUploadMixin(MunicipalityMixin):
    """Step 2: the upload named by the URL's `upload_token`, of this `kind`, this
    municipality and this user (404 with a German hint otherwise)."""

    kind = ""

    def stored_upload(self) -> upload_store.StoredUpload:
        return upload_store.load_or_404(
            self.kwargs["upload_token"],  # type: ignore[attr-defined]
            kind=self.kind,
            municipality_id=self.municipality.pk,
            user_id=self.request.user.pk or 0,  # type: ignore[attr-defined]
        )
