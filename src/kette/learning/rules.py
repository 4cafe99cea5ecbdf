"""Permissions of the learning network as django-rules predicates.

The coordination office (programme staff of the meeting's programme) runs the
meetings; a municipality's coordinator submits short talks and registers the
municipality's people. Predicates return False for None.
"""

from __future__ import annotations

from typing import Any

import rules

from kette.core.models import Municipality, Programme
from kette.core.roles import roles_of
from kette.core.rules import (
    is_coordinator,
    is_municipality_editor,
    is_municipality_member,
    is_programme_admin,
)
from kette.learning.models import (
    ArticleStatus,
    MaterialAudience,
    Meeting,
    PracticeExample,
    PracticeExampleStatus,
    Visibility,
)


def _programme_id(target: Any) -> int | None:
    if isinstance(target, Meeting):
        return target.programme_id
    if isinstance(target, Programme):
        return target.pk
    if isinstance(target, Municipality):
        return target.programme_id
    return None


@rules.predicate
def is_staff_of_programme(user: Any, target: Any) -> bool:
    """The user works in the coordination office of the target's programme."""
    programme_id = _programme_id(target)
    if programme_id is None:
        return False
    return bool(roles_of(user).in_programme(programme_id)) or is_programme_admin.test(user)


@rules.predicate
def is_network_member(user: Any, meeting: Meeting | None) -> bool:
    """The user holds a role in one of the meeting programme's municipalities."""
    if meeting is None:
        return False
    ids = roles_of(user).municipality
    if not ids:
        return False
    return Municipality.objects.filter(pk__in=ids, programme_id=meeting.programme_id).exists()


@rules.predicate
def is_public_meeting(user: Any, meeting: Meeting | None) -> bool:
    return meeting is not None and meeting.visibility == Visibility.PUBLIC


@rules.predicate
def is_network_meeting(user: Any, meeting: Meeting | None) -> bool:
    return meeting is not None and meeting.visibility == Visibility.NETWORK


@rules.predicate
def has_published_minutes(user: Any, meeting: Meeting | None) -> bool:
    if meeting is None:
        return False
    minutes = getattr(meeting, "minutes", None)  # None when there are none yet
    return bool(minutes and minutes.published)


can_read_meeting = (
    is_public_meeting | (is_network_meeting & is_network_member) | is_staff_of_programme
)

# Meetings (object: the meeting)
rules.add_perm("learning.read_meeting", can_read_meeting)
rules.add_perm(
    "learning.read_minutes", (can_read_meeting & has_published_minutes) | is_staff_of_programme
)
rules.add_perm("learning.manage_meeting", is_staff_of_programme)
rules.add_perm("learning.review_contributions", is_staff_of_programme)
rules.add_perm("learning.check_in", is_staff_of_programme)
rules.add_perm("learning.read_registrations", is_staff_of_programme)
rules.add_perm("learning.write_minutes", is_staff_of_programme)
# Programme-wide (object: the programme)
rules.add_perm("learning.create_meeting", is_staff_of_programme)
rules.add_perm("learning.read_statistics", is_staff_of_programme)
# In a municipality (object: the municipality)
rules.add_perm("learning.submit_contribution", is_coordinator)
rules.add_perm("learning.register_participants", is_coordinator | is_staff_of_programme)


# Practice examples (object: the example, or the municipality for writing)
@rules.predicate
def is_published_for(user: Any, example: PracticeExample | None) -> bool:
    """Published and either public, or network-only and the user is in the network."""
    if example is None or example.status != PracticeExampleStatus.PUBLISHED:
        return False
    if example.visibility == Visibility.PUBLIC:
        return True
    ids = roles_of(user).municipality
    return (
        bool(ids)
        and Municipality.objects.filter(
            pk__in=ids, programme_id=example.municipality.programme_id
        ).exists()
    )


@rules.predicate
def is_own_example(user: Any, example: PracticeExample | None) -> bool:
    return example is not None and is_municipality_member.test(user, example.municipality)


@rules.predicate
def is_office_of_example(user: Any, example: PracticeExample | None) -> bool:
    return example is not None and is_staff_of_programme.test(user, example.municipality)


rules.add_perm(
    "learning.read_practice_example", is_published_for | is_own_example | is_office_of_example
)
rules.add_perm("learning.manage_practice_examples", is_municipality_editor)


@rules.predicate
def can_download_slides(user: Any, contribution: Any) -> bool:
    """Accepted talks' slides go with the meeting; until then only the
    coordination office and the submitting municipality's people get them."""
    if contribution is None:
        return False
    meeting = contribution.working_group.meeting
    if contribution.status == "accepted" and can_read_meeting.test(user, meeting):
        return True
    if is_staff_of_programme.test(user, meeting):
        return True
    return contribution.municipality_id in roles_of(user).municipality


rules.add_perm("learning.download_slides", can_download_slides)


@rules.predicate
def can_see_material(user: Any, item: Any) -> bool:
    """A meeting's document or photo: the office always; otherwise whoever may see
    the meeting, and for network-only material only people of the network."""
    if item is None:
        return False
    meeting = item.meeting
    if is_staff_of_programme.test(user, meeting):
        return True
    if not can_read_meeting.test(user, meeting):
        return False
    if item.audience == MaterialAudience.NETWORK:
        return is_network_member.test(user, meeting)
    return True


rules.add_perm("learning.read_document", can_see_material)
rules.add_perm("learning.read_photo", can_see_material)


# Articles (object: the article; writing: the programme)
@rules.predicate
def is_published_article(user: Any, article: Any) -> bool:
    return article is not None and article.status == ArticleStatus.PUBLISHED


@rules.predicate
def is_office_of_article(user: Any, article: Any) -> bool:
    return article is not None and is_staff_of_programme.test(user, article.meeting)


rules.add_perm("learning.read_article", is_published_article | is_office_of_article)
rules.add_perm("learning.write_articles", is_staff_of_programme)
