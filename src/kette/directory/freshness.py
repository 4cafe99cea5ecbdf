"""Freshness reminders: mails to providers about their stale offers with a
one-click "still current" link, and the confirmation behind that link.

An offer is stale when it is published and nobody confirmed it for longer than
the municipality's period (`DirectorySettings.stale_after_months`, default 12).
`remind_stale_offers` mails every provider account with access to the offer's
organisation (falling back to the organisation's e-mail address) one mail
listing its stale offers, and records each offer and recipient in
`ReminderSent`; an offer is not mailed to the same address again within
`RESEND_AFTER`. Each link carries a signed token (TimestampSigner, valid for
`TOKEN_MAX_AGE`) naming the offer and the recipient; it authorises exactly one
thing, confirming that offer, so no login is needed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kette.core.audit import audited_save
from kette.core.models import Municipality, User
from kette.directory import selectors, services
from kette.directory.bulk_models import (
    DirectorySettings,
    ReminderSent,
)
from kette.directory.models import Organization, ProviderAccess, Service, ServiceStatus

SALT = "kette.directory.still-current"
TOKEN_MAX_AGE = dt.timedelta(days=30)
RESEND_AFTER = dt.timedelta(days=7)
DAYS_PER_MONTH = 365.25 / 12


def stale_after_months(municipality: Municipality) -> int:
    """The municipality's freshness period in months (default 12)."""
    return directory_settings_of(municipality).stale_after_months


def period(months: int) -> dt.timedelta:
    return dt.timedelta(days=round(months * DAYS_PER_MONTH))


def directory_settings_of(municipality: Municipality) -> DirectorySettings:
    """The municipality's settings (an unsaved row with the defaults when none)."""
    return DirectorySettings.objects.for_municipality(municipality).first() or DirectorySettings(
        municipality=municipality
    )


@transaction.atomic
def directory_settings_update(
    *,
    actor: User | None,
    municipality: Municipality,
    stale_after_months: int | None = None,
    review_provider_changes: bool | None = None,
) -> DirectorySettings:
    """Set the municipality's freshness period (1–60 months) and whether
    providers' changes of published offers wait for review (audited)."""
    row = directory_settings_of(municipality)
    if stale_after_months is not None:
        row.stale_after_months = stale_after_months
    if review_provider_changes is not None:
        row.review_provider_changes = review_provider_changes
    audited_save(row, actor=actor)
    return row


def stale_offers(
    municipality: Municipality, *, months: int | None = None, now: dt.datetime | None = None
) -> QuerySet[Service]:
    """The municipality's stale offers by its own period (or `months`)."""
    return selectors.stale_services(
        municipality, older_than=period(months or stale_after_months(municipality)), now=now
    )


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------


def confirmation_token(service: Service, *, user: User | None = None, email: str = "") -> str:
    """A signed token that lets its holder confirm `service` as still current,
    bound to the service and the recipient (a user, or an e-mail address)."""
    payload = {"s": service.pk, "u": user.pk if user else None, "e": "" if user else email}
    return signing.TimestampSigner(salt=SALT).sign_object(payload, compress=True)


@dataclass(frozen=True)
class Confirmation:
    service: Service
    user: User | None
    email: str
    issued_at: dt.datetime

    @property
    def already_confirmed(self) -> bool:
        """Whether the offer was confirmed (by anyone) since the link was sent: the
        link has done its work and confirms nothing more."""
        verified = self.service.last_verified_at
        return verified is not None and verified >= self.issued_at


def read_token(token: str, municipality: Municipality) -> Confirmation | None:
    """What a token authorises, or None when it is forged, expired, for another
    municipality, its offer is gone or no longer published, its user is gone or
    no longer has access to the offer's organisation, or the organisation's
    address it was sent to is no longer the organisation's."""
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=TOKEN_MAX_AGE)
        # the signed value ends with the time of signing (base 62), then the signature
        issued_at = dt.datetime.fromtimestamp(
            signing.b62_decode(token.rsplit(":", 2)[1]), tz=dt.UTC
        )
    except (signing.BadSignature, ValueError, TypeError, IndexError):
        return None
    if not isinstance(payload, dict):
        return None
    service = (
        Service.objects.for_municipality(municipality)
        .select_related("organization")
        .filter(pk=payload.get("s"), status=ServiceStatus.PUBLISHED)
        .first()
    )
    if service is None:
        return None
    user = None
    email = str(payload.get("e") or "")
    if payload.get("u") is not None:
        user = User.objects.filter(pk=payload["u"], is_active=True).first()
        if (
            user is None
            or not ProviderAccess.objects.filter(
                user=user, organization_id=service.organization_id
            ).exists()
        ):
            return None
    elif not email or service.organization.email.casefold() != email.casefold():
        return None
    return Confirmation(service=service, user=user, email=email, issued_at=issued_at)


@transaction.atomic
def confirm_by_token(confirmation: Confirmation) -> Service:
    """Record the confirmation: the offer's "zuletzt geprüft am/von" (the user, or
    nobody for an organisation address) and the reminder rows it answers."""
    now = timezone.now()
    service = services.service_confirm_current(
        actor=confirmation.user, service=confirmation.service, when=now
    )
    reminders = ReminderSent.objects.filter(service=service, confirmed_at__isnull=True)
    if confirmation.user is not None:
        reminders = reminders.filter(user=confirmation.user)
    else:
        reminders = reminders.filter(user__isnull=True, email=confirmation.email)
    reminders.update(confirmed_at=now)
    return service


# ---------------------------------------------------------------------------
# Reminders
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    user: User | None
    name: str


def recipients_for(organization: Organization) -> list[Recipient]:
    """The provider accounts with access to the organisation (with an address), or
    else the organisation's own address."""
    people = [
        access.user
        for access in ProviderAccess.objects.filter(organization=organization)
        .select_related("user")
        .order_by("user_id")
        if access.user.is_active and access.user.email
    ]
    if people:
        return [Recipient(u.email, u, u.get_full_name() or u.username) for u in people]
    if organization.email:
        return [Recipient(organization.email, None, organization.name)]
    return []


@dataclass
class ReminderReport:
    mails: int = 0
    offers_mentioned: int = 0
    not_due: int = 0  # offer × recipient pairs mailed within RESEND_AFTER
    stale: int = 0
    without_recipient: list[Service] = field(default_factory=list)


def base_url() -> str:
    """Absolute links in mails start with settings.KETTE_BASE_URL."""
    return settings.KETTE_BASE_URL.rstrip("/")


def edit_url(service: Service) -> str:
    """The offer's edit page (once the directory's views provide one), else the
    municipality's workspace."""
    slug = service.municipality.slug
    try:
        return reverse(
            "directory:service_edit", kwargs={"municipality_slug": slug, "service_pk": service.pk}
        )
    except NoReverseMatch:
        return reverse("core:workspace", kwargs={"municipality_slug": slug})


def _mail(
    municipality: Municipality, recipient: Recipient, offers: list[Service], months: int
) -> None:
    root = base_url()
    items: list[dict[str, Any]] = []
    for service in offers:
        token = confirmation_token(
            service, user=recipient.user, email="" if recipient.user else recipient.email
        )
        items.append(
            {
                "service": service,
                "confirm_url": root
                + reverse(
                    "directory_freshness:confirm",
                    kwargs={"municipality_slug": municipality.slug, "reminder_token": token},
                ),
                "edit_url": root + edit_url(service),
            }
        )
    context = {
        "municipality": municipality,
        "recipient": recipient,
        "items": items,
        "months": months,
        "valid_days": TOKEN_MAX_AGE.days,
    }
    subject = _("Are your offers in %(municipality)s still current?") % {
        "municipality": municipality.name
    }
    body = render_to_string("directory/email/stale_offers.txt", context)
    send_mail(subject, body, None, [recipient.email])


def remind_stale_offers(
    *,
    municipalities: list[Municipality],
    months: int | None = None,
    now: dt.datetime | None = None,
    dry_run: bool = False,
) -> ReminderReport:
    """Mail each provider one list of its stale offers (see the module docstring).
    Idempotent within RESEND_AFTER."""
    now = now or timezone.now()
    report = ReminderReport()
    for municipality in municipalities:
        municipality_months = months or stale_after_months(municipality)
        stale = list(stale_offers(municipality, months=municipality_months, now=now))
        report.stale += len(stale)
        by_organization: dict[int, list[Service]] = defaultdict(list)
        for service in stale:
            by_organization[service.organization_id].append(service)
        for offers in by_organization.values():
            recipients = recipients_for(offers[0].organization)
            if not recipients:
                report.without_recipient.extend(offers)
                continue
            for recipient in recipients:
                recent = set(
                    ReminderSent.objects.filter(
                        service__in=offers,
                        email__iexact=recipient.email,
                        sent_at__gte=now - RESEND_AFTER,
                    ).values_list("service_id", flat=True)
                )
                due = [service for service in offers if service.pk not in recent]
                report.not_due += len(offers) - len(due)
                if not due:
                    continue
                report.mails += 1
                report.offers_mentioned += len(due)
                if dry_run:
                    continue
                _mail(municipality, recipient, due, municipality_months)
                ReminderSent.objects.bulk_create(
                    [
                        ReminderSent(
                            municipality=municipality,
                            service=service,
                            user=recipient.user,
                            email=recipient.email,
                            sent_at=now,
                        )
                        for service in due
                    ]
                )
    return report
