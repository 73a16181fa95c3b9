"""Declared schemas of the warehouse tables, partitioned by site and plan date."""

from __future__ import annotations

from resources.warehouse import TableSpec

SITE_DAY = ("site_id", "plan_date")
_KEYS = (("site_id", "text"), ("plan_date", "date"))

JOBS = TableSpec(
    name="jobs",
    columns=(
        *_KEYS,
        ("job_id", "text"),
        ("product_id", "text"),
        ("product_name", "text"),
        ("quantity", "float"),
        ("unit", "text"),
        ("heating_kwh", "float"),
        ("heat_kw", "float"),
        ("temperature_c", "float"),
        ("duration_minutes", "int"),
        ("earliest_start", "timestamptz"),
        ("deadline", "timestamptz"),
        ("priority", "int"),
        ("allowed_equipment", "text"),
    ),
    partition_keys=SITE_DAY,
)
EQUIPMENT = TableSpec(
    name="equipment",
    columns=(
        *_KEYS,
        ("equipment_id", "text"),
        ("name", "text"),
        ("type", "text"),
        ("capacity_kw", "float"),
        ("min_load_kw", "float"),
        ("efficiency", "float"),
        ("fuel", "text"),
        ("min_run_minutes", "int"),
        ("min_off_minutes", "int"),
        ("max_starts_per_day", "int"),
        ("startup_energy_kwh", "float"),
        ("max_parallel_jobs", "int"),
        ("initial_state", "text"),
    ),
    partition_keys=SITE_DAY,
)
_PLAN_KEYS = (*_KEYS, ("plan_kind", "text"))
PLAN_DAY = ("site_id", "plan_date", "plan_kind")
PLAN_ASSIGNMENTS = TableSpec(
    name="plan_assignments",
    columns=(
        *_PLAN_KEYS,
        ("job_id", "text"),
        ("equipment_id", "text"),
        ("start", "timestamptz"),
        ("end", "timestamptz"),
        ("heat_kw", "float"),
        ("input_kw", "float"),
        ("carrier", "text"),
        ("dropped", "bool"),
        ("reason", "text"),
    ),
    partition_keys=PLAN_DAY,
)
UNIT_RUNS = TableSpec(
    name="unit_runs",
    columns=(
        *_PLAN_KEYS,
        ("equipment_id", "text"),
        ("start", "timestamptz"),
        ("end", "timestamptz"),
    ),
    partition_keys=PLAN_DAY,
)
LOAD_PROFILE = TableSpec(
    name="load_profile",
    columns=(
        *_PLAN_KEYS,
        ("step_start", "timestamptz"),
        ("step_minutes", "int"),
        ("electric_kw", "float"),
        ("base_load_kw", "float"),
        ("heat_kw", "float"),
        ("fuel_kw", "float"),
        ("units_on", "int"),
        ("electric_cost", "float"),
        ("fuel_cost", "float"),
    ),
    partition_keys=PLAN_DAY,
)
PLAN_COSTS = TableSpec(
    name="plan_costs",
    columns=(
        *_PLAN_KEYS,
        ("currency", "text"),
        ("breakdown", "text"),
        ("item", "text"),
        ("amount", "float"),
    ),
    partition_keys=PLAN_DAY,
)
PLAN_SAVINGS = TableSpec(
    name="plan_savings",
    columns=(
        *_KEYS,
        ("component", "text"),
        ("currency", "text"),
        ("baseline", "float"),
        ("optimized", "float"),
        ("saving", "float"),
    ),
    partition_keys=SITE_DAY,
)
PROVENANCE = TableSpec(
    name="provenance",
    columns=(
        *_KEYS,
        ("asset", "text"),
        ("run_id", "text"),
        ("code_version", "text"),
        ("inputs_sha256", "text"),
        ("output_sha256", "text"),
        ("sources", "json"),
        ("solver", "json"),
    ),
    partition_keys=(*SITE_DAY, "asset"),
)
