"""Import of OpenEI Utility Rate Database (URDB) records, v7 and v8, as downloaded with
detail=full: a JSON object with `items` holding one record, a list of one record, or the bare
record.

Periods are 0-based; schedules are 12 months x 24 hours; tier `max` values are cumulative and
1e38 (or anything at or above 1e37) means "no limit". The weekend schedule serves both
Saturday and Sunday (a native overlay adds holidays and the site's time zone).

Every key of the record is either billed, descriptive (names, dates, comments, eligibility),
or reported by name in `Tariff.unsupported_fields`: nothing is dropped silently.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from heatcraft.tariffs.errors import TariffError
from heatcraft.tariffs.model import (
    Charge,
    DaySchedules,
    DemandPeriod,
    DemandTier,
    EnergyPeriod,
    EnergyTier,
    Ratchet,
    Tariff,
)

NO_LIMIT = 1e37  # URDB writes 1e38 for an unlimited tier

BILLED = {
    "energyratestructure",
    "energyweekdayschedule",
    "energyweekendschedule",
    "fueladjustmentsmonthly",
    "demandratestructure",
    "demandweekdayschedule",
    "demandweekendschedule",
    "demandrateunit",
    "flatdemandstructure",
    "flatdemandmonths",
    "flatdemandunit",
    "demandwindow",
    "demandratchetpercentage",
    "lookbackmonths",
    "lookbackpercent",
    "lookbackrange",
    "fixedchargefirstmeter",
    "fixedchargeunits",
    "mincharge",
    "minchargeunits",
}

# Descriptive keys: they say what the rate is and whom it is for, not what it costs.
DESCRIPTIVE = {
    "_id",
    "label",
    "uri",
    "utility",
    "utility_name",
    "eiaid",
    "name",
    "startdate",
    "enddate",
    "supersedes",
    "sector",
    "servicetype",
    "description",
    "source",
    "sourceparent",
    "basicinformationcomments",
    "energycomments",
    "demandcomments",
    "approved",
    "is_default",
    "country",
    "latest_update",
    "revisions",
    "voltagecategory",
    "phasewiring",
    "peakkwcapacitymin",
    "peakkwcapacitymax",
    "peakkwcapacityhistory",
    "peakkwhusagemin",
    "peakkwhusagemax",
    "peakkwhusagehistory",
    "voltageminimum",
    "voltagemaximum",
    "demandunits",
    "energyunits",
    "dgrules",  # net-metering eligibility: Heatcraft bills consumption only
    "servicearea",
}

# Empty values of these keys carry nothing to bill, so they are not reported.
_EMPTY = (None, "", [], {}, 0, 0.0)


def _record(document: Any, source: str) -> dict[str, Any]:
    record = document
    if isinstance(document, dict) and "items" in document:
        record = document["items"]
    if isinstance(record, list):
        if len(record) != 1:
            raise TariffError(f"expected one URDB record, found {len(record)}", source=source)
        record = record[0]
    if not isinstance(record, dict):
        raise TariffError("a URDB record must be a JSON object", source=source)
    if not any(key.lower() == "energyratestructure" for key in record):
        raise TariffError("no energyratestructure: not a URDB rate record", source=source)
    return {key.lower(): value for key, value in record.items()}


def _number(value: Any, source: str, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TariffError(f"expected a number, got {value!r}", source=source, field=field)
    return float(value)


def _limit(value: Any, source: str, field: str) -> float | None:
    if value is None:
        return None
    number = _number(value, source, field)
    return None if number >= NO_LIMIT else number


def _schedule(record: dict[str, Any], key: str, periods: int, source: str) -> tuple:
    table = record.get(key)
    if not isinstance(table, list) or len(table) != 12:
        got = len(table) if isinstance(table, list) else type(table).__name__
        raise TariffError(f"must be 12 months x 24 hours, got {got} rows", source=source, field=key)
    rows = []
    for month, row in enumerate(table):
        if not isinstance(row, list) or len(row) != 24:
            got = len(row) if isinstance(row, list) else type(row).__name__
            raise TariffError(
                f"month {month + 1} must have 24 hours, got {got} (a 12x24 table is required)",
                source=source,
                field=f"{key}[{month}]",
            )
        for hour, period in enumerate(row):
            if isinstance(period, bool) or not isinstance(period, int) or not 0 <= period < periods:
                raise TariffError(
                    f"period {period!r} out of range: the rate structure has {periods} periods "
                    f"(0-based, so 0..{periods - 1})",
                    source=source,
                    field=f"{key}[{month}][{hour}]",
                )
        rows.append(tuple(row))
    return tuple(rows)


def _check_increasing(limits: list[float | None], source: str, field: str) -> None:
    previous = 0.0
    for number, limit in enumerate(limits):
        if limit is None:
            if number != len(limits) - 1:
                raise TariffError(
                    "an unlimited tier must be the last",
                    source=source,
                    field=f"{field}[{number}].max",
                )
            continue
        if limit <= previous:
            raise TariffError(
                f"tier max {limit} is not above the previous tier's {previous}: "
                "negative or zero tier width",
                source=source,
                field=f"{field}[{number}].max",
            )
        previous = limit


_ENERGY_UNITS = {"kwh": "kWh", "kwh daily": "kWh daily", "kwh/kw": "kWh/kW"}


def _energy_periods(record: dict[str, Any], source: str, unsupported: set[str]) -> tuple:
    structure = record["energyratestructure"]
    if not isinstance(structure, list) or not structure:
        raise TariffError(
            "must be a non-empty list of periods", source=source, field="energyratestructure"
        )
    periods = []
    for index, tiers in enumerate(structure):
        field = f"energyratestructure[{index}]"
        if not isinstance(tiers, list) or not tiers:
            raise TariffError("a period needs at least one tier", source=source, field=field)
        units = set()
        parsed = []
        for number, tier in enumerate(tiers):
            where = f"{field}[{number}]"
            if not isinstance(tier, dict):
                raise TariffError("a tier must be an object", source=source, field=where)
            if "rate" not in tier and "adj" not in tier:
                raise TariffError("a tier needs a rate", source=source, field=f"{where}.rate")
            unit = str(tier.get("unit", "kWh")).strip()
            if unit.lower() not in _ENERGY_UNITS:
                raise TariffError(
                    f"unknown energy tier unit {unit!r} (supported: kWh, kWh daily, kWh/kW)",
                    source=source,
                    field=f"{where}.unit",
                )
            units.add(_ENERGY_UNITS[unit.lower()])
            if tier.get("sell") not in (None, 0, 0.0):
                unsupported.add(f"{where}.sell")
            for extra in sorted(set(tier) - {"rate", "adj", "max", "unit", "sell"}):
                unsupported.add(f"{where}.{extra}")
            parsed.append(
                EnergyTier(
                    max_kwh=_limit(tier.get("max"), source, f"{where}.max"),
                    rate=_number(tier.get("rate", 0.0), source, f"{where}.rate"),
                    adj=_number(tier.get("adj", 0.0), source, f"{where}.adj"),
                )
            )
        if len(units) > 1:
            raise TariffError(f"tiers mix units {sorted(units)}", source=source, field=field)
        _check_increasing([t.max_kwh for t in parsed], source, field)
        periods.append(
            EnergyPeriod(name=f"energy period {index}", unit=units.pop(), tiers=tuple(parsed))
        )
    return tuple(periods)


def _demand_periods(record: dict[str, Any], key: str, source: str, unsupported: set[str]) -> tuple:
    structure = record.get(key)
    if structure in (None, []):
        return ()
    if not isinstance(structure, list):
        raise TariffError("must be a list of periods", source=source, field=key)
    periods = []
    for index, tiers in enumerate(structure):
        field = f"{key}[{index}]"
        if not isinstance(tiers, list):
            raise TariffError("a period must be a list of tiers", source=source, field=field)
        parsed = []
        for number, tier in enumerate(tiers):
            where = f"{field}[{number}]"
            if not isinstance(tier, dict):
                raise TariffError("a tier must be an object", source=source, field=where)
            for extra in sorted(set(tier) - {"rate", "adj", "max", "unit"}):
                unsupported.add(f"{where}.{extra}")
            if "unit" in tier and str(tier["unit"]).strip().lower() != "kw":
                raise TariffError(
                    f"unknown demand unit {tier['unit']!r} (supported: kW)",
                    source=source,
                    field=f"{where}.unit",
                )
            parsed.append(
                DemandTier(
                    max_kw=_limit(tier.get("max"), source, f"{where}.max"),
                    rate=_number(tier.get("rate", 0.0), source, f"{where}.rate"),
                    adj=_number(tier.get("adj", 0.0), source, f"{where}.adj"),
                )
            )
        _check_increasing([t.max_kw for t in parsed], source, field)
        kind = "flat demand" if key.startswith("flat") else "demand"
        periods.append(DemandPeriod(name=f"{kind} period {index}", tiers=tuple(parsed)))
    return tuple(periods)


def _demand_unit(record: dict[str, Any], key: str, source: str) -> None:
    unit = record.get(key)
    if unit is not None and str(unit).strip().lower() != "kw":
        raise TariffError(f"unknown demand unit {unit!r} (supported: kW)", source=source, field=key)


_CHARGE_UNITS = {"$/day": "$/day", "$/month": "$/month", "$/year": "$/year"}


def _charge(record: dict[str, Any], amount_key: str, unit_key: str, source: str) -> tuple:
    amount = record.get(amount_key)
    if amount in (None, 0, 0.0):
        return ()
    value = _number(amount, source, amount_key)
    unit = str(record.get(unit_key, "$/month")).strip()
    if unit not in _CHARGE_UNITS:
        raise TariffError(
            f"unknown unit {unit!r} (supported: $/day, $/month, $/year)",
            source=source,
            field=unit_key,
        )
    return (Charge(amount=value, unit=_CHARGE_UNITS[unit]),)  # type: ignore[arg-type]


def _twelve_numbers(record: dict[str, Any], key: str, source: str) -> tuple[float, ...] | None:
    values = record.get(key)
    if values in (None, []):
        return None
    if not isinstance(values, list) or len(values) != 12:
        raise TariffError("needs 12 monthly values", source=source, field=key)
    return tuple(_number(v, source, f"{key}[{i}]") for i, v in enumerate(values))


def _ratchet(record: dict[str, Any], source: str) -> Ratchet | None:
    percentages = _twelve_numbers(record, "demandratchetpercentage", source)
    lookback_percent = record.get("lookbackpercent")
    lookback_range = record.get("lookbackrange")
    lookback_months = record.get("lookbackmonths")
    if percentages is None and not lookback_percent:
        return None
    months: tuple[bool, ...] = (True,) * 12
    if lookback_months not in (None, []):
        if not isinstance(lookback_months, list) or len(lookback_months) != 12:
            raise TariffError("needs 12 monthly flags", source=source, field="lookbackmonths")
        months = tuple(bool(flag) for flag in lookback_months)
    for key, value in (
        ("demandratchetpercentage", max(percentages or (0.0,))),
        ("lookbackpercent", lookback_percent or 0.0),
    ):
        if not 0 <= _number(value, source, key) <= 1.5:
            raise TariffError(
                f"expected a fraction such as 0.8, got {value}", source=source, field=key
            )
    return Ratchet(
        percent_by_month=percentages or (0.0,) * 12,
        lookback_percent=_number(lookback_percent or 0.0, source, "lookbackpercent"),
        lookback_range=int(_number(lookback_range or 0, source, "lookbackrange")),
        lookback_months=months,
    )


def load_urdb(document: Any, source: str) -> Tariff:
    record = _record(document, source)
    unsupported: set[str] = set()
    for key, value in record.items():
        if key in BILLED or key in DESCRIPTIVE or value in _EMPTY:
            continue
        unsupported.add(key)  # e.g. coincident demand, reactive power, non-empty *attrs

    energy_periods = _energy_periods(record, source, unsupported)
    weekday = _schedule(record, "energyweekdayschedule", len(energy_periods), source)
    weekend = _schedule(record, "energyweekendschedule", len(energy_periods), source)
    _demand_unit(record, "demandrateunit", source)
    _demand_unit(record, "flatdemandunit", source)
    demand_periods = _demand_periods(record, "demandratestructure", source, unsupported)
    demand_schedule = None
    if demand_periods:
        demand_schedule = DaySchedules(
            weekday=_schedule(record, "demandweekdayschedule", len(demand_periods), source),
            saturday=(
                we := _schedule(record, "demandweekendschedule", len(demand_periods), source)
            ),
            sunday=we,
        )
    flat_periods = _demand_periods(record, "flatdemandstructure", source, unsupported)
    flat_months = None
    if flat_periods:
        months = record.get("flatdemandmonths")
        if not isinstance(months, list) or len(months) != 12:
            raise TariffError(
                "needs 12 monthly period indexes", source=source, field="flatdemandmonths"
            )
        for month, period in enumerate(months):
            if (
                isinstance(period, bool)
                or not isinstance(period, int)
                or not 0 <= period < len(flat_periods)
            ):
                raise TariffError(
                    f"period {period!r} out of range: flatdemandstructure has {len(flat_periods)} "
                    "periods (0-based)",
                    source=source,
                    field=f"flatdemandmonths[{month}]",
                )
        flat_months = tuple(months)
    window = record.get("demandwindow")
    window_minutes = None
    if window not in (None, 0):
        window_minutes = int(_number(window, source, "demandwindow"))
        if window_minutes <= 0 or 60 % window_minutes != 0:
            raise TariffError(
                f"demand window of {window} minutes does not divide an hour",
                source=source,
                field="demandwindow",
            )
    fuel = _twelve_numbers(record, "fueladjustmentsmonthly", source)
    name = " - ".join(str(record[k]) for k in ("utility", "name") if record.get(k)) or "URDB rate"
    try:
        return Tariff(
            name=name,
            source=source,
            currency="USD",
            energy_periods=energy_periods,
            energy_schedule=DaySchedules(weekday=weekday, saturday=weekend, sunday=weekend),
            fuel_adjustments_monthly=fuel or (0.0,) * 12,
            demand_periods=demand_periods,
            demand_schedule=demand_schedule,
            flat_demand_periods=flat_periods,
            flat_demand_months=flat_months,
            demand_window_minutes=window_minutes,
            ratchet=_ratchet(record, source),
            fixed_charges=_charge(record, "fixedchargefirstmeter", "fixedchargeunits", source),
            minimum_charges=_charge(record, "mincharge", "minchargeunits", source),
            holiday_schedule="sunday",
            unsupported_fields=tuple(sorted(unsupported)),
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise TariffError(first["msg"].removeprefix("Value error, "), source=source) from None
