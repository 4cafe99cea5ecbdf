"""The default sectors of a municipality's actor network (issue 5).

Colours are used as fills behind white text in the diagrams; every one has a
contrast ratio of at least 4.5:1 against white (checked by a test).
"""

from __future__ import annotations

from typing import NamedTuple


class DefaultSector(NamedTuple):
    code: str
    name: str
    is_core: bool
    color: str


SECTORS = [
    DefaultSector("jugendhilfe", "Kinder- und Jugendhilfe", True, "#1f5f99"),
    DefaultSector("kita", "Kita/Kindertagespflege", False, "#6a1b9a"),
    DefaultSector("bildung", "Schule/Bildung", True, "#2e6b30"),
    DefaultSector(
        "gesundheit", "Gesundheit (ÖGD, Ärzt:innen, Kliniken, Hebammen)", True, "#b3261e"
    ),
    DefaultSector("soziales", "Soziales", True, "#8a4b00"),
    DefaultSector("integration", "Integration", True, "#00695c"),
    DefaultSector("arbeit", "Arbeit/Jobcenter", False, "#4e342e"),
    DefaultSector("verwaltung", "Verwaltungsspitze/Politik", False, "#37474f"),
    DefaultSector("wohlfahrt", "Freie Wohlfahrtspflege/Träger", False, "#ad1457"),
    DefaultSector("polizei-justiz", "Polizei/Justiz", False, "#283593"),
    DefaultSector("sport-kultur", "Sport/Kultur/Vereine", False, "#6d5d00"),
    DefaultSector("stadtentwicklung", "Stadtentwicklung/Wohnen", False, "#5d4f8a"),
    DefaultSector("wissenschaft", "Wissenschaft", False, "#00607a"),
    DefaultSector("zivilgesellschaft", "Zivilgesellschaft", False, "#7a3e65"),
]
