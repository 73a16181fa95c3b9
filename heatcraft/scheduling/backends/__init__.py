"""Engines for the one linear model: CP-SAT, HiGHS and SCIP (MathOpt), CBC (PuLP)."""

from heatcraft.scheduling.backends.outcome import SolveOutcome, solve_with

__all__ = ["SolveOutcome", "solve_with"]
