"""Permissions of the monitoring app (django-rules).

Small-area indicators are internal working data of the municipality's people
and the coordination office; disclosure control still applies to everything
shown, because tables and exports are passed on."""

import rules

from kette.core.rules import (
    is_coordinator,
    is_municipality_member,
    is_programme_admin,
    is_programme_staff,
)

rules.add_perm("monitoring.read_indicators", is_municipality_member | is_programme_staff)
# Uploading district boundaries and indicator values changes what every map,
# index and report of the municipality shows: its coordinator's task (and the
# programme admins').
rules.add_perm("monitoring.manage_data", is_coordinator | is_programme_admin)
