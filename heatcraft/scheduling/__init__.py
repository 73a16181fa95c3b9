"""Process heating scheduler: one model, several engines, an independent verifier."""

from heatcraft.scheduling.verifier import Verification, Violation, verify_plan

__all__ = ["Verification", "Violation", "verify_plan"]
