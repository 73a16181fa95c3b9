"""Instants: aware datetimes kept with the UTC offset in force (timegrid.fixed_offset).

A datetime with a zone (ZoneInfo) adds and subtracts on the wall clock, an hour off across a DST
change; one with its offset does so in real time. Every plan, job and window time is kept so.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

from heatcraft.timegrid import fixed_offset

Instant = Annotated[AwareDatetime, AfterValidator(fixed_offset)]
