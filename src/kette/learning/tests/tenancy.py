"""The learning network's part of the cross-tenant harness (see kette.testing.tenancy).

A's internal data carrying the secret: a short talk A submitted but the office has
not accepted, a registration of A's (name and needs; the person attended, so the
published minutes' attendance list must not name them to outsiders) and a
private meeting's title with its document and photo, a draft practice example and a
draft article.
"""

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kette.learning import services
from kette.learning.models import (
    Attendance,
    ContributionStatus,
    Minutes,
    MinutesEntry,
    PracticeExample,
    Visibility,
)
from kette.learning.tests.factories import (
    AgendaItemFactory,
    ContributionFactory,
    MeetingFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from kette.testing.tenancy import register_kwarg, register_seeder


def _tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def seed_learning(world):
    soon = dt.date.today() + dt.timedelta(days=30)
    meeting = MeetingFactory(
        programme=world.programme,
        number=901,
        title="Öffentliches Treffen",
        starts_on=soon,
        ends_on=soon,
        host_municipality=world.a,
        visibility=Visibility.PUBLIC,
    )
    item = AgendaItemFactory(meeting=meeting)
    group = WorkingGroupFactory(meeting=meeting)
    ContributionFactory(
        working_group=group,
        municipality=world.a,
        status=ContributionStatus.ACCEPTED,
        title="Angenommenes Kurzreferat",
    )
    submitted = ContributionFactory(
        working_group=group,
        municipality=world.a,
        title=f"Eingereicht {world.secret}",
        abstract=world.secret,
        # Slides of a talk not yet accepted: only A and the office may fetch them.
        slides=ContentFile(f"%PDF-1.4 Folien {world.secret}".encode(), name="folien.pdf"),
    )
    registration = RegistrationFactory(
        meeting=meeting,
        municipality=world.a,
        person_name=f"Teilnehmerin {world.secret}",
        needs=world.secret,
        attendance=Attendance.ATTENDED,
    )
    # Published minutes: their attendance list names people only to the office.
    minutes = Minutes.objects.create(meeting=meeting, introduction="Protokoll", published=True)
    MinutesEntry.objects.create(minutes=minutes, agenda_item=item, text="Begrüßt wurde.")
    private = MeetingFactory(
        programme=world.programme,
        number=902,
        title=f"Internes Treffen {world.secret}",
        visibility=Visibility.PRIVATE,
    )
    # A private meeting's document and photo: the office's only. The harness asks
    # for them under the public meeting's number, which must not reach them either.
    document = services.meeting_document_add(
        actor=None,
        meeting=private,
        file=SimpleUploadedFile("intern.pdf", f"%PDF-1.4 {world.secret}".encode()),
        title=f"Internes Handout {world.secret}",
        kind="handout",
        audience="meeting",
    )
    photo = services.meeting_photo_add(
        actor=None,
        meeting=private,
        image=SimpleUploadedFile("intern.png", _tiny_png()),
        caption=f"Intern {world.secret}",
        credit=world.secret,
        alt_text=world.secret,
        audience="network",
    )
    # A draft practice example: only A and the office may read it.
    example = PracticeExample.objects.create(
        municipality=world.a, title=f"Entwurf {world.secret}", summary=world.secret
    )
    attachment = services.practice_example_attachment_add(
        actor=None,
        example=example,
        title=f"Konzept {world.secret}",
        file=SimpleUploadedFile("konzept.pdf", f"%PDF-1.7 {world.secret}".encode()),
    )
    # A draft article about the public meeting: the office's until published.
    article = services.article_create(
        actor=None,
        meeting=meeting,
        title=f"Entwurf {world.secret}",
        teaser=world.secret,
        body=world.secret,
        status="draft",
    )
    world.objects.update(
        attachment=attachment,
        article=article,
        practice_example=example,
        meeting=meeting,
        agenda_item=item,
        working_group=group,
        contribution=submitted,
        registration=registration,
        document=document,
        photo=photo,
    )


register_seeder(seed_learning)
register_kwarg("number", lambda world: world.objects["meeting"].number)
register_kwarg("item_pk", lambda world: world.objects["agenda_item"].pk)
register_kwarg("group_pk", lambda world: world.objects["working_group"].pk)
register_kwarg("contribution_pk", lambda world: world.objects["contribution"].pk)
register_kwarg("example_pk", lambda world: world.objects["practice_example"].pk)
register_kwarg("attachment_pk", lambda world: world.objects["attachment"].pk)
register_kwarg("article_pk", lambda world: world.objects["article"].pk)
register_kwarg("document_pk", lambda world: world.objects["document"].pk)
register_kwarg("photo_pk", lambda world: world.objects["photo"].pk)
register_kwarg("registration_pk", lambda world: world.objects["registration"].pk)
# A valid link would let anyone who holds it cancel (that is its point); the
# harness probes a broken one. test_views covers valid links.
register_kwarg("cancel_token", lambda world: "ungueltiger-link")
