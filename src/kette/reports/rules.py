"""Permissions of the reports app (object: Municipality).

A municipality's report is for its own coordinator, editors and viewers and for
the coordination office; providers (external organisations) don't see it.
Coordinators and editors write goals and texts and generate the PDF.
"""

from __future__ import annotations

import rules

from kette.core.models import Role
from kette.core.rules import (
    is_municipality_editor,
    is_programme_admin,
    is_programme_staff,
    municipality_role_in,
)

reads_report = municipality_role_in(Role.COORDINATOR, Role.EDITOR, Role.VIEWER)

rules.add_perm("reports.read_report", reads_report | is_programme_staff)
rules.add_perm("reports.write_report", is_municipality_editor | is_programme_admin)
rules.add_perm("reports.read_programme_report", is_programme_staff)
