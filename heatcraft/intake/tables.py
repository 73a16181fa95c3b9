"""Build validated models from records, collecting every issue with its file, row and field."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from heatcraft.errors import InputError, InputIssue
from heatcraft.intake.records import Record
from heatcraft.intake.values import ValueProblem

_FIELD_HINT = re.compile(r"^([a-z_]+): (.*)$", re.DOTALL)
ModelT = TypeVar("ModelT", bound=BaseModel)
Converter = Callable[[Any], Any]


def build_models(
    records: Iterable[Record],
    model: type[ModelT],
    converters: dict[str, Converter],
    *,
    id_field: str | None = None,
) -> list[ModelT]:
    """One model per record. Raises one InputError listing every broken rule."""
    built: list[ModelT] = []
    issues: list[InputIssue] = []
    first_row_of_id: dict[str, int] = {}
    for record in records:
        fields: dict[str, Any] = {}
        record_ok = True
        for name, raw in record.values.items():
            if raw is None:
                continue  # blank cell: the model's documented default applies
            try:
                fields[name] = converters.get(name, _identity)(raw)
            except ValueProblem as exc:
                issues.append(InputIssue(record.file, record.row, name, str(exc)))
                record_ok = False
        if not record_ok:
            continue
        try:
            instance = model.model_validate(fields)
        except ValidationError as exc:
            issues.extend(_issues_from(record, exc))
            continue
        if id_field is not None:
            key = str(getattr(instance, id_field))
            if key in first_row_of_id:
                issues.append(
                    InputIssue(
                        record.file,
                        record.row,
                        id_field,
                        f"duplicate id {key!r} (first at row {first_row_of_id[key]})",
                    )
                )
                continue
            first_row_of_id[key] = record.row
        built.append(instance)
    if issues:
        raise InputError(issues)
    return built


def _identity(value: Any) -> Any:
    return value


def _issues_from(record: Record, exc: ValidationError) -> list[InputIssue]:
    issues = []
    for error in exc.errors(include_url=False):
        location = [str(part) for part in error["loc"]]
        field = location[0] if location else None
        message = error["msg"].removeprefix("Value error, ")
        hinted = _FIELD_HINT.match(message)
        if hinted:  # model-level rules name their field as "field: rule"
            field = ".".join([*location, hinted.group(1)]) if location else hinted.group(1)
            message = hinted.group(2)
        if error["type"] == "missing":
            message = "required value is missing"
        elif error["type"] == "extra_forbidden":
            message = "unknown field"
        issues.append(InputIssue(record.file, record.row, field, message))
    return issues
