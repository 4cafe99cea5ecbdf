"""Serve selected files of the front-end libraries installed by npm (package.json).

Only the listed files are exposed, under static/vendor/<package>/..., so
collectstatic copies what the pages use and nothing else of node_modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

# package -> files relative to the package folder
NPM_FILES: dict[str, list[str]] = {
    "htmx.org": ["dist/htmx.min.js"],
    "leaflet": [
        "dist/leaflet.js",
        # Source maps are referenced from the scripts; the hashed-name storage
        # of production resolves every reference and needs them present.
        "dist/leaflet.js.map",
        "dist/leaflet.css",
        "dist/images/marker-icon.png",
        "dist/images/marker-icon-2x.png",
        "dist/images/marker-shadow.png",
        "dist/images/layers.png",
        "dist/images/layers-2x.png",
    ],
    "leaflet.markercluster": [
        "dist/leaflet.markercluster.js",
        "dist/leaflet.markercluster.js.map",
        "dist/MarkerCluster.css",
        "dist/MarkerCluster.Default.css",
    ],
}
PREFIX = "vendor"


class NpmFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.root = Path(settings.NPM_ROOT)
        self.storage = FileSystemStorage(location=str(self.root))
        self.storage.prefix = PREFIX  # type: ignore[attr-defined]

    def _files(self) -> dict[str, Path]:
        return {
            f"{PREFIX}/{package}/{name}": self.root / package / name
            for package, names in NPM_FILES.items()
            for name in names
        }

    def check(self, **kwargs: Any) -> list[Error]:
        missing = [str(p) for p in self._files().values() if not p.exists()]
        if missing:
            return [
                Error(
                    f"Front-end libraries are missing: {', '.join(missing[:3])}",
                    hint="Run `npm ci` in the checkout (the quick-start script does).",
                    id="kette.E001",
                )
            ]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        match = self._files().get(path)
        if match is None or not match.exists():
            # an empty list either way, as Django's finders: `finders.find` would
            # take None for a match ([None]), which whitenoise then failed on
            # with a server error for every missing static file
            return []
        return [str(match)] if find_all else str(match)

    def list(self, ignore_patterns: Any) -> Any:
        for path in self._files().values():
            if path.exists():
                yield str(path.relative_to(self.root)), self.storage
