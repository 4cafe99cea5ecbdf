"""Permissions of bulk import/export (imported by DirectoryConfig.ready).

Coordinators and editors import and export all offers of their municipality;
programme administrators may help. Providers can't: an import touches every
organisation's offers."""

import rules

from kette.core.rules import is_municipality_editor, is_programme_admin

# Object: Municipality
rules.add_perm("directory.import_offers", is_municipality_editor | is_programme_admin)
rules.add_perm("directory.export_offers", is_municipality_editor | is_programme_admin)
