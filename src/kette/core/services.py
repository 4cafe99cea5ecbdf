"""Writes of the core app. Every service is keyword-only, atomic and audited."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from kette.core.audit import audited_save
from kette.core.mail import in_mail_language
from kette.core.models import (
    AccessibilityFeedback,
    FundingPeriod,
    Membership,
    Municipality,
    Programme,
    Role,
    User,
)
from kette.core.roles import forget_roles
from kette.core.text import german_slug
from kette.core.validators import validate_official_key

logger = logging.getLogger(__name__)


@transaction.atomic
def programme_upsert(*, actor: User | None, slug: str, **fields: Any) -> Programme:
    """Create the programme with `slug` or update its fields; returns it."""
    programme = Programme.objects.filter(slug=slug).first() or Programme(slug=slug)
    for name, value in fields.items():
        setattr(programme, name, value)
    audited_save(programme, actor=actor)
    return programme


@transaction.atomic
def municipality_upsert(
    *,
    actor: User | None,
    programme: Programme,
    name: str,
    kind: str,
    official_key: str,
    population: int | None = None,
    population_date: dt.date | None = None,
    boundary: dict[str, Any] | None = None,
    cohort: int | None = None,
    funding_periods: list[tuple[dt.date, dt.date]] | None = None,
) -> Municipality:
    """Create or update the municipality with `official_key` (validated).

    The slug is the German transliteration of the name ("Köln" -> "koeln").
    Funding periods given replace the existing ones only when they differ, so
    reruns record no change.
    """
    validate_official_key(official_key, kind)
    municipality = Municipality.objects.filter(official_key=official_key).first()
    if municipality is None:
        municipality = Municipality(official_key=official_key)
    new_values = {
        "programme": programme,
        "name": name,
        "slug": german_slug(name),
        "kind": kind,
        "population": population,
        "population_date": population_date,
        "boundary": boundary,
        "cohort": cohort,
    }
    changed = municipality.pk is None or any(
        getattr(municipality, key) != value for key, value in new_values.items()
    )
    if changed:
        for key, value in new_values.items():
            setattr(municipality, key, value)
        audited_save(municipality, actor=actor)
    if funding_periods is not None:
        existing = [
            (p.starts_on, p.ends_on)
            for p in FundingPeriod.objects.for_municipality(municipality).order_by("starts_on")
        ]
        if existing != sorted(funding_periods):
            for period in FundingPeriod.objects.for_municipality(municipality):
                period._history_user = actor
                period.delete()
            for starts_on, ends_on in sorted(funding_periods):
                audited_save(
                    FundingPeriod(municipality=municipality, starts_on=starts_on, ends_on=ends_on),
                    actor=actor,
                )
    return municipality


@transaction.atomic
def municipality_update_profile(
    *, actor: User, municipality: Municipality, description: str, website: str
) -> Municipality:
    """Change the public description and website of a municipality."""
    municipality.description = description
    municipality.website = website
    audited_save(municipality, actor=actor)
    return municipality


@transaction.atomic
def user_upsert(
    *,
    username: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    is_superuser: bool = False,
) -> User:
    """Create or update an account; the password is set only when given."""
    user = User.objects.filter(username=username).first() or User(username=username)
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    user.is_superuser = is_superuser
    user.is_staff = is_superuser
    if password is not None:
        user.set_password(password)
    elif user.pk is None:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def membership_set(
    *,
    actor: User | None,
    user: User,
    programme: Programme,
    municipality: Municipality | None,
    role: str,
) -> Membership:
    """Give `user` exactly the role `role` in the municipality (or programme-wide when
    `municipality` is None), replacing an earlier role there."""
    membership = Membership.objects.filter(
        user=user, programme=programme, municipality=municipality
    ).first() or Membership(user=user, programme=programme, municipality=municipality)
    if membership.pk is None or membership.role != role:
        membership.role = role
        audited_save(membership, actor=actor)
    forget_roles(user)
    return membership


@transaction.atomic
def membership_invite(
    *,
    actor: User,
    municipality: Municipality,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    base_url: str,
) -> Membership:
    """Add a person to the municipality with `role`; a new account gets an e-mail with
    a link to choose a password (the password-reset flow)."""
    if role not in {r.value for r in Role} or role in {Role.PROGRAMME_ADMIN, Role.PROGRAMME_STAFF}:
        raise ValueError(f"not a municipality role: {role}")
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    is_new = user is None
    if user is None:
        user = user_upsert(username=email, email=email, first_name=first_name, last_name=last_name)
    membership = membership_set(
        actor=actor,
        user=user,
        programme=municipality.programme,
        municipality=municipality,
        role=role,
    )
    if is_new:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = base_url + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
        _mail_access(actor, membership, link)
    return membership


@in_mail_language
def _mail_access(actor: User, membership: Membership, link: str) -> None:
    """Tell a new member how to choose their password (after commit)."""
    subject = _("Your access to kette")
    body = _(
        "Hello,\n\n%(actor)s has added you to kette for %(municipality)s as %(role)s. "
        "Please choose your password with this link:\n\n%(link)s\n\n"
        "Your user name is %(username)s."
    ) % {
        "actor": actor,
        "municipality": membership.municipality.name if membership.municipality else "",
        "role": membership.get_role_display(),
        "link": link,
        "username": membership.user.username,
    }
    email = membership.user.email
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email]))


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """Take a person's role in a municipality away (the account stays)."""
    membership._history_user = actor  # type: ignore[attr-defined]
    membership.delete()
    forget_roles(membership.user)


def accessibility_feedback_submit(
    *, message: str, email: str = "", page_url: str = ""
) -> AccessibilityFeedback:
    """Store feedback on barriers and mail it to the operator's accessibility contact."""
    feedback = AccessibilityFeedback.objects.create(message=message, email=email, page_url=page_url)
    _mail_feedback(feedback)
    return feedback


@in_mail_language
def _mail_feedback(feedback: AccessibilityFeedback) -> None:
    """Mail feedback on barriers to the operator's accessibility contact, if any."""
    message, email, page_url = feedback.message, feedback.email, feedback.page_url
    recipient = settings.KETTE_ACCESSIBILITY_EMAIL
    if recipient:
        body = _("Page: %(page)s\nReply to: %(email)s\n\n%(message)s") % {
            "page": page_url or "–",
            "email": email or "–",
            "message": message,
        }
        try:
            send_mail(
                _("Accessibility feedback"),
                body,
                settings.DEFAULT_FROM_EMAIL,
                [recipient],
            )
        except OSError:
            # The message is stored either way; a mail outage must not lose it.
            logger.exception("could not mail accessibility feedback %s", feedback.pk)
