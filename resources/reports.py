"""Where report files (Excel, PNG, PDF) are written."""

from pathlib import Path

import dagster as dg


class ReportsResource(dg.ConfigurableResource):
    """A folder of reports, one sub-folder per site and plan date."""

    reports_dir: str = "var/reports"

    def folder(self, site_id: str, plan_date: str) -> Path:
        return Path(self.reports_dir) / site_id / plan_date
