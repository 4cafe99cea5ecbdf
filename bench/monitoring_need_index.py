"""Need index and gap analysis for every district of NRW against plain pandas (DESIGN §6).

    .venv/bin/pip install -r bench/requirements.txt   # pandas, bench only
    .venv/bin/python bench/monitoring_need_index.py [--municipalities 396] [--repeat 5]
        [--db PATH [--reuse]]

Generates, in a fresh SQLite database (in a temporary directory, or kept in
`--db` and used again with `--reuse`): 396 municipalities × 15 districts × 20
indicators × 10 years (1,188,000 observations; five age-band counts and fifteen
rates), a need index of six rates per municipality, and the default life phases
(six). Then, for every municipality of NRW and the latest year (with the
two-year change), it checks that kette and pandas compute the same numbers and
times the calls alone (their results are not walked; medians of `--repeat`
runs after one warm-up run, kette's and pandas' runs taking turns so that the
shared machine's changing load falls on both alike):

Need index (5,940 districts):
- kette `selectors.need_indexes(municipalities, year)`: all municipalities in
  one call (four queries, then disclosure control, grouped z-scores, weighted
  means, status and change classes on numpy arrays); and `selectors.need_index`
  once per municipality (as the pages call it, three queries each, the same
  computation);
- baseline: one vectorised pandas computation of the same index from the same
  database (read with `pandas.read_sql_query`, grouped z-scores, weighted
  mean, standardised classes, change classes). It does no disclosure control;
  the generated rates have no numerators, so kette's suppression changes
  nothing either (checked district by district before timing).

Gap analysis with its need index (35,640 district × life phase rows):
- kette `gaps.gap_analyses(municipalities, year)`: all municipalities in one
  call (the need index as above, life phases, age-band indicators and their
  counts under disclosure control, offers, their locations and service areas:
  ten queries; the generated counts are complete in the year, so no earlier
  year is read), and `gaps.gap_analysis` once per municipality (as the pages);
  the batch's rows are checked to equal the per-municipality rows;
- baseline: `pandas_gaps`, the same numbers in pandas with the pandas need
  index, checked row by row before timing. The generated data has no offers
  (every count is 0 on both sides) and one district level, so the baseline
  covers direct links only.

Target: kette's need index and gap analysis for all of NRW no slower than pandas
(ratio ≤ 1.0); the one-call forms are what the target is about, the
per-municipality rows show what a page costs times 396.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

YEARS = list(range(2015, 2025))
YEAR = YEARS[-1]
DISTRICTS = 15
BANDS = ["0–3", "3–6", "6–10", "10–16", "16–27"]
RATES = 15
WEIGHTED = 6


def setup_django(directory: str, database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["KETTE_DATA_DIR"] = directory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kette.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(municipality_count: int) -> list:
    from kette.core.models import District, Municipality, MunicipalityKind, Programme
    from kette.directory.services import life_phases_ensure_defaults
    from kette.monitoring.models import Direction, Indicator, NeedIndexWeight, Observation, Unit

    rng = random.Random(6)
    programme = Programme.objects.create(name="Bench", slug="bench", state="Nordrhein-Westfalen")
    municipalities = Municipality.objects.bulk_create(
        [
            Municipality(
                programme=programme,
                name=f"Gemeinde {n}",
                slug=f"gemeinde-{n}",
                kind=MunicipalityKind.KREISANGEHOERIGE_GEMEINDE,
                official_key=f"05{n:06d}",
                population=50000,
                cohort=2017,
            )
            for n in range(municipality_count)
        ]
    )
    municipalities = list(Municipality.objects.order_by("pk"))
    districts = District.objects.bulk_create(
        [
            District(municipality=m, code=f"{d + 1:02d}", name=f"Bezirk {d + 1}", level="Stadtteil")
            for m in municipalities
            for d in range(DISTRICTS)
        ],
        batch_size=2000,
    )
    districts = list(District.objects.order_by("pk"))
    indicators = [
        Indicator(key=f"kinder-{n}", name=f"Kinder {band}", unit=Unit.COUNT, age_band=band)
        for n, band in enumerate(BANDS)
    ] + [
        Indicator(
            key=f"quote-{n}",
            name=f"Quote {n}",
            unit=Unit.PERCENT,
            direction=Direction.HIGHER_IS_WORSE if n % 3 else Direction.HIGHER_IS_BETTER,
        )
        for n in range(RATES)
    ]
    Indicator.objects.bulk_create(indicators)
    indicators = list(Indicator.objects.filter(municipality__isnull=True).order_by("pk"))
    weighted = [i for i in indicators if i.unit == Unit.PERCENT][:WEIGHTED]
    NeedIndexWeight.objects.bulk_create(
        [
            NeedIndexWeight(municipality=m, indicator=i, weight=1 + n % 3)
            for m in municipalities
            for n, i in enumerate(weighted)
        ]
    )
    batch: list[Observation] = []
    for district in districts:
        for indicator in indicators:
            level = rng.uniform(5, 30) if indicator.unit == Unit.PERCENT else rng.randint(40, 900)
            for year in YEARS:
                value = (
                    round(level + rng.gauss(0, 1.5), 1)
                    if indicator.unit == Unit.PERCENT
                    else float(max(0, round(level + rng.gauss(0, 20))))
                )
                batch.append(
                    Observation(
                        municipality_id=district.municipality_id,
                        district=district,
                        indicator=indicator,
                        year=year,
                        value=max(value, 0.0),
                    )
                )
        if len(batch) >= 20000:
            Observation.objects.bulk_create(batch)
            batch = []
    Observation.objects.bulk_create(batch)
    for m in municipalities:
        life_phases_ensure_defaults(m)
    return municipalities


def kette_need_index(municipalities: list) -> dict:
    from kette.monitoring import selectors

    results = {}
    for m in municipalities:
        for row in selectors.need_index(m, YEAR).rows:
            if row.result is not None:
                results[row.district.pk] = row.result
    return results


def kette_need_indexes(municipalities: list) -> dict:
    from kette.monitoring import selectors

    results = {}
    for index in selectors.need_indexes(municipalities, YEAR).values():
        for row in index.rows:
            if row.result is not None:
                results[row.district.pk] = row.result
    return results


def pandas_need_index():
    import pandas as pd
    from django.db import connection

    weights = pd.read_sql_query(
        "select w.municipality_id, w.indicator_id, w.weight, "
        "case when i.direction = 'higher_is_worse' then 1.0 else -1.0 end as sign "
        "from monitoring_needindexweight w join monitoring_indicator i on i.id = w.indicator_id",
        connection.connection,
    )
    values = pd.read_sql_query(
        "select o.municipality_id, o.district_id, o.indicator_id, o.year, o.value "
        "from monitoring_observation o join monitoring_needindexweight w "
        "on w.municipality_id = o.municipality_id and w.indicator_id = o.indicator_id "
        f"where o.district_id is not null and o.year in ({YEAR}, {YEAR - 2})",
        connection.connection,
    )
    wide = values.pivot_table(
        index=["municipality_id", "district_id", "indicator_id"], columns="year", values="value"
    ).reset_index()
    wide = wide.merge(weights, on=["municipality_id", "indicator_id"])
    wide["change"] = wide[YEAR] - wide[YEAR - 2]
    total = wide["municipality_id"].map(weights.groupby("municipality_id")["weight"].sum())

    def zscore(frame, column, by):
        grouped = frame.groupby(by)[column]
        sd = grouped.transform("std")
        return ((frame[column] - grouped.transform("mean")) / sd).where(sd > 0, 0.0)

    def index_of(column):
        z = zscore(wide, column, ["municipality_id", "indicator_id"])
        contribution = wide["sign"] * wide["weight"] * z / total
        index = (
            contribution.groupby([wide["municipality_id"], wide["district_id"]])
            .sum()
            .rename("index")
            .reset_index()
        )
        index["standardised"] = zscore(index, "index", "municipality_id")
        return index

    status = index_of(YEAR)
    status["status"] = pd.cut(
        status["standardised"],
        [-float("inf"), -1, 1, 1.5, float("inf")],
        labels=[1, 2, 3, 4],
        right=True,
    )
    # status_class: < −1 low, ≤ 1 medium, ≤ 1.5 high: −1 itself is medium.
    status.loc[status["standardised"] == -1, "status"] = 2
    change = index_of("change")
    status["dynamics"] = pd.cut(
        change["standardised"], [-float("inf"), -1, 1, float("inf")], labels=["+", "±", "−"]
    )
    return status.set_index("district_id")


def kette_gaps(municipalities: list) -> dict:
    """`gaps.gap_analysis` per municipality (it computes the need classes itself):
    (district id, life phase id) -> (children, offers, need status)."""
    from kette.monitoring import gaps

    results = {}
    for m in municipalities:
        for row in gaps.gap_analysis(m, YEAR).rows:
            results[(row.district.pk, row.life_phase.pk)] = (
                row.children,
                row.offers,
                row.need_status,
            )
    return results


def kette_gaps_batch(municipalities: list) -> dict:
    """`gaps.gap_analyses` for all municipalities in one call, as `kette_gaps`."""
    from kette.monitoring import gaps

    results = {}
    for analysis in gaps.gap_analyses(municipalities, YEAR).values():
        for row in analysis.rows:
            results[(row.district.pk, row.life_phase.pk)] = (
                row.children,
                row.offers,
                row.need_status,
            )
    return results


def pandas_gaps():
    """The gap analysis of the generated data in pandas, with the pandas need index:
    children per district and life phase from the age-band counts that tile the
    phase (kette's pure `bands_for` picks them; a phase with a band count from 1 to
    the threshold − 1, or a band missing, has no children), offers whose age range
    overlaps the phase linked to the district by a location or a service area, or
    by a service area for the whole municipality. The generated data has one
    district level without parents and no municipality totals, so there is no
    hierarchy and no secondary suppression to follow here."""
    import pandas as pd
    from django.db import connection

    from kette.monitoring.gaps import band_months, bands_for

    status = pandas_need_index()["status"].astype(int)
    read = lambda sql: pd.read_sql_query(sql, connection.connection)  # noqa: E731
    phases = read(
        "select id as phase_id, municipality_id, min_age_months, max_age_months "
        "from directory_lifephase"
    )
    indicators = read(
        "select id as indicator_id, age_band, disclosure_threshold from monitoring_indicator "
        "where unit = 'count' and age_band != '' and municipality_id is null"
    )
    bands = {}
    for row in indicators.itertuples():
        months = band_months(row.age_band)
        if months is not None:
            bands[months] = row
    tiling = []
    for low, high in (
        phases[["min_age_months", "max_age_months"]].drop_duplicates().itertuples(index=False)
    ):
        for band in bands_for((low, high), bands) or []:  # type: ignore[arg-type]
            tiling.append((low, high, band.indicator_id, band.disclosure_threshold))
    tiling_frame = pd.DataFrame(
        tiling, columns=["min_age_months", "max_age_months", "indicator_id", "threshold"]
    )
    phase_bands = phases.merge(tiling_frame, on=["min_age_months", "max_age_months"])
    phase_bands["bands"] = phase_bands.groupby("phase_id")["indicator_id"].transform("size")
    ids = ",".join(str(i) for i in tiling_frame["indicator_id"].unique()) or "0"
    counts = read(
        "select municipality_id, district_id, indicator_id, value from monitoring_observation "
        f"where district_id is not null and year = {YEAR} and indicator_id in ({ids})"
    )
    cells = counts.merge(phase_bands, on=["municipality_id", "indicator_id"])
    cells["small"] = (cells["value"] > 0) & (cells["value"] < cells["threshold"])
    children = cells.groupby(["district_id", "phase_id"]).agg(
        children=("value", "sum"),
        found=("value", "size"),
        bands=("bands", "first"),
        small=("small", "any"),
    )
    children.loc[children["small"] | (children["found"] < children["bands"]), "children"] = None

    districts = read("select id as district_id, municipality_id from core_district")
    services = read(
        "select id as service_id, min_age_months as low, max_age_months as high "
        "from directory_service where status = 'published'"
    )
    located = read(
        "select sl.service_id, l.district_id from directory_serviceatlocation sl "
        "join directory_location l on l.id = sl.location_id where l.district_id is not null"
    )
    areas = read("select service_id, district_id, municipality_id from directory_servicearea")
    everywhere = areas[areas["district_id"].isna()][["service_id", "municipality_id"]].merge(
        districts, on="municipality_id"
    )[["service_id", "district_id"]]
    links = pd.concat(
        [located, areas[areas["district_id"].notna()][["service_id", "district_id"]], everywhere]
    ).drop_duplicates()
    links = links.merge(services, on="service_id").merge(districts, on="district_id")
    offered = links.merge(phases, on="municipality_id")
    both_open = offered["low"].isna() & offered["high"].isna()
    overlap = (
        ~both_open
        & (offered["low"].fillna(-(10**6)) < offered["max_age_months"])
        & (offered["high"].fillna(10**6) > offered["min_age_months"])
    )
    offers = offered[overlap].groupby(["district_id", "phase_id"]).size().rename("offers")

    grid = districts.merge(phases, on="municipality_id")[["district_id", "phase_id"]]
    grid = grid.merge(children["children"], on=["district_id", "phase_id"], how="left")
    grid = grid.merge(offers, on=["district_id", "phase_id"], how="left")
    grid["offers"] = grid["offers"].fillna(0).astype(int)
    grid["status"] = grid["district_id"].map(status)
    grid["per_1000"] = grid["offers"] * 1000 / grid["children"].where(grid["children"] > 0)
    return grid.set_index(["district_id", "phase_id"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--municipalities", type=int, default=396)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--db",
        type=Path,
        help="keep the generated database in this file (default: a temporary one)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="use the database in --db generated by an earlier run"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kette-bench-") as directory:
        database = args.db or Path(directory) / "bench.sqlite3"
        fresh = not (args.reuse and database.exists())
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
        setup_django(directory, database)
        from common import measure_alternating, side_by_side

        started = time.perf_counter()
        if fresh:
            municipalities = generate(args.municipalities)
        else:
            from kette.core.models import Municipality

            municipalities = list(Municipality.objects.order_by("pk"))
        print(
            f"{'generated' if fresh else 'reused'} {len(municipalities)} municipalities × "
            f"{DISTRICTS} districts × {len(BANDS) + RATES} indicators × {len(YEARS)} years in "
            f"{time.perf_counter() - started:.0f} s"
        )
        ours = kette_need_index(municipalities)
        assert ours == kette_need_indexes(municipalities)
        theirs = pandas_need_index()
        assert len(ours) == len(theirs) == len(municipalities) * DISTRICTS
        for district_id, result in ours.items():
            row = theirs.loc[district_id]
            assert abs(result.index - row["index"]) < 1e-9, district_id
            assert result.status == int(row["status"]), district_id
            assert result.dynamics == row["dynamics"], district_id
        print(f"checked: kette and pandas agree on all {len(ours):,} districts")
        our_gaps = kette_gaps(municipalities)
        their_gaps = pandas_gaps()
        assert len(our_gaps) == len(their_gaps)
        for key, (children, offers, status) in our_gaps.items():
            row = their_gaps.loc[key]
            expected = None if row["children"] != row["children"] else row["children"]
            assert children == expected, key
            assert offers == row["offers"] and status == row["status"], key
        print(
            f"checked: kette and pandas agree on all {len(our_gaps):,} district × life phase rows"
        )
        assert kette_gaps_batch(municipalities) == our_gaps
        print("checked: gaps.gap_analyses gives every municipality's gap_analysis rows")

        from kette.monitoring import gaps, selectors

        # The calls alone: their results are not walked (pandas' are not either).
        # Samples in turns: the machine is shared, its load changes by the minute.
        need_batch, need_each, need_baseline = measure_alternating(
            [
                (
                    "need_indexes (one call for all)",
                    lambda: selectors.need_indexes(municipalities, YEAR),
                ),
                (
                    "need_index per municipality",
                    lambda: [selectors.need_index(m, YEAR) for m in municipalities],
                ),
                ("pandas need index", pandas_need_index),
            ],
            repeat=args.repeat,
            warmup=1,
        )
        gaps_batch, gaps_each, gaps_baseline = measure_alternating(
            [
                (
                    "gap_analyses (one call for all)",
                    lambda: gaps.gap_analyses(municipalities, YEAR),
                ),
                (
                    "gap_analysis per municipality",
                    lambda: [gaps.gap_analysis(m, YEAR) for m in municipalities],
                ),
                ("pandas gap analysis (with need index)", pandas_gaps),
            ],
            repeat=args.repeat,
            warmup=1,
        )
        print()
        print(
            side_by_side(
                "Need index for every district of NRW, kette vs pandas (same database)",
                [(need_batch, need_baseline), (need_each, need_baseline)],
                target=1.0,
            )
        )
        print()
        print(
            side_by_side(
                "Gap analysis (with the need index) for every district × life phase of NRW, "
                "kette vs pandas",
                [(gaps_batch, gaps_baseline), (gaps_each, gaps_baseline)],
                target=1.0,
            )
        )


if __name__ == "__main__":
    main()
