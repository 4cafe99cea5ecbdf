"""Documents and photos of a meeting: metadata removal, checks by content, visibility."""

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, PngImagePlugin

from kette.core.models import Role
from kette.learning import services, uploads
from kette.learning.models import MeetingDocument, MeetingPhoto, Visibility
from kette.learning.tests.factories import ContributionFactory, MeetingFactory, share_example
from kette.testing import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
REQUIRED = "Dieses Feld ist zwingend erforderlich."


@pytest.fixture
def meeting(world):
    return MeetingFactory(programme=world.programme, number=17, visibility=Visibility.PUBLIC)


def camera_jpeg(width: int = 40, height: int = 20, orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: EXIF with camera, time, GPS position and an
    orientation tag (6: the camera was turned, show rotated 90° clockwise), and XMP."""
    image = Image.new("RGB", (width, height), "red")
    image.paste((0, 0, 255), (0, 0, width // 2, height))  # left half blue
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Kamerahersteller"
    exif[ExifTags.Base.Model] = "Telefon X"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.DateTime] = "2017:09:13 10:15:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (50.0, 56.0, 20.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (6.0, 57.0, 30.0),
        }
    )
    buffer = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Koeln Rathaus</x:xmpmeta>'
    image.save(buffer, "JPEG", exif=exif.tobytes(), xmp=xmp, quality=95)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def add_photo(meeting, office, content=None, **fields):
    data = {
        "caption": "Begrüßung im Ratssaal",
        "credit": "Foto: Landeskoordinierungsstelle",
        "alt_text": "Blick in den vollen Ratssaal",
        "audience": "meeting",
        **fields,
    }
    return services.meeting_photo_add(
        actor=office,
        meeting=meeting,
        image=upload("IMG_2017-09-13_Koeln.jpg", content or camera_jpeg()),
        **data,
    )


def pptx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("ppt/presentation.xml", "<p:presentation/>")
    return buffer.getvalue()


def odp() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.presentation")
        package.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


# Photos --------------------------------------------------------------------------------


def test_the_test_photo_really_carries_exif_gps_and_xmp():
    with Image.open(io.BytesIO(camera_jpeg())) as original:
        exif = original.getexif()
        assert exif[ExifTags.Base.Make] == "Kamerahersteller"
        assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
        assert "xmp" in original.info


def test_a_stored_photo_has_no_exif_gps_or_other_metadata_and_stays_upright(meeting, office):
    photo = add_photo(meeting, office)
    assert re.fullmatch(r"learning/photos/[0-9a-f]{32}\.jpg", photo.image.name)
    with default_storage.open(photo.image.name, "rb") as stored:
        raw = stored.read()
    for trace in (b"Exif", b"Kamerahersteller", b"Telefon X", b"xmpmeta", b"Koeln", b"2017:09"):
        assert trace not in raw
    with Image.open(io.BytesIO(raw)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert not {"exif", "xmp", "icc_profile", "photoshop", "comment"} & set(image.info)
        # Orientation 6 was applied before the tag went: 40×20 became 20×40, and the
        # blue left half is now at the top.
        assert image.size == (20, 40) == (photo.width, photo.height)
        top, bottom = (image.convert("RGB").getpixel((10, y)) for y in (5, 35))
        assert top[2] > 200 and top[0] < 60  # blue
        assert bottom[0] > 200 and bottom[2] < 60  # red
    assert photo.credit == "Landeskoordinierungsstelle"  # "Foto:" is added when shown
    assert photo.history.latest().history_user == office


def test_png_text_chunks_do_not_survive_and_transparency_does(meeting, office):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Erika Beispiel")
    info.add_text("GPS", "50.94,6.95")
    image = Image.new("RGBA", (30, 30), (0, 128, 0, 128))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info)
    photo = services.meeting_photo_add(
        actor=office,
        meeting=meeting,
        image=upload("logo.png", buffer.getvalue()),
        caption="Logo",
        credit="Landeskoordinierungsstelle",
        alt_text="Logo des Programms",
        audience="meeting",
    )
    assert photo.image.name.endswith(".png")
    with default_storage.open(photo.image.name, "rb") as stored, Image.open(stored) as clean:
        assert clean.mode == "RGBA"
        assert not getattr(clean, "text", {})
        assert "Author" not in clean.info and "GPS" not in clean.info


def test_large_photos_are_scaled_down(meeting, office, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PHOTO_EDGE", 16)
    photo = add_photo(meeting, office)
    assert (photo.width, photo.height) == (8, 16)


@pytest.mark.parametrize("missing", ["caption", "credit", "alt_text"])
def test_caption_credit_and_alt_text_are_required(meeting, office, missing):
    with pytest.raises(ValidationError) as raised:
        add_photo(meeting, office, **{missing: "  "})
    assert raised.value.message_dict == {missing: [REQUIRED]}
    assert not MeetingPhoto.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("foto.jpg", b"Das ist kein Bild."),
        ("foto.jpg", b"%PDF-1.4 ein PDF mit falscher Endung"),
        ("animation.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        ("foto.jpg", camera_jpeg()[:200]),  # cut off
    ],
)
def test_files_that_are_not_photos_are_refused_in_german(meeting, office, name, content):
    with pytest.raises(ValidationError) as raised:
        services.meeting_photo_add(
            actor=office,
            meeting=meeting,
            image=upload(name, content),
            caption="x",
            credit="x",
            alt_text="x",
            audience="meeting",
        )
    assert raised.value.message_dict["image"] == [
        "Die Datei ist kein Foto, das kette verwenden kann. Bitte laden Sie ein JPEG-, "
        "PNG- oder WebP-Bild hoch."
    ]
    assert not MeetingPhoto.objects.exists()
    assert not default_storage.exists("learning/photos")


def test_photos_above_the_size_limit_are_refused(meeting, office, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PHOTO_BYTES", uploads.MB)
    with pytest.raises(ValidationError) as raised:
        add_photo(meeting, office, content=camera_jpeg() + b"\0" * uploads.MB)
    assert raised.value.message_dict == {"image": ["Die Datei ist zu groß (höchstens 1 MB)."]}


# Documents -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("Folien.PDF", b"%PDF-1.7 ...", "pdf"),
        ("Folien.pptx", pptx(), "pptx"),
        ("f.odp", odp(), "odp"),
    ],
)
def test_documents_are_accepted_by_content_and_stored_under_a_random_name(
    meeting, office, name, content, extension
):
    document = services.meeting_document_add(
        actor=office,
        meeting=meeting,
        file=upload(name, content),
        title="Steuerung in Ahlen",
        kind="slides",
        audience="meeting",
    )
    assert re.fullmatch(rf"learning/documents/[0-9a-f]{{32}}\.{extension}", document.file.name)
    with default_storage.open(document.file.name, "rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "programm.exe",
            b"MZ\x90\x00",
            "Dokumente können als PDF, PPTX, DOCX, XLSX, ODP, ODT, ODS hochgeladen werden.",
        ),
        (
            "folien.pdf",
            b"MZ\x90\x00 ein Programm",
            "Die Datei ist kein echtes PDF-Dokument (ihr Inhalt passt nicht zu ihrem Namen).",
        ),
        (
            "folien.pptx",
            odp(),
            "Die Datei ist kein echtes PPTX-Dokument (ihr Inhalt passt nicht zu ihrem Namen).",
        ),
        (
            "folien.odp",
            pptx(),
            "Die Datei ist kein echtes ODP-Dokument (ihr Inhalt passt nicht zu ihrem Namen).",
        ),
    ],
)
def test_wrong_document_types_are_refused_in_german(meeting, office, name, content, message):
    with pytest.raises(ValidationError) as raised:
        services.meeting_document_add(
            actor=office,
            meeting=meeting,
            file=upload(name, content),
            title="x",
            kind="handout",
            audience="meeting",
        )
    assert raised.value.message_dict == {"file": [message]}
    assert not MeetingDocument.objects.exists()


def test_documents_above_the_size_limit_are_refused(meeting, office, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_DOCUMENT_BYTES", 2 * uploads.MB)
    with pytest.raises(ValidationError) as raised:
        services.meeting_document_add(
            actor=office,
            meeting=meeting,
            file=upload("gross.pdf", b"%PDF-" + b"0" * (2 * uploads.MB)),
            title="x",
            kind="handout",
            audience="meeting",
        )
    assert raised.value.message_dict == {"file": ["Die Datei ist zu groß (höchstens 2 MB)."]}


# Pages, downloads and visibility -------------------------------------------------------


def test_the_office_uploads_through_the_material_page(
    client, world, meeting, office, django_capture_on_commit_callbacks
):
    client.force_login(office)
    page = client.get("/lernnetzwerk/17/material/")
    assert page.status_code == 200
    response = client.post(
        "/lernnetzwerk/17/material/",
        {
            "form": "photo",
            "photo-image": upload("bild.jpg", camera_jpeg()),
            "photo-caption": "",
            "photo-credit": "",
            "photo-alt_text": "",
            "photo-audience": "meeting",
        },
    )
    assert response.status_code == 400
    assert response.content.decode().count(REQUIRED) >= 3
    response = client.post(
        "/lernnetzwerk/17/material/",
        {
            "form": "photo",
            "photo-image": upload("bild.jpg", camera_jpeg()),
            "photo-caption": "Praxisbericht aus Ahlen",
            "photo-credit": "Max Muster",
            "photo-alt_text": "Eine Frau spricht am Rednerpult",
            "photo-audience": "meeting",
        },
    )
    assert response["Location"] == "/lernnetzwerk/17/material/"
    response = client.post(
        "/lernnetzwerk/17/material/",
        {
            "form": "document",
            "document-title": "Handout",
            "document-kind": "handout",
            "document-file": upload("handout.pdf", b"kein pdf"),
            "document-audience": "meeting",
        },
    )
    assert response.status_code == 400
    assert "Die Datei ist kein echtes PDF-Dokument" in response.content.decode()
    photo = MeetingPhoto.objects.get()
    stored = photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/lernnetzwerk/17/material/fotos/{photo.pk}/loeschen/")
    assert not MeetingPhoto.objects.exists()
    assert not default_storage.exists(stored)


def test_the_gallery_on_the_meeting_page_has_figures_with_credit_and_alt_text(
    client, world, meeting, office
):
    photo = add_photo(meeting, office)
    add_photo(meeting, office, caption="Nur fürs Netzwerk", audience="network")
    page = client.get("/lernnetzwerk/17/").content.decode()
    assert f'src="/lernnetzwerk/17/fotos/{photo.pk}/"' in page
    assert 'alt="Blick in den vollen Ratssaal"' in page
    assert re.search(
        r"<figcaption>\s*Begrüßung im Ratssaal\s*<span class=\"credit\">"
        r"Foto: Landeskoordinierungsstelle</span>",
        page,
    )
    assert "Nur fürs Netzwerk" not in page  # anonymous visitors
    member = factories.user_with_role(Role.VIEWER, world.b, username="b")
    client.force_login(member)
    assert "Nur fürs Netzwerk" in client.get("/lernnetzwerk/17/").content.decode()
    response = client.get(f"/lernnetzwerk/17/fotos/{photo.pk}/")
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def _document(meeting, office, audience):
    return services.meeting_document_add(
        actor=office,
        meeting=meeting,
        file=upload("f.pdf", b"%PDF-1.4 Inhalt"),
        title="Ergebnisse der AG 1",
        kind="handout",
        audience=audience,
    )


def _status(client, url):
    response = client.get(url)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response.status_code


def test_visibility_of_documents_and_photos_by_role(client, world, meeting, office):
    open_doc = _document(meeting, office, "meeting")
    network_doc = _document(meeting, office, "network")
    network_photo = add_photo(meeting, office, audience="network")
    urls = {
        "open": f"/lernnetzwerk/17/dokumente/{open_doc.pk}/",
        "network": f"/lernnetzwerk/17/dokumente/{network_doc.pk}/",
        "photo": f"/lernnetzwerk/17/fotos/{network_photo.pk}/",
    }
    member = factories.user_with_role(Role.COORDINATOR, world.b, username="b")
    other_programme = factories.MunicipalityFactory(
        name="Fremdstadt",
        slug="fremdstadt",
        programme=factories.ProgrammeFactory(name="Anderes Programm", slug="anderes"),
    )
    stranger = factories.user_with_role(Role.COORDINATOR, other_programme, username="x")
    # Public meeting: everyone gets the open document; network material is for the network.
    assert _status(client, urls["open"]) == 200
    assert _status(client, urls["network"]) == 302
    assert _status(client, urls["photo"]) == 302
    client.force_login(stranger)
    assert _status(client, urls["open"]) == 200
    assert _status(client, urls["network"]) == 403
    assert _status(client, urls["photo"]) == 403
    client.force_login(member)
    assert {_status(client, url) for url in urls.values()} == {200}
    client.force_login(office)
    assert {_status(client, url) for url in urls.values()} == {200}
    assert _status(client, "/lernnetzwerk/17/material/") == 200
    client.force_login(member)
    assert _status(client, "/lernnetzwerk/17/material/") == 403
    # A private meeting's material stays with the office.
    meeting.visibility = Visibility.PRIVATE
    meeting.save()
    assert _status(client, urls["open"]) == 404
    client.logout()
    assert _status(client, urls["open"]) == 302
    client.force_login(office)
    assert _status(client, urls["open"]) == 200
    # Another meeting's number does not reach the document.
    MeetingFactory(programme=world.programme, number=18)
    assert _status(client, f"/lernnetzwerk/18/dokumente/{open_doc.pk}/") == 404


def test_deleting_a_document_or_photo_asks_first_and_only_by_post(
    client, world, meeting, office, media_root
):
    document = services.meeting_document_add(
        actor=office,
        meeting=meeting,
        file=upload("handout.pdf", b"%PDF-1.7 Handout"),
        title="Handout Übergänge",
        kind="handout",
        audience="meeting",
    )
    photo = add_photo(meeting, office)
    services.article_create(
        actor=office, meeting=meeting, photos=[photo], title="Bericht", teaser="T", body="B"
    )
    client.force_login(office)
    page = client.get("/lernnetzwerk/17/material/").content.decode()
    assert page.count('<details class="confirm">') == 2
    assert "„Handout Übergänge“ löschen?" in page
    assert "Die Datei wird endgültig gelöscht." in page
    # the photo is also in an article: the question says so
    assert "Das Foto wird endgültig gelöscht und verschwindet aus 1 Bericht." in page
    delete_document = f"/lernnetzwerk/17/material/dokumente/{document.pk}/loeschen/"
    assert f'action="{delete_document}"' in page
    assert client.get(delete_document).status_code == 405
    assert MeetingDocument.objects.exists()
    client.post(delete_document)
    assert not MeetingDocument.objects.exists()


def test_downloads_are_named_from_their_titles_with_umlauts_transliterated(
    client, world, meeting, office
):
    title = "Übergänge gestalten: Straße & Schule"
    expected = 'attachment; filename="uebergaenge-gestalten-strasse-schule.pdf"'
    document = services.meeting_document_add(
        actor=office,
        meeting=meeting,
        file=upload("x.pdf", b"%PDF-1.7 Handout"),
        title=title,
        kind="handout",
        audience="meeting",
    )
    talk = ContributionFactory(
        working_group__meeting=meeting,
        title=title,
        status="accepted",
        slides=ContentFile(b"%PDF-1.4 Folien", name="f.pdf"),
    )
    example = share_example(world.a, "Lotsen", status="published", visibility=Visibility.PUBLIC)
    attachment = services.practice_example_attachment_add(
        actor=None, example=example, title=title, file=upload("k.pdf", b"%PDF-1.7 Konzept")
    )
    for url in (
        f"/lernnetzwerk/17/dokumente/{document.pk}/",
        f"/lernnetzwerk/17/kurzreferate/{talk.pk}/folien/",
        f"/lernnetzwerk/praxisbeispiele/{example.pk}/anhaenge/{attachment.pk}/",
    ):
        response = client.get(url)
        assert response["Content-Disposition"] == expected, url
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
