"""The site's inputs: production schedule, equipment, maintenance and tariff, validated."""

import dagster as dg

from assets.checks import expectations_result, input_check_specs
from assets.metadata import provenance_metadata, provenance_row, table_metadata
from assets.partitions import site_and_date, site_day_partitions
from assets.tables import EQUIPMENT, JOBS, PROVENANCE
from resources.sites import SiteFolderResource
from resources.warehouse import WarehouseResource

CODE_VERSION = "2"  # 2: reads equipment_trips.csv


@dg.asset(
    group_name="inputs",
    partitions_def=site_day_partitions,
    code_version=CODE_VERSION,
    kinds={"python", "duckdb"},
    check_specs=input_check_specs("site_inputs"),
    description="Site folder (site.yaml, equipment, maintenance, unit trips, jobs, tariff, fuel "
    "prices) loaded and validated; bad input fails here with file, row and field.",
)
def site_inputs(
    context: dg.AssetExecutionContext, sites: SiteFolderResource, warehouse: WarehouseResource
):
    from heatcraft.intake.site_folder import load_site
    from heatcraft.tables import equipment_rows, job_rows

    site_id, plan_date = site_and_date(context)
    inputs = load_site(sites.folder(site_id))  # InputError -> the run fails, nothing written
    quality = expectations_result("site_inputs", inputs)
    if not quality.passed:
        return dg.MaterializeResult(value=inputs, check_results=[quality])
    jobs = job_rows(inputs, plan_date)
    equipment = equipment_rows(inputs, plan_date)
    counts = warehouse.replace_partition(
        {
            JOBS: jobs,
            EQUIPMENT: equipment,
            PROVENANCE: [
                provenance_row(
                    site_id,
                    plan_date,
                    "site_inputs",
                    context.run.run_id,
                    inputs.sha256,
                    inputs.sha256,
                    inputs.source_sha256,
                    None,
                )
            ],
        },
        keys={"site_id": site_id, "plan_date": plan_date, "asset": "site_inputs"},
    )
    return dg.MaterializeResult(
        value=inputs,
        check_results=[quality],
        metadata={
            **table_metadata(JOBS, counts[JOBS.name]),
            "equipment_rows": counts[EQUIPMENT.name],
            "maintenance_windows": len(inputs.maintenance),
            "unit_trips": len(inputs.trips),  # equipment_trips.csv rows (plans keep them off)
            "site": inputs.site.name,
            "timezone": inputs.site.timezone,
            **provenance_metadata(
                inputs_sha256=inputs.sha256,
                output_sha256=inputs.sha256,
                sources=inputs.source_sha256,
            ),
        },
    )
