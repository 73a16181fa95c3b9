"""The one error type of the tariff package: it names the file and the field at fault."""

from __future__ import annotations


class TariffError(ValueError):
    """A tariff (or its load/overlay input) cannot be read or billed as given."""

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None):
        self.source = source
        self.field = field
        where = ": ".join(part for part in (source, field) if part)
        super().__init__(f"{where}: {message}" if where else message)
