"""Input errors that name the file, the row, the field and the rule that was broken."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputIssue:
    """One broken rule. `row` is the spreadsheet-style row (header = 1) or the 1-based record."""

    file: str
    row: int | None
    field: str | None
    rule: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.rule}"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "row": self.row, "field": self.field, "rule": self.rule}


class InputError(ValueError):
    """Bad input: every issue found, so a planner can fix the file in one pass."""

    def __init__(self, issues: list[InputIssue]):
        if not issues:
            raise ValueError("InputError needs at least one issue")
        self.issues = list(issues)
        super().__init__(self._message())

    def _message(self) -> str:
        first = str(self.issues[0])
        more = len(self.issues) - 1
        return first if more == 0 else f"{first} (and {more} more issue{'s' if more > 1 else ''})"

    def report(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)
