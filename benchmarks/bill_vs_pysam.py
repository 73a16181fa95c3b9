"""Bill a year of 1-minute load: Heatcraft (expand + bill) next to PySAM Utilityrate5.

    python benchmarks/bill_vs_pysam.py [--repeats 5] [--out benchmarks/results/bill_vs_pysam.md]

Same load (525,600 one-minute steps of 2018, America/Phoenix: no DST, PySAM's calendar) and
the same URDB records (tests/tariffs/fixtures). The Heatcraft time includes expanding the
tariff over the year; PySAM's includes building its inputs. Both report the median of N runs,
and the two annual totals are printed side by side (they differ only where PySAM cannot
express a charge: $/day and $/year fixed charges).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import cpu_name  # noqa: E402
from heatcraft.tariffs import bill_load, expand_tariff, load_tariff  # noqa: E402
from heatcraft.timegrid import TimeGrid  # noqa: E402
from tests.tariffs.loads import industrial_year  # noqa: E402
from tests.tariffs.pysam_reference import pysam_monthly  # noqa: E402

FIXTURES = ROOT / "tests" / "tariffs" / "fixtures"


def median_seconds(run, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    load = industrial_year(2018, 1)
    grid = TimeGrid.for_days(date(2018, 1, 1), 365, "America/Phoenix", 1)
    lines = [
        "# Bill a year of 1-minute load: Heatcraft vs PySAM Utilityrate5",
        "",
        f"Command: `python benchmarks/bill_vs_pysam.py --repeats {args.repeats}`",
        f"Machine: {platform.machine()}, {cpu_name()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}",
        f"Load: {load.size} one-minute steps (2018, America/Phoenix); median of {args.repeats}.",
        "",
        "| URDB record | Heatcraft (s) | PySAM (s) | Heatcraft total ($) | PySAM total ($) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for path in sorted(FIXTURES.glob("*.json")):
        tariff = load_tariff(path)

        def ours(tariff=tariff):
            series = expand_tariff(tariff, grid)
            return bill_load(tariff, series, load)

        def theirs(tariff=tariff):
            window = (tariff.demand_window_minutes or 1) // 1
            return pysam_monthly(tariff, load, window_steps=window)

        ours_s, bill = median_seconds(ours, args.repeats)
        theirs_s, reference = median_seconds(theirs, args.repeats)
        lines.append(
            f"| {path.stem} | {ours_s:.3f} | {theirs_s:.3f} | {bill.total:,.2f} | "
            f"{float(np.sum(reference['total'])):,.2f} |"
        )
        print(lines[-1], flush=True)
    lines += [
        "",
        "Heatcraft time = expand_tariff + bill_load. PySAM time = building inputs + execute;",
        "for a record with both a ratchet and TOU demand (lakeshore) the reference runs PySAM",
        "twice (see tests/tariffs/pysam_reference.py). Totals differ where PySAM cannot express",
        "a charge ($/day and $/year fixed charges); month by month the other charges agree",
        "within $0.01 (tests/tariffs/test_pysam_agreement.py).",
    ]
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
