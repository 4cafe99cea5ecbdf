"""Permissions of the monitoring app (django-rules).

Small-area indicators are internal working data of the municipality's people
and the coordination office; disclosure control still applies to everything
shown, because tables and exports are passed on."""

import rules

from kette.core.rules import is_municipality_member, is_programme_staff

rules.add_perm("monitoring.read_indicators", is_municipality_member | is_programme_staff)
