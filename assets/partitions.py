"""Partitions: one plan per site and local calendar day."""

import os
from datetime import date
from pathlib import Path

import dagster as dg

SITES_DIR_ENV = "HEATCRAFT_SITES_DIR"
DEFAULT_SITES_DIR = Path(__file__).resolve().parent.parent / "examples"
FIRST_PLAN_DATE = "2026-01-01"


def sites_dir() -> Path:
    return Path(os.environ.get(SITES_DIR_ENV, DEFAULT_SITES_DIR))


def discover_site_ids(folder: Path | None = None) -> list[str]:
    """Every sub-folder with a site.yaml is a site (folder name = site id)."""
    root = folder or sites_dir()
    return (
        sorted(p.name for p in root.iterdir() if (p / "site.yaml").is_file())
        if root.is_dir()
        else []
    )


site_day_partitions = dg.MultiPartitionsDefinition(
    {
        "site": dg.StaticPartitionsDefinition(discover_site_ids() or ["none"]),
        # end_offset=2: today and tomorrow are plannable (the last complete day is yesterday).
        "date": dg.DailyPartitionsDefinition(start_date=FIRST_PLAN_DATE, end_offset=2),
    }
)


def site_and_date(
    context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext,
) -> tuple[str, date]:
    keys = context.partition_key.keys_by_dimension
    return keys["site"], date.fromisoformat(keys["date"])


def partition_key(site_id: str, plan_date: date | str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"site": site_id, "date": str(plan_date)})
