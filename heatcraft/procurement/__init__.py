"""Procurement: EOQ, safety stock, reorder point, days of supply, priority, and a multi-period
purchase plan over a price forecast with storage capacity, lead time, order and holding costs."""

from heatcraft.procurement.inventory_policy import (
    InventoryPolicy,
    days_of_supply,
    economic_order_quantity,
    inventory_policy,
    reorder_point,
    safety_stock,
)
from heatcraft.procurement.purchase_plan import PurchasePlan, PurchasePlanInput, plan_purchases
from heatcraft.procurement.request import (
    ProcurementResult,
    procure_request,
    site_procurement_plan,
)

__all__ = [
    "InventoryPolicy",
    "ProcurementResult",
    "PurchasePlan",
    "PurchasePlanInput",
    "days_of_supply",
    "economic_order_quantity",
    "inventory_policy",
    "plan_purchases",
    "procure_request",
    "reorder_point",
    "safety_stock",
    "site_procurement_plan",
]
