"""The reports app's part of the cross-tenant harness (see kette.testing.tenancy)."""

from django.core.files.base import ContentFile

from kette.reports.models import AnnualReport, Chapter, ChapterText, GeneratedReport, Goal
from kette.testing.tenancy import register_kwarg, register_seeder


def seed_reports(world):
    # The year matches the `year` keyword the monitoring app registers (2012).
    report = AnnualReport.objects.create(
        municipality=world.a, year=2012, leitbild=f"Leitbild {world.secret}"
    )
    ChapterText.objects.create(
        municipality=world.a, report=report, chapter=Chapter.OUTLOOK, text=world.secret
    )
    Goal.objects.create(municipality=world.a, report=report, title=f"Ziel {world.secret}")
    generated = GeneratedReport(municipality=world.a, report=report, size=30, sha256="0" * 64)
    generated.file.save("report.pdf", ContentFile(f"%PDF-1.7 {world.secret}".encode()))
    world.objects["generated_report"] = generated


register_seeder(seed_reports)
register_kwarg("generated_pk", lambda world: world.objects["generated_report"].pk)
