"""Planner reports: workbook, chart and one-page PDF of the day's plan against the baseline."""

import dagster as dg

from assets.partitions import site_and_date, site_day_partitions
from resources.reports import ReportsResource

CODE_VERSION = "2"  # 2: the assignments sheet and the summary name late jobs


@dg.asset(
    group_name="reports",
    partitions_def=site_day_partitions,
    code_version=CODE_VERSION,
    kinds={"python", "excel", "pdf"},
    description="plan.xlsx (summary, assignments, load profile, costs), load_profile.png and "
    "summary.pdf for the planners; files are replaced whole.",
)
def plan_report(
    context: dg.AssetExecutionContext,
    reports: ReportsResource,
    site_inputs,
    baseline_plan,
    optimized_plan,
    plan_savings,
) -> dg.MaterializeResult:
    from heatcraft.provenance import sha256_of_file
    from heatcraft.reports import load_profile_chart, plan_summary_pdf, plan_workbook
    from heatcraft.scheduling.plan_choice import late_jobs

    site_id, plan_date = site_and_date(context)
    folder = reports.folder(site_id, plan_date.isoformat())
    site = site_inputs.site
    late_minutes = {job["job_id"]: job["late_minutes"]
                    for job in late_jobs(optimized_plan.plan, site_inputs)}
    chart = load_profile_chart(
        baseline_plan,
        optimized_plan,
        folder / "load_profile.png",
        title=f"{site.name}, {plan_date.isoformat()}: electric demand",
        billed_peak_kw=site.billed_peak_kw,
        contract_peak_kw=site.contract_peak_kw,
    )
    workbook = plan_workbook(
        baseline_plan,
        optimized_plan,
        folder / "plan.xlsx",
        site_name=site.name,
        savings=plan_savings,
        late_minutes=late_minutes,
    )
    pdf = plan_summary_pdf(
        baseline_plan,
        optimized_plan,
        folder / "summary.pdf",
        site_name=site.name,
        savings=plan_savings,
        chart=chart,
        late_minutes=late_minutes,
    )
    files = {path.name: path for path in (workbook, chart, pdf)}
    return dg.MaterializeResult(
        metadata={
            "folder": dg.MetadataValue.path(str(folder)),
            **{name: dg.MetadataValue.path(str(path)) for name, path in files.items()},
            "sha256": dg.MetadataValue.json({name: sha256_of_file(p) for name, p in files.items()}),
            "saving_pct": plan_savings["total_pct"],
        }
    )
