"""Reports for planners: an Excel workbook, a load-profile chart and a one-page PDF."""

from heatcraft.reports.charts import load_profile_chart
from heatcraft.reports.pdf import plan_summary_pdf
from heatcraft.reports.workbook import plan_workbook

__all__ = ["load_profile_chart", "plan_summary_pdf", "plan_workbook"]
