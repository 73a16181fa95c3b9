"""Turn pydantic validation errors into TariffErrors that name the file and field."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError

from heatcraft.tariffs.errors import TariffError

T = TypeVar("T")


def field_path(location: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in location:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def validated(build: Callable[[], T], source: str) -> T:
    """Run a pydantic construction; report its first error as a TariffError."""
    try:
        return build()
    except ValidationError as error:
        first = error.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        raise TariffError(message, source=source, field=field_path(first["loc"]) or None) from None
