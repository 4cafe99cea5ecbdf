"""Permissions of the network app as django-rules predicates (object: Municipality).

Coordinators and editors manage the network; viewers and the coordination
office read the structure and the measures; the coordination office (and the
programme administration) compares the measures across municipalities. People's names and contact
details are for the municipality's own coordinator, editor and viewer only:
providers and the coordination office see bodies, organisations and measures,
with members shown by function and organisation.
"""

from __future__ import annotations

import rules

from kette.core.models import Role
from kette.core.rules import (
    is_municipality_editor,
    is_municipality_member,
    is_programme_admin,
    is_programme_staff,
    municipality_role_in,
)

reads_people = municipality_role_in(Role.COORDINATOR, Role.EDITOR, Role.VIEWER)

rules.add_perm("network.read_structure", is_municipality_member | is_programme_staff)
rules.add_perm("network.read_people", reads_people)
rules.add_perm("network.manage_network", is_municipality_editor | is_programme_admin)
rules.add_perm(
    "network.manage_sectors", municipality_role_in(Role.COORDINATOR) | is_programme_admin
)
rules.add_perm("network.compare_municipalities", is_programme_staff)
