"""Review of providers' changes by the coordination (optional per municipality).

When a municipality switches `DirectorySettings.review_provider_changes` on, a
provider account's changes to one of its *published* offers, and its requests
to publish an offer, do not reach the family guide at once: they are kept as the
offer's one pending `OfferChange` (only the values that differ from the offer)
until a coordinator or editor approves them (then they are applied through the
normal services, audited under the reviewer's name with the proposer named in
the reason) or rejects them with a note. Drafts are not public, so providers
edit them directly; places, opening hours and phone numbers are edited directly
too. Reviewers are mailed when a change arrives, proposers when it is decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kette.core.audit import audited_delete, audited_save
from kette.core.mail import in_mail_language
from kette.core.models import Membership, Municipality, Role, User
from kette.core.roles import roles_of
from kette.directory import services
from kette.directory.bulk_models import OfferChange, OfferChangeStatus
from kette.directory.freshness import base_url, directory_settings_of
from kette.directory.models import (
    Organization,
    Service,
    ServiceStatus,
    TaxonomyTerm,
    Transition,
)

RELATED = ("organization", "terms", "transitions", "languages", "status")
KEYS = (*sorted(services.SERVICE_FIELDS), *RELATED)


def review_enabled(municipality: Municipality) -> bool:
    return directory_settings_of(municipality).review_provider_changes


def review_required(actor: Any, service: Service, *, publishing: bool = False) -> bool:
    """Whether `actor`'s change of `service` (or request to publish it) waits for
    review: only provider accounts, only for published offers or publication,
    only where the municipality has review switched on."""
    if not (publishing or service.status == ServiceStatus.PUBLISHED):
        return False
    if roles_of(actor).in_municipality(service.municipality_id) != Role.PROVIDER:
        return False
    return review_enabled(service.municipality)


def pending_change_of(service: Service) -> OfferChange | None:
    return OfferChange.objects.filter(service=service, status=OfferChangeStatus.PENDING).first()


def pending_changes(municipality: Municipality) -> QuerySet[OfferChange]:
    """The municipality's changes waiting for review, oldest first."""
    return (
        OfferChange.objects.for_municipality(municipality)
        .filter(status=OfferChangeStatus.PENDING)
        .select_related("service", "service__organization", "proposed_by")
        .order_by("proposed_at", "pk")
    )


def latest_decision_of(service: Service) -> OfferChange | None:
    """The offer's most recently decided change (shown to its provider)."""
    return (
        OfferChange.objects.filter(service=service)
        .exclude(status=OfferChangeStatus.PENDING)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")
        .first()
    )


def change_for(municipality: Municipality, pk: int) -> OfferChange:
    """One of the municipality's changes, or 404."""
    found = (
        OfferChange.objects.for_municipality(municipality)
        .select_related("service", "service__organization", "proposed_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- values ---------------------------------------------------------------------


def _normalise(key: str, value: Any) -> Any:
    """A proposed value as JSON: objects as primary keys, sets sorted."""
    if key == "organization":
        return value.pk if isinstance(value, Model) else value
    if key in ("terms", "transitions"):
        return sorted(item.pk if isinstance(item, Model) else int(item) for item in value)
    if key == "languages":
        return sorted({str(code).strip().lower() for code in value if str(code).strip()})
    return value


def _current(service: Service) -> dict[str, Any]:
    values = {name: getattr(service, name) for name in services.SERVICE_FIELDS}
    values.update(
        organization=service.organization_id,
        terms=sorted(service.term_links.values_list("term_id", flat=True)),
        transitions=sorted(service.transitions.values_list("pk", flat=True)),
        languages=sorted(service.languages.values_list("code", flat=True)),
        status=service.status,
    )
    return values


def _resolve(municipality: Municipality, changes: dict[str, Any]) -> dict[str, Any]:
    """The stored values as arguments of the services (objects that were deleted
    since the proposal are left out; a deleted provider stops the approval)."""
    values = dict(changes)
    if "organization" in values:
        organization = (
            Organization.objects.for_municipality(municipality)
            .filter(pk=values["organization"])
            .first()
        )
        if organization is None:
            raise ValidationError(_("The proposed provider no longer exists."))
        values["organization"] = organization
    if "terms" in values:
        values["terms"] = list(
            TaxonomyTerm.objects.available_to(municipality).filter(pk__in=values["terms"])
        )
    if "transitions" in values:
        values["transitions"] = list(
            Transition.objects.for_municipality(municipality).filter(pk__in=values["transitions"])
        )
    return values


# --- writes ---------------------------------------------------------------------


@transaction.atomic
def offer_change_propose(*, actor: User, service: Service, **values: Any) -> OfferChange | None:
    """Record `actor`'s wish to change `service` (any of `KEYS`) as the offer's
    pending change, merged with an earlier pending one; values equal to the
    offer's drop out. Returns the pending change, or None when nothing differs."""
    unknown = set(values) - set(KEYS)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    current = _current(service)
    pending = (
        OfferChange.objects.select_for_update()
        .filter(service=service, status=OfferChangeStatus.PENDING)
        .first()
    )
    changes = dict(pending.changes) if pending else {}
    for key, value in values.items():
        value = _normalise(key, value)
        if value == current[key]:
            changes.pop(key, None)
        else:
            changes[key] = value
    if not changes:
        if pending is not None:
            audited_delete(pending, actor=actor, reason="nothing left to change")
        return None
    change = pending or OfferChange(municipality=service.municipality, service=service)
    change.changes = changes
    change.proposed_by = actor
    change.proposed_at = timezone.now()
    audited_save(change, actor=actor)
    transaction.on_commit(lambda: _mail_reviewers(change))
    return change


@transaction.atomic
def offer_change_withdraw(*, actor: User, change: OfferChange) -> None:
    """The provider takes its pending change back."""
    _check_pending(change)
    audited_delete(change, actor=actor, reason="withdrawn")


@transaction.atomic
def offer_change_approve(*, actor: User, change: OfferChange) -> Service:
    """Apply a pending change to its offer and record the decision."""
    _check_pending(change)
    service = change.service
    values = _resolve(service.municipality, change.changes)
    status = values.pop("status", None)
    proposer = change.proposed_by.username if change.proposed_by else "?"
    reason = f"approved change proposed by {proposer}"
    if values:
        services.service_update(actor=actor, service=service, reason=reason, **values)
    if status:
        services.service_set_status(actor=actor, service=service, status=status, reason=reason)
    _decide(change, actor, OfferChangeStatus.APPROVED, note="")
    return service


@transaction.atomic
def offer_change_reject(*, actor: User, change: OfferChange, note: str) -> OfferChange:
    """Refuse a pending change; the note tells the provider why."""
    _check_pending(change)
    if not note.strip():
        raise ValidationError({"note": _("Please tell the provider why.")})
    _decide(change, actor, OfferChangeStatus.REJECTED, note=note.strip())
    return change


def _check_pending(change: OfferChange) -> None:
    if change.status != OfferChangeStatus.PENDING:
        raise ValidationError(_("This change has already been decided."))


def _decide(change: OfferChange, actor: User, status: str, *, note: str) -> None:
    change.status = status
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.note = note
    audited_save(change, actor=actor, reason=status)
    transaction.on_commit(lambda: _mail_proposer(change))


# --- display --------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


def change_rows(change: OfferChange) -> list[ChangeRow]:
    """What the change would do, field by field, against the offer as it is now."""
    service = change.service
    current = _current(service)
    municipality = service.municipality
    rows = []
    for key in KEYS:
        if key not in change.changes:
            continue
        rows.append(
            ChangeRow(
                label=_label(key),
                before=_display(key, current[key], municipality),
                after=_display(key, change.changes[key], municipality),
            )
        )
    return rows


def _label(key: str) -> str:
    if key == "terms":
        return _("Fields of action")
    if key == "languages":
        return _("Languages")
    if key == "transitions":
        return _("Transitions")
    return str(Service._meta.get_field(key).verbose_name)


def _display(key: str, value: Any, municipality: Municipality) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if key == "organization":
        found = Organization.objects.for_municipality(municipality).filter(pk=value).first()
        return found.name if found else _("(deleted)")
    if key == "terms":
        return _names(TaxonomyTerm.objects.available_to(municipality).filter(pk__in=value))
    if key == "transitions":
        return _names(Transition.objects.for_municipality(municipality).filter(pk__in=value))
    if key == "languages":
        return ", ".join(value)
    if key == "status":
        return str(ServiceStatus(value).label)
    if key in ("min_age_months", "max_age_months"):
        return _("%(months)s months") % {"months": value}
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _names(objects: Iterable[Any]) -> str:
    return ", ".join(sorted(str(obj) for obj in objects)) or "–"


# --- mail -----------------------------------------------------------------------


def _review_url(change: OfferChange) -> str:
    return base_url() + reverse(
        "directory:change_review",
        kwargs={"municipality_slug": change.municipality.slug, "change_pk": change.pk},
    )


@in_mail_language
def _mail_reviewers(change: OfferChange) -> None:
    recipients = sorted(
        set(
            Membership.objects.filter(
                municipality_id=change.municipality_id,
                role__in=[Role.COORDINATOR, Role.EDITOR],
                user__is_active=True,
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if not recipients:
        return
    context = {"change": change, "service": change.service, "url": _review_url(change)}
    subject = _("An offer change waits for your review: %(offer)s") % {"offer": change.service}
    body = render_to_string("directory/email/change_proposed.txt", context)
    send_mail(subject, body, None, recipients)


@in_mail_language
def _mail_proposer(change: OfferChange) -> None:
    proposer = change.proposed_by
    if proposer is None or not proposer.email:
        return
    url = base_url() + reverse(
        "directory:service_edit",
        kwargs={"municipality_slug": change.municipality.slug, "service_pk": change.service_id},
    )
    context = {"change": change, "service": change.service, "url": url}
    subject = _("Your change of “%(offer)s” was reviewed") % {"offer": change.service}
    body = render_to_string("directory/email/change_decided.txt", context)
    send_mail(subject, body, None, [proposer.email])
