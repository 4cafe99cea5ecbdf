"""Writes of the reports app: typed, atomic, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kette.core.audit import audited_delete, audited_save
from kette.core.models import Municipality
from kette.reports.models import AnnualReport, Chapter, ChapterText, GeneratedReport, Goal
from kette.reports.selectors import report_data


@transaction.atomic
def report_open(*, actor: Any, municipality: Municipality, year: int) -> AnnualReport:
    """The municipality's report for `year`, created on first use; a new report takes
    the mission statement of the latest earlier report."""
    found = AnnualReport.objects.for_municipality(municipality).filter(year=year).first()
    if found is not None:
        return found
    earlier = (
        AnnualReport.objects.for_municipality(municipality)
        .filter(year__lt=year)
        .order_by("-year")
        .first()
    )
    report = AnnualReport(
        municipality=municipality, year=year, leitbild=earlier.leitbild if earlier else ""
    )
    audited_save(report, actor=actor)
    return report


@dataclass(frozen=True)
class GoalInput:
    title: str
    indicator: str = ""
    unit: str = ""
    planned: Decimal | None = None
    achieved: Decimal | None = None
    comment: str = ""
    pk: int | None = None  # an existing goal of the report, None for a new one
    delete: bool = False


@transaction.atomic
def report_save(
    *,
    actor: Any,
    report: AnnualReport,
    leitbild: str,
    texts: Mapping[str, str],
    goals: Sequence[GoalInput] = (),
) -> AnnualReport:
    """Save the mission statement, the chapter texts (drafts until a PDF is generated)
    and the goals in the given order."""
    if report.leitbild != leitbild:
        report.leitbild = leitbild
        audited_save(report, actor=actor)
    existing = {t.chapter: t for t in report.texts.all()}
    for chapter in Chapter.values:
        if chapter not in texts:
            continue
        text = texts[chapter].strip()
        row = existing.get(chapter)
        if row is None and not text:
            continue
        if row is None:
            row = ChapterText(municipality=report.municipality, report=report, chapter=chapter)
        if row.pk is None or row.text != text:
            row.text = text
            audited_save(row, actor=actor)
    current = {
        g.pk: g for g in Goal.objects.for_municipality(report.municipality).filter(report=report)
    }
    position = 0
    for goal_input in goals:
        goal = current.get(goal_input.pk) if goal_input.pk is not None else None
        if goal_input.pk is not None and goal is None:
            raise Goal.DoesNotExist(goal_input.pk)
        if goal_input.delete:
            if goal is not None:
                audited_delete(goal, actor=actor)
            continue
        if goal is None:
            goal = Goal(municipality=report.municipality, report=report)
        values = {
            "position": position,
            "title": goal_input.title,
            "indicator": goal_input.indicator,
            "unit": goal_input.unit,
            "planned": goal_input.planned,
            "achieved": goal_input.achieved,
            "comment": goal_input.comment,
        }
        position += 1
        if goal.pk is not None and all(getattr(goal, k) == v for k, v in values.items()):
            continue
        for key, value in values.items():
            setattr(goal, key, value)
        audited_save(goal, actor=actor)
    return report


def report_render_pdf(report: AnnualReport, *, today: dt.date | None = None) -> bytes:
    """The report as tagged PDF (not stored)."""
    # Imported here: WeasyPrint takes about 0.6 s to import; only PDF requests pay it.
    from kette.core.pdf import render_pdf

    return render_pdf("reports/report_pdf.html", {"data": report_data(report, today=today)})


@transaction.atomic
def report_generate(
    *, actor: Any, report: AnnualReport, today: dt.date | None = None
) -> GeneratedReport:
    """Render the report as PDF and keep it with its date."""
    data = report_render_pdf(report, today=today or timezone.localdate())
    generated = GeneratedReport(
        municipality=report.municipality,
        report=report,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    generated.file.save("report.pdf", ContentFile(data), save=False)
    generated.full_clean()
    generated.save()
    return generated
