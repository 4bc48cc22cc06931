"""The optimisation behind a plan: a mixed-integer program with second-order-cone constraints,
solved by outer approximation on HiGHS (through :func:`scipy.optimize.milp`).

Variables are additions (whole units for people, rooms, books; continuous for m² and 元) and
binaries choosing which count-gate members are met in full. Rows are linear (a requirement:
``addition ≥ floor need + (full need − floor need) · met``). A 差异系数 limit is a cone
``‖diag(√w)(X − 1·X̄)‖ ≤ L·X̄`` with every X_i = α_i + β_i·a_i and X̄ = Σ w_i X_i linear in the
additions (w_i = P_i/P weighted, 1/n plain). Outer approximation: solve the MILP, and for every
cone the solution violates add the tangent cut vᵀ(u₀ + G a) ≤ L·wᵀX(a) with v = u*/‖u*‖ (valid
everywhere, since ‖u‖ ≥ vᵀu for a unit v); repeat until no cone is violated. The last MILP is a
relaxation of the conic program, so its dual bound is a proven lower bound on the optimum.

Floats live only here; the caller turns the solution into exact amounts and has the ordinary
engine verify them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

SOLVER_NAME = f"HiGHS (scipy {scipy.__version__} scipy.optimize.milp)"
MAX_ROUNDS = 200
CONE_TOLERANCE = 1e-9
"""Relative violation of a cone that counts as satisfied (the model's limit already carries a
safety margin, see :data:`CONE_MARGIN`)."""
CONE_MARGIN = 1e-7
"""The model asks for CV ≤ L·(1 − margin) so that rounding the additions to their units and the
exact re-evaluation keep the CV within L."""


@dataclass
class Row:
    coeffs: dict[int, float]
    lb: float
    ub: float = math.inf


@dataclass
class Cone:
    """√(Σ w_i (X_i − X̄)²) ≤ limit · X̄, X_i = alpha_i + beta_i · x[var_i] (var None: constant)."""

    weights: list[float]
    alpha: list[float]
    beta: list[float]
    var: list[int | None]
    limit: float
    key: object = None

    def values(self, x: np.ndarray) -> list[float]:
        return [a + (b * float(x[v]) if v is not None else 0.0)
                for a, b, v in zip(self.alpha, self.beta, self.var, strict=True)]

    def measure(self, x: np.ndarray) -> tuple[float, float, list[float]]:
        """(S, X̄, u) at x."""
        xs = self.values(x)
        mean = sum(w * v for w, v in zip(self.weights, xs, strict=True))
        u = [math.sqrt(w) * (v - mean) for w, v in zip(self.weights, xs, strict=True)]
        return math.sqrt(sum(t * t for t in u)), mean, u

    def violated(self, x: np.ndarray) -> bool:
        s, mean, _ = self.measure(x)
        return s > self.limit * mean + CONE_TOLERANCE * max(abs(mean), 1e-12)

    def cut(self, x: np.ndarray) -> Row | None:
        """The tangent cut at x: Σ_i (z_i − Z w_i) β_i a_i − L Σ w_i β_i a_i ≤ L Σ w_i α_i − vᵀu₀."""
        s, _, u = self.measure(x)
        if s == 0:
            return None
        v = [t / s for t in u]
        z = [vi * math.sqrt(w) for vi, w in zip(v, self.weights, strict=True)]
        total_z = sum(z)
        mean0 = sum(w * a for w, a in zip(self.weights, self.alpha, strict=True))
        u0 = [math.sqrt(w) * (a - mean0) for w, a in zip(self.weights, self.alpha, strict=True)]
        coeffs: dict[int, float] = {}
        for i, var in enumerate(self.var):
            if var is None or self.beta[i] == 0:
                continue
            c = (z[i] - total_z * self.weights[i]) * self.beta[i] - self.limit * self.weights[i] * self.beta[i]
            coeffs[var] = coeffs.get(var, 0.0) + c
        rhs = self.limit * mean0 - sum(vi * ui for vi, ui in zip(v, u0, strict=True))
        return Row(coeffs, -math.inf, rhs)


@dataclass
class Model:
    cost: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    cones: list[Cone] = field(default_factory=list)

    def var(self, cost: float, integer: bool, upper: float = math.inf) -> int:
        self.cost.append(cost)
        self.integer.append(integer)
        self.upper.append(upper)
        return len(self.cost) - 1


@dataclass
class Solution:
    status: str
    x: np.ndarray | None
    lower_bound: float | None
    rounds: int
    cuts: int
    seconds: float


def _constraint(rows: list[Row], n: int) -> LinearConstraint | None:
    if not rows:
        return None
    data: list[float] = []
    cols: list[int] = []
    ptr = [0]
    for r in rows:
        for j, c in r.coeffs.items():
            cols.append(j)
            data.append(c)
        ptr.append(len(cols))
    matrix = csr_array((np.array(data, dtype=float), np.array(cols, dtype=np.int64), np.array(ptr, dtype=np.int64)),
                       shape=(len(rows), n))
    return LinearConstraint(matrix, np.array([r.lb for r in rows]), np.array([r.ub for r in rows]))


def solve(model: Model, time_limit: float = 60.0, rel_gap: float = 1e-6) -> Solution:
    """Minimise cost subject to the rows and cones (outer approximation, see module docstring)."""
    start = time.perf_counter()
    n = len(model.cost)
    if n == 0:
        return Solution("optimal", np.zeros(0), 0.0, 0, 0, 0.0)
    c = np.array(model.cost)
    integrality = np.array([1 if i else 0 for i in model.integer])
    bounds = Bounds(np.zeros(n), np.array(model.upper))
    cuts: list[Row] = []
    # Start every violated cone with its cut at "add nothing", the point the county is at now.
    zero = np.zeros(n)
    for cone in model.cones:
        if cone.violated(zero):
            row = cone.cut(zero)
            if row is not None:
                cuts.append(row)
    lower: float | None = None
    for rounds in range(1, MAX_ROUNDS + 1):
        remaining = time_limit - (time.perf_counter() - start)
        if remaining <= 0:
            return Solution("time_limit", None, lower, rounds - 1, len(cuts), time.perf_counter() - start)
        constraint = _constraint(model.rows + cuts, n)
        res = milp(c, integrality=integrality, bounds=bounds,
                   constraints=[constraint] if constraint is not None else None,
                   options={"time_limit": remaining, "mip_rel_gap": rel_gap, "disp": False})
        if res.status == 2:  # infeasible
            return Solution("infeasible", None, None, rounds, len(cuts), time.perf_counter() - start)
        if res.x is None:
            return Solution("time_limit" if res.status == 1 else "error", None, lower, rounds, len(cuts),
                            time.perf_counter() - start)
        bound = getattr(res, "mip_dual_bound", None)
        lower = float(bound) if bound is not None and math.isfinite(bound) else float(res.fun)
        x = np.asarray(res.x)
        added = 0
        for cone in model.cones:
            if cone.violated(x):
                row = cone.cut(x)
                if row is not None:
                    cuts.append(row)
                    added += 1
        if added == 0:
            return Solution("optimal" if res.status == 0 else "time_limit", x, lower, rounds, len(cuts),
                            time.perf_counter() - start)
    return Solution("time_limit", None, lower, MAX_ROUNDS, len(cuts), time.perf_counter() - start)
