"""Derive the demo's municipality outlines from the team's shared open data.

Maintainer tool, run once when the source data change; the product reads only
the result (src/kette/core/data/programme_nrw_boundaries.geojson). Usage:

    .venv/bin/python scripts/derive_demo_boundaries.py ../shared/data
"""

import csv
import json
import sys
from pathlib import Path

from shapely.geometry import mapping, shape

TOLERANCE = 0.001  # degrees, about 70-110 m in NRW
PRECISION = 5


def rounded(coords):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], PRECISION), round(coords[1], PRECISION)]
    return [rounded(c) for c in coords]


def main(shared: Path) -> None:
    out_dir = Path(__file__).resolve().parent.parent / "src/kette/core/data"
    rows = list(
        csv.DictReader((shared / "programme_nrw_municipalities.csv").open(encoding="utf-8"))
    )
    layers: dict[str, dict[str, dict]] = {}
    features = []
    for row in rows:
        layer = layers.setdefault(
            row["boundary_file"],
            {
                f["properties"]["AGS"]: f
                for f in json.loads((shared / "boundaries" / row["boundary_file"]).read_text())[
                    "features"
                ]
            },
        )
        source = layer[row["official_key"]]
        geometry = shape(source["geometry"]).simplify(TOLERANCE, preserve_topology=True)
        geo = mapping(geometry)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "official_key": row["official_key"],
                    "name": source["properties"]["GEN"],
                },
                "geometry": {
                    "type": geo["type"],
                    "coordinates": rounded(json.loads(json.dumps(geo["coordinates"]))),
                },
            }
        )
    collection = {
        "type": "FeatureCollection",
        "source": "© GeoBasis-DE / BKG 2013 (Daten verändert); dl-de/by-2-0",
        "features": features,
    }
    (out_dir / "programme_nrw_boundaries.geojson").write_text(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    )
    (out_dir / "programme_nrw_municipalities.csv").write_bytes(
        (shared / "programme_nrw_municipalities.csv").read_bytes()
    )
    print(f"{len(features)} outlines written")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
