"""Data-quality expectations on a site's inputs, run with Great Expectations 1.x.

The pydantic models already reject malformed rows; these expectations watch the loaded tables
as a whole (uniqueness, plausible ranges) the way a data team reads them, and their results
are reported by name. Great Expectations takes seconds to import, so import this module lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from heatcraft.intake.site_folder import SiteInputs


@dataclass(frozen=True)
class QualityOutcome:
    success: bool
    evaluated: int
    failures: list[str]


def _suites():
    import great_expectations as gx

    e = gx.expectations
    jobs = [
        e.ExpectColumnValuesToBeUnique(column="job_id"),
        e.ExpectColumnValuesToNotBeNull(column="job_id"),
        e.ExpectColumnValuesToBeBetween(column="priority", min_value=1, max_value=5),
        e.ExpectColumnValuesToBeBetween(column="heating_kwh", min_value=0, strict_min=True),
        e.ExpectColumnValuesToBeBetween(
            column="duration_minutes", min_value=1, max_value=7 * 24 * 60
        ),
        e.ExpectColumnValuesToBeBetween(column="temperature_c", min_value=-50, max_value=2000),
        e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="deadline", column_B="earliest_start"),
    ]
    equipment = [
        e.ExpectColumnValuesToBeUnique(column="equipment_id"),
        e.ExpectColumnValuesToBeBetween(column="capacity_kw", min_value=0, strict_min=True),
        e.ExpectColumnValuesToBeBetween(column="efficiency", min_value=0.05, max_value=8.0),
        e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="capacity_kw", column_B="min_load_kw", or_equal=True
        ),
    ]
    return {"jobs": jobs, "equipment": equipment}


def _utc_naive(moment: datetime) -> datetime:
    """The same instant in UTC without its zone: Great Expectations' column metrics on
    tz-aware datetimes raise pandas' Pandas4Warning (an error under pandas 4), and the
    comparisons made here only need the instants' order."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def _frames(inputs: SiteInputs) -> dict[str, pd.DataFrame]:
    jobs = pd.DataFrame(
        [
            {
                "job_id": j.job_id,
                "priority": j.priority,
                "heating_kwh": j.heating_kwh,
                "duration_minutes": j.duration_minutes,
                "temperature_c": j.temperature_c,
                "earliest_start": _utc_naive(j.earliest_start),
                "deadline": _utc_naive(j.deadline),
            }
            for j in inputs.jobs
        ]
    )
    equipment = pd.DataFrame(
        [
            {
                "equipment_id": u.equipment_id,
                "capacity_kw": u.capacity_kw,
                "min_load_kw": u.min_load_kw,
                "efficiency": u.efficiency,
            }
            for u in inputs.equipment
        ]
    )
    return {"jobs": jobs, "equipment": equipment}


def expectations_on_inputs(inputs: SiteInputs) -> QualityOutcome:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_pandas("site_inputs")
    failures: list[str] = []
    evaluated = 0
    frames = _frames(inputs)
    for table, expectations in _suites().items():
        batch = (
            source.add_dataframe_asset(table)
            .add_batch_definition_whole_dataframe("whole")
            .get_batch(batch_parameters={"dataframe": frames[table]})
        )
        suite = gx.ExpectationSuite(name=f"{table}_suite", expectations=expectations)
        result = batch.validate(suite)
        for outcome in result.results:
            evaluated += 1
            if not outcome.success:
                config = outcome.expectation_config
                failures.append(f"{table}: {config.type} {dict(config.kwargs)}")
    return QualityOutcome(success=not failures, evaluated=evaluated, failures=failures)
