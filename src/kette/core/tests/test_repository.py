"""Repository documents: the licence text and the publiccode.yml metadata."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[4]

if not (ROOT / "pyproject.toml").is_file():
    pytest.skip("not running from a source checkout", allow_module_level=True)

# From the publiccode.yml standard, version 0.4.
PUBLICCODE_CATEGORIES = {
    "collaboration",
    "data-analytics",
    "data-collection",
    "data-visualization",
    "digital-citizenship",
    "geographic-information-systems",
    "knowledge-management",
    "online-community",
    "project-collaboration",
    "survey",
}
DEVELOPMENT_STATUSES = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
}


@pytest.fixture(scope="module")
def publiccode() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))


def test_licence_is_the_complete_eupl_1_2() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    assert "EUPL © the European Union 2007, 2016" in text
    headings = re.findall(r"^(\d+)\. ", text, flags=re.MULTILINE)
    assert headings == [str(n) for n in range(1, 16)]
    appendix = text.split("\nAppendix\n", 1)[1]
    assert "‘Compatible Licences’ according to Article 5 EUPL are:" in appendix
    assert "European Union Public Licence (EUPL) v. 1.1, v. 1.2" in appendix
    assert text.rstrip().endswith("require the production of a new\nEUPL version.")


def test_publiccode_yml_follows_the_standard(publiccode: dict[str, Any]) -> None:
    assert publiccode["publiccodeYmlVersion"] == "0.4"
    assert publiccode["name"] == "kette"
    assert publiccode["url"].startswith("https://")
    assert publiccode["platforms"] == ["web"]
    assert publiccode["softwareType"] in SOFTWARE_TYPES
    assert publiccode["developmentStatus"] in DEVELOPMENT_STATUSES
    assert set(publiccode["categories"]) <= PUBLICCODE_CATEGORIES
    assert publiccode["maintenance"]["type"] == "community"
    assert publiccode["maintenance"]["contacts"][0]["name"]
    assert publiccode["localisation"] == {
        "localisationReady": True,
        "availableLanguages": ["de", "en"],
    }


def test_publiccode_licence_matches_pyproject(publiccode: dict[str, Any]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert publiccode["legal"]["license"] == project["license"] == "EUPL-1.2"


@pytest.mark.parametrize("language", ["deu", "eng"])
def test_publiccode_descriptions(publiccode: dict[str, Any], language: str) -> None:
    description = publiccode["description"][language]
    assert 0 < len(description["shortDescription"]) <= 150
    assert 150 <= len(description["longDescription"]) <= 10_000
    assert len(description["features"]) >= 3
    assert all(len(feature) <= 100 for feature in description["features"])
