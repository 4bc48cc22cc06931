"""Costed remediation plans (达标方案, issue 13): the cheapest additions that make every section pass
and every 差异系数 fall within its limit. Typed records only; the words are the CLI's."""

from junheng.engine.plan.planner import MissingCostError, PlanError, make_plan
from junheng.engine.plan.records import PlanRun, Scope, Target

__all__ = ["MissingCostError", "PlanError", "PlanRun", "Scope", "Target", "make_plan"]
