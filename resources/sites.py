"""Where the site folders live."""

from __future__ import annotations

from pathlib import Path

import dagster as dg


class SiteFolderResource(dg.ConfigurableResource):
    """A folder holding one sub-folder per site (site.yaml, equipment.csv, jobs.*, tariff...)."""

    sites_dir: str

    def folder(self, site_id: str) -> Path:
        folder = Path(self.sites_dir) / site_id
        if not (folder / "site.yaml").is_file():
            raise FileNotFoundError(
                f"no site folder with site.yaml for {site_id!r} in {self.sites_dir}"
            )
        return folder
