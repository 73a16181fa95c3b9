"""Process heating scheduler: one model, several engines, an independent verifier."""

from heatcraft.scheduling.diagnosis import JobDiagnosis
from heatcraft.scheduling.optimizer import optimize_plan
from heatcraft.scheduling.options import FrozenState, ScheduleOptions
from heatcraft.scheduling.plan_choice import PlanResult
from heatcraft.scheduling.verifier import Verification, Violation, verify_plan

__all__ = ["FrozenState", "JobDiagnosis", "PlanResult", "ScheduleOptions", "Verification",
           "Violation", "optimize_plan", "verify_plan"]
