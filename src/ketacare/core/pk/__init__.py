"""Pharmacokinetics of ketamine and esketamine.

Parameter sets as data, an exact linear solver, route handling, the Bowdle 1998 effect band,
target-concentration planning and ``curve`` for the web.
"""

from ketacare.core.pk.models import PKModel, RouteInfo, get_model, list_models, route_info
from ketacare.core.pk.simulate import Dose, SimulationResult, curve, simulate
from ketacare.core.pk.solver import Input, solve
from ketacare.core.pk.target import TargetPlan, TargetStep, plan_target

__all__ = [
    "Dose",
    "Input",
    "PKModel",
    "RouteInfo",
    "SimulationResult",
    "TargetPlan",
    "TargetStep",
    "curve",
    "get_model",
    "list_models",
    "plan_target",
    "route_info",
    "simulate",
    "solve",
]
