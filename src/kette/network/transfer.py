"""CSV/XLSX import and export of the actor network (German column headers).

An import first reads and checks every row, collecting every problem with its
row, column and a German reason; only a file without problems is written, in
one transaction (all or nothing). Rows that name an existing record update it,
so importing the same file twice changes nothing.

Exports pseudonymise people by default: the name becomes a stable pseudonym
(`Person 3f9a1c2e`, an HMAC of the row id under the installation's secret key,
so the same person keeps the same pseudonym across exports and files can be
joined) and contact details are left out. `with_names=True` is for the
municipality's own use.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kette.core import spreadsheets
from kette.core.audit import audited_save
from kette.core.models import Municipality, User
from kette.directory import services as directory_services
from kette.directory import tabular
from kette.directory.models import Organization
from kette.network import selectors, services
from kette.network.models import (
    Body,
    BodyKind,
    BodyMembership,
    Cooperation,
    CooperationKind,
    LegalBasis,
    Level,
    MembershipRole,
    Person,
    Sector,
)

KINDS = ("organizations", "people", "memberships", "ties")

COLUMNS: dict[str, list[str]] = {
    "organizations": ["Name", "Sektor", "Beschreibung", "E-Mail", "Website"],
    "people": [
        "Name",
        "Funktion",
        "Organisation",
        "Ebene",
        "E-Mail",
        "Telefon",
        "Rechtsgrundlage",
        "Hinweis zur Rechtsgrundlage",
    ],
    "memberships": [
        "Gremium",
        "Art des Gremiums",
        "Übergeordnetes Gremium",
        "Person",
        "Organisation",
        "Rolle",
        "Ebene",
        "von",
        "bis",
    ],
    "ties": ["Organisation A", "Organisation B", "Art", "Stärke", "von", "bis", "Anmerkung"],
}
REQUIRED: dict[str, set[str]] = {
    "organizations": {"Name"},
    "people": {"Name"},
    "memberships": {"Gremium"},
    "ties": {"Organisation A", "Organisation B", "Art"},
}


@dataclass(frozen=True)
class Problem:
    row: int  # 1 = header row, as a spreadsheet shows it
    column: str
    reason: str

    def __str__(self) -> str:
        if self.column:
            return _("Row %(row)d, column “%(column)s”: %(reason)s") % {
                "row": self.row,
                "column": self.column,
                "reason": self.reason,
            }
        return _("Row %(row)d: %(reason)s") % {"row": self.row, "reason": self.reason}


class ImportRejected(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # rows that match what is recorded: nothing written
    rows: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        """What the import did (or, on a trial run, would do), in words."""
        counts = {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            return (
                ngettext(
                    "Trial run: %(rows)d row checked, no errors. Importing: %(created)d "
                    "created, %(updated)d updated, %(unchanged)d unchanged.",
                    "Trial run: %(rows)d rows checked, no errors. Importing: %(created)d "
                    "created, %(updated)d updated, %(unchanged)d unchanged.",
                    self.rows,
                )
                % counts
            )
        return (
            ngettext(
                "%(rows)d row imported: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged.",
                "%(rows)d rows imported: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged.",
                self.rows,
            )
            % counts
        )


def _update_if_changed(
    instance: Any, actor: User | None, result: ImportResult, **values: Any
) -> None:
    """Set `values` on a recorded row and save it (with its history record) only
    when one of them differs; count it as updated or unchanged."""
    if all(getattr(instance, name) == value for name, value in values.items()):
        result.unchanged += 1
        return
    for name, value in values.items():
        setattr(instance, name, value)
    audited_save(instance, actor=actor)
    result.updated += 1


# ---------------------------------------------------------------------------
# Reading and writing tables
# ---------------------------------------------------------------------------


def read_table(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """Header and rows of a CSV, XLSX or ODS file (see `read_bytes`)."""
    return read_bytes(path.name, path.read_bytes())


def read_bytes(name: str, data: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    """Header and rows of an uploaded table, read as the offer import reads it
    (`tabular.read_rows`: CSV in UTF-8, UTF-16 or Windows-1252 as Excel saves it,
    `;`, `,` or tab; the first sheet of an XLSX, ODS or XLS workbook), every cell as
    text. A file named .xlsx or .ods that is no workbook is reported as such."""
    kind = name.lower().rpartition(".")[2]
    if kind in ("xlsx", "ods") and not data.startswith(b"PK\x03\x04"):
        raise ImportRejected([Problem(1, "", tabular.broken_workbook(kind))])
    try:
        values = tabular.read_rows(data, sheet=None)
    except tabular.TabularFileError as error:
        raise ImportRejected([Problem(1, "", error.message)]) from error
    if not values:
        raise ImportRejected([Problem(1, "", _("The file is empty."))])
    header = [str(h).strip() if h is not None else "" for h in values[0]]
    # Empty rows stay (as rows without values, which `import_rows` passes
    # over), so that each row's number is its line in the file.
    rows = [
        {h: (raw[i] if i < len(raw) else None) for i, h in enumerate(header) if h}
        for raw in values[1:]
    ]
    while rows and _is_empty(rows[-1]):
        rows.pop()
    return header, rows


def _is_empty(row: dict[str, Any]) -> bool:
    return all(_text(value) == "" for value in row.values())


def write_table(path: Path, header: list[str], rows: Iterable[list[Any]]) -> None:
    path.write_bytes(table_bytes(path.name, header, rows))


def table_bytes(name: str, header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """CSV (UTF-8 with BOM, `;`, as spreadsheet programs in Germany expect) or XLSX.
    Text that a spreadsheet would run as a formula is written with a leading
    apostrophe (names and descriptions come from providers); the import takes it off."""
    safe_rows = ([spreadsheets.formula_safe(v) for v in row] for row in rows)
    if name.lower().endswith(".xlsx"):
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(header)
        for row in safe_rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    for row in safe_rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------------------
# Parsing cells
# ---------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return spreadsheets.formula_unescaped(str(value).strip())


def _choice(value: str, choices: Any) -> str | None:
    """A choice by its German label, its label in the active language or its code.

    The German labels stay accepted whatever language is active, so files keep
    parsing the same way (case-insensitive).
    """
    folded = value.casefold()
    for code, label in choices.choices:
        with translation.override("de"):
            german = str(label)
        if folded in (str(code).casefold(), str(label).casefold(), german.casefold()):
            return code
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


class _Row:
    """One row being checked: reading a cell records a problem instead of raising."""

    def __init__(self, number: int, data: dict[str, Any], problems: list[Problem]) -> None:
        self.number = number
        self.data = data
        self.problems = problems

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(Problem(self.number, column, reason))

    def text(self, column: str, *, required: bool = False, max_length: int = 300) -> str:
        value = _text(self.data.get(column))
        if required and not value:
            self.problem(column, _("Required value missing."))
        if len(value) > max_length:
            self.problem(column, _("At most %(n)d characters.") % {"n": max_length})
        return value

    def choice(
        self, column: str, choices: Any, default: str | None = None, *, required: bool = False
    ) -> str | None:
        value = self.text(column, required=required)
        if not value:
            return default
        code = _choice(value, choices)
        if code is None:
            allowed = ", ".join(str(label) for _code, label in choices.choices)
            self.problem(
                column,
                _("“%(value)s” is not a valid value (allowed: %(allowed)s).")
                % {"value": value, "allowed": allowed},
            )
        return code

    def date(self, column: str) -> dt.date | None:
        value = self.data.get(column)
        if value is None or _text(value) == "":
            return None
        try:
            return _date(value)
        except ValueError:
            self.problem(
                column,
                _("“%(value)s” is not a date (DD.MM.YYYY or YYYY-MM-DD).")
                % {"value": _text(value)},
            )
            return None

    def ordered(self, start: dt.date | None, end: dt.date | None) -> None:
        if start and end and end < start:
            self.problem("bis", _("The end is before the start."))


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


@dataclass
class _Context:
    municipality: Municipality
    organizations: dict[str, Organization]
    sectors: dict[str, Sector]
    people: dict[str, list[Person]]
    bodies: dict[str, Body]
    planned_organizations: set[str] = field(default_factory=set)
    planned_bodies: dict[str, str] = field(default_factory=dict)  # name → parent name
    planned_kinds: dict[str, str] = field(default_factory=dict)
    # recorded bodies whose kind or parent the file changes: name → (kind, parent name)
    body_changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    by_pseudonym: dict[str, Person] = field(default_factory=dict)
    # recorded memberships by (body name, person id, organisation id), and the rows
    # of the file so far by the same key with their numbers
    memberships: dict[tuple[str, int | None, int | None], list[BodyMembership]] = field(
        default_factory=dict
    )
    planned_memberships: dict[
        tuple[str, int | None, int | None], list[tuple[int, BodyMembership]]
    ] = field(default_factory=dict)

    def pseudonymised(self, row: _Row, column: str, name: str) -> Person | None:
        """The person a pseudonym from an export stands for; a pseudonym that nobody
        recorded here has is refused, so that importing an export never creates
        people called "Person 3f9a1c2e"."""
        if not PSEUDONYM.fullmatch(name):
            return None
        person = self.by_pseudonym.get(name)
        if person is None:
            row.problem(
                column,
                _(
                    "pseudonymised name from an export – no person recorded here has it "
                    "(the file may come from another municipality or installation, or the "
                    "person has been deleted); please enter the name instead."
                ),
            )
        return person

    def organization(self, row: _Row, column: str, *, required: bool) -> str:
        name = row.text(column, required=required)
        if name and name not in self.organizations and name not in self.planned_organizations:
            row.problem(
                column,
                _("The organisation “%(name)s” is not recorded.") % {"name": name},
            )
        return name


def _context(municipality: Municipality) -> _Context:
    sectors: dict[str, Sector] = {}
    for sector in selectors.sectors_of(municipality):
        sectors[sector.name.casefold()] = sector
        sectors[sector.code.casefold()] = sector
    people: dict[str, list[Person]] = {}
    by_pseudonym: dict[str, Person] = {}
    for person in selectors.people_of(municipality):
        people.setdefault(person.name, []).append(person)
        by_pseudonym[pseudonym(person)] = person
    memberships: dict[tuple[str, int | None, int | None], list[BodyMembership]] = {}
    for m in selectors.memberships_of(municipality).order_by("pk"):
        memberships.setdefault((m.body.name, m.person_id, m.organization_id), []).append(m)
    return _Context(
        memberships=memberships,
        by_pseudonym=by_pseudonym,
        municipality=municipality,
        organizations={o.name: o for o in selectors.organizations_of(municipality)},
        sectors=sectors,
        people=people,
        bodies={b.name: b for b in Body.objects.for_municipality(municipality)},
    )


Plan = Callable[[User | None, ImportResult], None]


def _check_organizations(ctx: _Context, rows: list[_Row]) -> list[Plan]:
    plans: list[Plan] = []
    for row in rows:
        name = row.text("Name", required=True)
        sector_name = row.text("Sektor")
        sector = ctx.sectors.get(sector_name.casefold()) if sector_name else None
        if sector_name and sector is None:
            row.problem("Sektor", _("There is no sector “%(name)s”.") % {"name": sector_name})
        email = row.text("E-Mail", max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.problem("E-Mail", _("Not a valid email address."))
        fields = {
            "description": row.text("Beschreibung", max_length=5000),
            "email": email,
            "website": row.text("Website", max_length=200),
        }
        has_sector = "Sektor" in row.data
        if name in ctx.planned_organizations:
            row.problem("Name", _("The organisation appears more than once in the file."))
        ctx.planned_organizations.add(name)

        def plan(
            actor: User | None,
            result: ImportResult,
            name=name,
            sector=sector,
            fields=fields,
            has_sector=has_sector,
        ):
            org = ctx.organizations.get(name)
            if org is None:
                org = directory_services.organization_create(
                    actor=actor,
                    municipality=ctx.municipality,
                    name=name,
                    **{k: v for k, v in fields.items() if v},
                )
                ctx.organizations[name] = org
                result.created += 1
                if has_sector:
                    services.organization_set_sector(actor=actor, organization=org, sector=sector)
                return
            # An empty cell leaves the directory's value (providers keep it there).
            changes = {k: v for k, v in fields.items() if v and getattr(org, k) != v}
            new_sector = has_sector and selectors.sector_of(org) != sector  # profile read with ctx
            if not changes and not new_sector:
                result.unchanged += 1
                return
            if changes:
                directory_services.organization_update(actor=actor, organization=org, **changes)
            if new_sector:
                services.organization_set_sector(actor=actor, organization=org, sector=sector)
            result.updated += 1

        plans.append(plan)
    return plans


def _check_people(ctx: _Context, rows: list[_Row]) -> list[Plan]:
    plans: list[Plan] = []
    for row in rows:
        name = row.text("Name", required=True, max_length=200)
        org_name = ctx.organization(row, "Organisation", required=False)
        email = row.text("E-Mail", max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.problem("E-Mail", _("Not a valid email address."))
        fields = {
            "function": row.text("Funktion", max_length=200),
            "level": row.choice("Ebene", Level, Level.OPERATIONAL),
            "email": email,
            "phone": row.text("Telefon", max_length=50),
            "legal_basis": row.choice("Rechtsgrundlage", LegalBasis, LegalBasis.PUBLIC_TASK),
            "legal_basis_note": row.text("Hinweis zur Rechtsgrundlage"),
        }
        # A pseudonymised export names the person it stands for; it leaves the
        # contact details out, so its empty cells keep the recorded ones.
        alias_of = ctx.pseudonymised(row, "Name", name)
        if alias_of is not None:
            fields = {k: v for k, v in fields.items() if v or k not in PSEUDONYMISED_OUT}

        def plan(
            actor: User | None,
            result: ImportResult,
            name=name,
            org_name=org_name,
            fields=fields,
            alias_of=alias_of,
        ):
            org = ctx.organizations.get(org_name) if org_name else None
            org_id = org.pk if org else None
            same = alias_of or next(
                (p for p in ctx.people.get(name, []) if p.organization_id == org_id), None
            )
            if (
                same is not None
                and same.organization_id == org_id
                and all(getattr(same, key) == value for key, value in fields.items())
            ):
                result.unchanged += 1
            elif same is not None:
                services.person_update(actor=actor, person=same, organization=org, **fields)
                result.updated += 1
            else:
                person = services.person_create(
                    actor=actor,
                    municipality=ctx.municipality,
                    name=name,
                    organization=org,
                    **fields,
                )
                ctx.people.setdefault(name, []).append(person)
                result.created += 1

        plans.append(plan)
    return plans


def _find_person(ctx: _Context, row: _Row, name: str, org_name: str) -> Person | None:
    """The one recorded person a row names (by name, or by name and organisation)."""
    if PSEUDONYM.fullmatch(name):  # the round trip of the default export
        return ctx.pseudonymised(row, "Person", name)
    candidates = ctx.people.get(name, [])
    if org_name:
        org = ctx.organizations.get(org_name)
        candidates = [p for p in candidates if org is not None and p.organization_id == org.pk]
    if not candidates:
        row.problem("Person", _("The person “%(name)s” is not recorded.") % {"name": name})
    elif len(candidates) > 1:
        row.problem(
            "Person",
            _("Several people are called “%(name)s”; please give the organisation.")
            % {"name": name},
        )
    else:
        return candidates[0]
    return None


def _check_overlap(
    ctx: _Context, row: _Row, body_name: str, member: str, membership: BodyMembership
) -> BodyMembership | None:
    """Refuse a row that puts a member into a body a second time in an overlapping
    period, against the recorded memberships (except the one the row updates: the
    same member with the same start) and the rows before it. Returns the recorded
    membership the row updates."""
    key = (body_name, membership.person_id, membership.organization_id)
    recorded = ctx.memberships.get(key, [])
    updated = next((m for m in recorded if m.valid_from == membership.valid_from), None)
    others = [(m, m.period_label()) for m in recorded if m is not updated]
    for number, planned in ctx.planned_memberships.get(key, []):
        label = _("row %(row)d: %(period)s") % {"row": number, "period": planned.period_label()}
        others.append((planned, label))
    clash = next((label for other, label in others if other.overlaps(membership)), None)
    if clash is not None:
        row.problem(
            "Person" if membership.person_id else "Organisation",
            services.membership_overlap_message(member=member, body=body_name, period=clash),
        )
    ctx.planned_memberships.setdefault(key, []).append((row.number, membership))
    return updated


def _check_memberships(ctx: _Context, rows: list[_Row]) -> list[Plan]:
    # Bodies named in the file are created when missing; collect them first so a
    # parent may appear in a later row.
    for row in rows:
        name = _text(row.data.get("Gremium"))
        if name and name not in ctx.bodies and name not in ctx.planned_bodies:
            ctx.planned_bodies[name] = _text(row.data.get("Übergeordnetes Gremium"))
    plans: list[Plan] = []
    for row in rows:
        body_name = row.text("Gremium", required=True)
        kind = row.choice("Art des Gremiums", BodyKind, BodyKind.WORKING_GROUP)
        parent_name = row.text("Übergeordnetes Gremium")
        person_name = row.text("Person", max_length=200)
        org_name = ctx.organization(row, "Organisation", required=not person_name)
        person = _find_person(ctx, row, person_name, org_name) if person_name else None
        org = None if person_name else ctx.organizations.get(org_name)
        role = row.choice("Rolle", MembershipRole, MembershipRole.MEMBER)
        level = row.choice("Ebene", Level)
        start, end = row.date("von"), row.date("bis")
        row.ordered(start, end)
        existing = None
        if body_name and (person or org):
            existing = _check_overlap(
                ctx,
                row,
                body_name,
                person_name or org_name,
                BodyMembership(person=person, organization=org, valid_from=start, valid_until=end),
            )
        if org is not None and not level and existing is None:  # as the form asks
            row.problem("Ebene", _("Please give the level for an organisation's seat."))
        if body_name in ctx.planned_bodies:
            if ctx.planned_bodies[body_name] != parent_name:
                row.problem(
                    "Übergeordnetes Gremium",
                    _("The body appears with different parent bodies in the file."),
                )
            elif _planned_cycle(ctx, body_name):
                row.problem(
                    "Übergeordnetes Gremium",
                    _("A body cannot be subordinate to itself."),
                )
            ctx.planned_kinds.setdefault(body_name, kind or BodyKind.WORKING_GROUP)
        elif body_name in ctx.bodies:
            given_kind = kind if _text(row.data.get("Art des Gremiums")) else ""
            _plan_body_change(ctx, row, body_name, given_kind or "", parent_name)
        if parent_name and parent_name not in ctx.bodies and parent_name not in ctx.planned_bodies:
            row.problem(
                "Übergeordnetes Gremium",
                _("The body “%(name)s” is neither recorded nor in the file.")
                % {"name": parent_name},
            )

        def plan(
            actor: User | None,
            result: ImportResult,
            body_name=body_name,
            person=person,
            org=org,
            existing=existing,
            role=role,
            level=level,
            start=start,
            end=end,
        ):
            body = _ensure_body(ctx, actor, body_name)
            if _apply_body_change(ctx, actor, body):
                result.updated += 1
            if existing is not None:
                _update_if_changed(
                    existing,
                    actor,
                    result,
                    role=role or existing.role,
                    level=level or existing.level,
                    valid_until=end,
                )
            else:
                services.body_membership_add(
                    actor=actor,
                    body=body,
                    person=person,
                    organization=org,
                    role=role or MembershipRole.MEMBER,
                    level=level,
                    valid_from=start,
                    valid_until=end,
                )
                result.created += 1

        plans.append(plan)
    return plans


def _plan_body_change(ctx: _Context, row: _Row, name: str, kind: str, parent: str) -> None:
    """A recorded body named with a kind or parent: the file changes it (an empty cell
    leaves it as it is). Every row of the body must agree."""
    if parent == name:
        row.problem("Übergeordnetes Gremium", _("A body cannot be subordinate to itself."))
        return
    old_kind, old_parent = ctx.body_changes.get(name, ("", ""))
    if old_parent and parent and parent != old_parent:
        row.problem(
            "Übergeordnetes Gremium",
            _("The body appears with different parent bodies in the file."),
        )
    if old_kind and kind and kind != old_kind:
        row.problem("Art des Gremiums", _("The body appears with different kinds in the file."))
    ctx.body_changes[name] = (old_kind or kind, old_parent or parent)


def _apply_body_change(ctx: _Context, actor: User | None, body: Body) -> bool:
    """Change a recorded body's kind and parent as the file asks (once); True when
    something changed. A cycle is refused by the model and reported with the row."""
    kind, parent_name = ctx.body_changes.pop(body.name, ("", ""))
    fields: dict[str, Any] = {}
    if kind and kind != body.kind:
        fields["kind"] = kind
    if parent_name:
        parent = _ensure_body(ctx, actor, parent_name)
        if parent.pk != body.parent_id:
            fields["parent"] = parent
    if not fields:
        return False
    services.body_update(actor=actor, body=body, **fields)
    return True


def _planned_cycle(ctx: _Context, name: str) -> bool:
    seen = {name}
    parent = ctx.planned_bodies.get(name, "")
    while parent and parent in ctx.planned_bodies:
        if parent in seen:
            return True
        seen.add(parent)
        parent = ctx.planned_bodies[parent]
    return False


def _ensure_body(ctx: _Context, actor: User | None, name: str) -> Body:
    body = ctx.bodies.get(name)
    if body is None:
        parent_name = ctx.planned_bodies.get(name, "")
        parent = _ensure_body(ctx, actor, parent_name) if parent_name else None
        body = services.body_create(
            actor=actor,
            municipality=ctx.municipality,
            name=name,
            kind=ctx.planned_kinds.get(name, BodyKind.WORKING_GROUP),
            parent=parent,
        )
        ctx.bodies[name] = body
    return body


def _check_ties(ctx: _Context, rows: list[_Row]) -> list[Plan]:
    plans: list[Plan] = []
    for row in rows:
        name_a = ctx.organization(row, "Organisation A", required=True)
        name_b = ctx.organization(row, "Organisation B", required=True)
        if name_a and name_a == name_b:
            row.problem(
                "Organisation B",
                _("A cooperation connects two different organisations."),
            )
        kind = row.choice("Art", CooperationKind, required=True)
        strength_text = row.text("Stärke")
        strength = 2
        if strength_text:
            if strength_text in ("1", "2", "3"):
                strength = int(strength_text)
            else:
                row.problem("Stärke", _("The strength is 1, 2 or 3."))
        start, end = row.date("von"), row.date("bis")
        row.ordered(start, end)
        note = row.text("Anmerkung", max_length=2000)

        def plan(
            actor: User | None,
            result: ImportResult,
            name_a=name_a,
            name_b=name_b,
            kind=kind,
            strength=strength,
            start=start,
            end=end,
            note=note,
        ):
            a, b = ctx.organizations[name_a], ctx.organizations[name_b]
            existing = (
                Cooperation.objects.for_municipality(ctx.municipality)
                .filter(kind=kind, valid_from=start)
                .filter(organization_a__in=[a, b], organization_b__in=[a, b])
                .first()
            )
            if existing is not None:
                _update_if_changed(
                    existing, actor, result, strength=strength, valid_until=end, note=note
                )
            else:
                services.cooperation_create(
                    actor=actor,
                    organization_a=a,
                    organization_b=b,
                    kind=kind,
                    strength=strength,
                    valid_from=start,
                    valid_until=end,
                    note=note,
                )
                result.created += 1

        plans.append(plan)
    return plans


CHECKS = {
    "organizations": _check_organizations,
    "people": _check_people,
    "memberships": _check_memberships,
    "ties": _check_ties,
}


class _DryRun(Exception):
    pass


def import_rows(
    *,
    actor: User | None,
    municipality: Municipality,
    kind: str,
    header: list[str],
    rows: list[dict[str, Any]],
    dry_run: bool = False,
) -> ImportResult:
    """Check every row, then write all of them in one transaction (or none).
    Raises ImportRejected with every problem found."""
    if kind not in KINDS:
        raise ValueError(kind)
    problems: list[Problem] = []
    missing = sorted(REQUIRED[kind] - set(header))
    for column in missing:
        problems.append(Problem(1, column, _("The column is missing.")))
    unknown = [h for h in header if h and h not in COLUMNS[kind]]
    for column in unknown:
        problems.append(
            Problem(
                1,
                column,
                _("Unknown column (expected: %(columns)s).")
                % {"columns": ", ".join(COLUMNS[kind])},
            )
        )
    if problems:
        raise ImportRejected(problems)
    # the number of each row is its line in the file (the header is line 1)
    numbered = [(number, data) for number, data in enumerate(rows, start=2) if not _is_empty(data)]
    result = ImportResult(rows=len(numbered), dry_run=dry_run)
    try:
        with transaction.atomic():
            # Sectors are needed to check the rows; a refused file rolls them back too.
            services.sectors_ensure_defaults(municipality, actor=actor)
            ctx = _context(municipality)
            checked = [_Row(number, data, problems) for number, data in numbered]
            plans = CHECKS[kind](ctx, checked)  # one per row
            if problems:
                raise ImportRejected(problems)
            for row, plan in zip(checked, plans, strict=True):
                try:
                    plan(actor, result)
                except ValidationError as error:
                    # What only the database can tell (e.g. a tree cycle): report, undo all.
                    raise ImportRejected(
                        [Problem(row.number, "", " ".join(error.messages))]
                    ) from error
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


def import_file(
    *, actor: User | None, municipality: Municipality, kind: str, path: Path, dry_run: bool = False
) -> ImportResult:
    header, rows = read_table(path)
    return import_rows(
        actor=actor, municipality=municipality, kind=kind, header=header, rows=rows, dry_run=dry_run
    )


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


# What `pseudonym` writes; the import maps it back to the person.
PSEUDONYM = re.compile(r"Person [0-9a-f]{8}")
# The columns of the people export that pseudonymisation leaves empty.
PSEUDONYMISED_OUT = {"email", "phone", "legal_basis_note"}


def pseudonym(person: Person) -> str:
    """A stable pseudonym of a person, not reversible without the secret key."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"network.person:{person.municipality_id}:{person.pk}".encode(),
        hashlib.sha256,
    ).hexdigest()
    return f"Person {digest[:8]}"


def _d(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def export_rows(
    *, municipality: Municipality, kind: str, with_names: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of an export (people pseudonymised unless `with_names`)."""
    if kind == "organizations":
        return COLUMNS[kind], [
            [
                o.name,
                s.name if (s := selectors.sector_of(o)) else "",
                o.description,
                o.email,
                o.website,
            ]
            for o in selectors.organizations_of(municipality)
        ]
    if kind == "people":
        return COLUMNS[kind], [
            [
                p.name if with_names else pseudonym(p),
                p.function,
                p.organization.name if p.organization else "",
                p.get_level_display(),
                p.email if with_names else "",
                p.phone if with_names else "",
                p.get_legal_basis_display(),
                p.legal_basis_note if with_names else "",
            ]
            for p in selectors.people_of(municipality)
        ]
    if kind == "memberships":
        memberships = (
            BodyMembership.objects.for_municipality(municipality)
            .select_related("body__parent", "person__organization", "organization")
            .order_by("body__position", "body__name", "pk")
        )
        rows = []
        for m in memberships:
            person = m.person
            rows.append(
                [
                    m.body.name,
                    m.body.get_kind_display(),
                    m.body.parent.name if m.body.parent else "",
                    (person.name if with_names else pseudonym(person)) if person else "",
                    (person.organization.name if person.organization else "")
                    if person
                    else (m.organization.name if m.organization else ""),
                    m.get_role_display(),
                    m.get_level_display(),
                    _d(m.valid_from),
                    _d(m.valid_until),
                ]
            )
        return COLUMNS[kind], rows
    if kind == "ties":
        ties = Cooperation.objects.for_municipality(municipality).select_related(
            "organization_a", "organization_b"
        )
        return COLUMNS[kind], [
            [
                t.organization_a.name,
                t.organization_b.name,
                t.get_kind_display(),
                t.strength,
                _d(t.valid_from),
                _d(t.valid_until),
                t.note,
            ]
            for t in ties
        ]
    raise ValueError(kind)


def export_file(
    *, municipality: Municipality, kind: str, path: Path, with_names: bool = False
) -> int:
    header, rows = export_rows(municipality=municipality, kind=kind, with_names=with_names)
    write_table(path, header, rows)
    return len(rows)
