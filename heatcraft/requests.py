"""JSON requests of the command line: validated into a pydantic model, or one error that names
every offending field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def parse_request(
    model: type[Model], request: Any, what: str, error: type[ValueError] = ValueError
) -> Model:
    """`request` as `model`; `error` (a ValueError subclass) says what is wrong, field by field."""
    if not isinstance(request, dict):
        raise error(f"{what} request must be a JSON object, got {type(request).__name__}")
    try:
        return model.model_validate(request)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(request)'}: {e['msg']}" for e in exc.errors()
        )
        raise error(f"bad {what} request: {problems}") from None
