"""The Heatcraft code location: one Definitions object."""

import dagster as dg

from assets import FUEL_ASSETS, PLANNING_ASSETS, REPORT_ASSETS
from assets.partitions import sites_dir
from jobs import daily_plan_job
from resources import WarehouseResource
from resources.reports import ReportsResource
from resources.sites import SiteFolderResource
from schedules import daily_schedules
from sensors import sensors

defs = dg.Definitions(
    assets=[*PLANNING_ASSETS, *FUEL_ASSETS, *REPORT_ASSETS],
    jobs=[daily_plan_job],
    schedules=daily_schedules,
    sensors=sensors,
    # One step at a time in one process: DuckDB allows a single writer per file.
    executor=dg.in_process_executor,
    resources={
        "sites": SiteFolderResource(sites_dir=str(sites_dir())),
        "reports": ReportsResource(
            reports_dir=dg.EnvVar("HEATCRAFT_REPORTS_DIR").get_value("var/reports")
        ),
        "warehouse": WarehouseResource(
            duckdb_path=dg.EnvVar("HEATCRAFT_DUCKDB_PATH").get_value("var/warehouse.duckdb"),
            postgres_url=dg.EnvVar("HEATCRAFT_POSTGRES_URL").get_value(),
        ),
    },
)
