"""Permissions of bulk import/export (imported by DirectoryConfig.ready).

Coordinators and editors import and export all offers of their municipality;
programme administrators may help. Providers can't: an import touches every
organisation's offers. Named contacts of professionals go into an export only
for the municipality's coordinators."""

import rules

from kette.core.models import Role
from kette.core.rules import is_municipality_editor, is_programme_admin, municipality_role_in

# Object: Municipality
rules.add_perm("directory.import_offers", is_municipality_editor | is_programme_admin)
rules.add_perm("directory.export_offers", is_municipality_editor | is_programme_admin)
rules.add_perm("directory.export_contacts", municipality_role_in(Role.COORDINATOR))
