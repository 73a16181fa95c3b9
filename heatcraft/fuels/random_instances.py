"""Seeded random fuel-mix instances for the greedy-versus-exact benchmark and property tests."""

from __future__ import annotations

import random

from heatcraft.fuels.mix_problem import FuelMixProblem, FuelOption


def random_problem(
    rng: random.Random, fuels: int | None = None, periods: int = 1
) -> FuelMixProblem:
    """A plausible industrial mix: gases, oils, coal-like and biomass-like fuels, with a random
    subset of limits (shares, SOx blend average, CO2e cap, stock, moisture, one incompatible
    pair) switched on."""
    count = fuels or rng.randint(3, 6)
    options = []
    for index in range(count):
        kind = rng.choice(["gas", "oil", "coal", "biomass"])
        lhv = {"gas": (45, 50), "oil": (40, 44), "coal": (20, 29), "biomass": (9, 18)}[kind]
        co2e = {"gas": (50, 60), "oil": (70, 80), "coal": (90, 100), "biomass": (0, 5)}[kind]
        sox = {"gas": (0, 2), "oil": (20, 300), "coal": (300, 1200), "biomass": (5, 40)}[kind]
        moisture = {"gas": (0, 0), "oil": (0, 1), "coal": (4, 15), "biomass": (10, 45)}[kind]
        options.append(
            FuelOption(
                fuel_id=f"f{index}_{kind}",
                price_per_gj=round(rng.uniform(2.0, 20.0), 2),
                efficiency=round(rng.uniform(0.75, 0.95), 3),
                lhv_mj_kg=round(rng.uniform(*lhv), 2),
                co2e_kg_per_gj=round(rng.uniform(*co2e), 2),
                co2_fossil_kg_per_gj=0.0,
                sox_g_per_gj=round(rng.uniform(*sox), 1),
                moisture_pct=round(rng.uniform(*moisture), 1),
                renewable=kind == "biomass",
                supply_security=round(rng.uniform(0.5, 1.0), 2),
                on_hand_kg=round(rng.uniform(2_000, 60_000), 0) if rng.random() < 0.4 else None,
            )
        )
    demand = [round(rng.uniform(200, 1200), 1) for _ in range(periods)]
    limits: dict = {}
    if rng.random() < 0.6:
        limits["share_limits"] = {
            o.fuel_id: {"max_share": round(rng.uniform(0.3, 0.9), 2)}
            for o in rng.sample(options, k=rng.randint(1, count - 1))
        }
        if rng.random() < 0.4:
            chosen = rng.choice(options).fuel_id
            limits["share_limits"].setdefault(chosen, {})["min_share"] = round(
                rng.uniform(0.05, 0.25), 2
            )
            limits["share_limits"][chosen]["max_share"] = max(
                limits["share_limits"][chosen].get("max_share", 1.0), 0.3
            )
    if rng.random() < 0.5:
        limits["blend_average_limits"] = {"sox_g_per_gj": round(rng.uniform(50, 500), 0)}
    if rng.random() < 0.5:
        heat = sum(demand)
        low = min(o.co2e_kg_per_gj / o.efficiency for o in options) * heat / 1000.0
        high = max(o.co2e_kg_per_gj / o.efficiency for o in options) * heat / 1000.0
        limits["emission_caps"] = {"co2e_t": round(low + rng.uniform(0.2, 0.8) * (high - low), 3)}
    if rng.random() < 0.3:
        limits["quality_limits"] = {"max_moisture_pct": round(rng.uniform(10, 30), 1)}
    if rng.random() < 0.3:
        a, b = rng.sample(options, k=2)
        limits["incompatible_pairs"] = [(a.fuel_id, b.fuel_id)]
    return FuelMixProblem(
        options=options,
        demand_gj=demand,
        carbon_price_per_t=round(rng.choice([0.0, rng.uniform(10, 150)]), 2),
        inventory_mode="on_hand",
        **limits,
    )
