"""Request validation shared by the request-level functions: a bad request raises `RequestError`
(a ValueError) naming the offending field path, e.g. `share_limits.coal.max_share`."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from heatcraft.errors import InputError, InputIssue

Model = TypeVar("Model", bound=BaseModel)


class RequestError(InputError):
    """A request dict that does not match its schema or refers to unknown things."""


def request_error(field: str | None, rule: str, source: str = "request") -> RequestError:
    return RequestError([InputIssue(source, None, field, rule)])


def parse_request(model: type[Model], request: Any, source: str = "request") -> Model:
    if not isinstance(request, dict):
        raise request_error(None, f"request must be a JSON object, got {type(request).__name__}")
    try:
        return model.model_validate(request)
    except ValidationError as exc:
        issues = [
            InputIssue(
                source,
                None,
                ".".join(str(part) for part in error["loc"]) or None,
                error["msg"],
            )
            for error in exc.errors()
        ]
        raise RequestError(issues) from None
