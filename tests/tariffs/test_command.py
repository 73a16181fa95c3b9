"""`heatcraft bill` as a function: files in, the bill JSON out."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from heatcraft.tariffs import TariffError, bill_command
from heatcraft.timegrid import TimeGrid
from tests.tariffs.helpers import write

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plant_a" / "tariff.yaml"


def write_load(tmp_path: Path, first: date, days: int, kw: float, step: int = 15) -> Path:
    grid = TimeGrid.for_days(first, days, "America/Chicago", step)
    rows = ["timestamp,kw"] + [f"{t.isoformat()},{kw}" for t in grid.starts_local]
    return write(tmp_path, "\n".join(rows) + "\n", "load.csv")


def test_bill_command_prints_the_documented_json(tmp_path):
    load = write_load(tmp_path, date(2025, 7, 7), 1, 1000.0)  # a Monday
    result = bill_command(EXAMPLE, load)
    json.dumps(result)
    assert result["currency"] == "USD"
    (month,) = result["months"]
    assert set(month) >= {"month", "energy", "demand_flat", "demand_tou", "fixed"}
    assert month["month"] == "2025-07"
    # 1000 kW: 8 h off 0.045, 8 h mid 0.085, 4 h on 0.125, 4 h critical 0.145
    assert month["energy"] == pytest.approx(1000 * (8 * 0.045 + 8 * 0.085 + 4 * 0.125 + 4 * 0.145))
    assert month["demand_tou"] == pytest.approx(1000 * (8 + 12 + 18 + 22))
    assert month["fixed"] == pytest.approx(round(350 / 31, 2))
    assert result["total"] == pytest.approx(month["total"])


def test_prior_peaks_file_and_dst_day(tmp_path):
    load = write_load(tmp_path, date(2025, 3, 9), 1, 10.0)  # 92 quarter hours
    assert len(load.read_text().splitlines()) == 93
    peaks = write(tmp_path, "month,kw\n2025-02,500\n", "peaks.csv")
    result = bill_command(EXAMPLE, load, prior_peaks=peaks)
    assert result["months"][0]["energy"] == pytest.approx(23 * 10 * 0.045)


def test_missing_time_zone_and_uneven_load_are_clear_errors(tmp_path):
    urdb = Path(__file__).parent / "fixtures" / "sonoran_e32_large_tou.json"
    load = write_load(tmp_path, date(2025, 7, 7), 1, 1.0)
    with pytest.raises(TariffError, match="timezone"):
        bill_command(urdb, load)
    lines = load.read_text().splitlines()
    del lines[5]
    write(tmp_path, "\n".join(lines) + "\n", "load.csv")
    with pytest.raises(TariffError, match="evenly spaced"):
        bill_command(EXAMPLE, load)
    write(tmp_path, "timestamp,kw,extra\n", "load.csv")
    with pytest.raises(TariffError, match="columns"):
        bill_command(EXAMPLE, load)
