"""The optimisation behind a plan: a mixed-integer program with second-order-cone constraints,
solved by outer approximation on HiGHS (through its own Python binding, highspy).

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

import importlib
import importlib.metadata
import math
import os
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any


class _OnFirstUse:
    """A module imported when first used: HiGHS and numpy load only when a plan is solved, not at
    every start of the command line (numpy also starts an OpenBLAS thread at import, which makes the
    process multi-threaded before ``--jobs`` forks its workers)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: Any = None

    def __getattr__(self, attr: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)


if TYPE_CHECKING:
    import highspy
    import numpy as np
else:
    highspy = _OnFirstUse("highspy")
    np = _OnFirstUse("numpy")

SOLVER_NAME = f"HiGHS {importlib.metadata.version('highspy')} (highspy)"
MAX_ROUNDS = 200
CONE_TOLERANCE = 2e-7
"""Relative violation of a cone that counts as satisfied: about HiGHS's primal feasibility
tolerance (1e-7), below which new cuts no longer move the solution. The model's limit carries a
larger safety margin (:data:`CONE_MARGIN`), so a solution within the tolerance is within the limit."""
CONE_MARGIN = 1e-6
"""The model asks for CV ≤ L·(1 − margin) so that the tolerance, rounding the additions to their
units and the exact re-evaluation keep the CV within L."""


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
    bound: int | None = None
    """An excess variable τ ≥ 0: ‖u‖ ≤ limit · X̄ + τ (budget mode minimises Σ τ / X̄₀, how far the
    CVs stay over their limits)."""

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
        return s > self.radius(x, mean) + CONE_TOLERANCE * max(abs(mean), 1e-12)

    def radius(self, x: np.ndarray, mean: float) -> float:
        """The right-hand side at x: limit · X̄ (+ τ)."""
        return self.limit * mean + (float(x[self.bound]) if self.bound is not None else 0.0)


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


@dataclass
class _Lifted:
    """A cone in its extended (disaggregated) form: m = X̄ as a variable, one s_i per term with
    Σ s_i ≤ L·m and s_i ≥ u_i² / (L·m), each a 3-dimensional rotated cone approximated by its
    tangent planes s_i ≥ 2k·u_i − k²·L·m (k = u_i/(L·m) at the point of tangency). Low-dimensional
    cuts approximate the curvature term by term, so far fewer rounds are needed than with cuts of
    the whole cone (Vielma, Dunning, Huchette & Lubin, "Extended formulations in mixed integer
    conic quadratic programming", Math. Prog. Comp. 2017)."""

    cone: Cone
    mean: int
    s: list[int]

    def cuts(self, x: np.ndarray) -> list[Row]:
        cone = self.cone
        xs = cone.values(x)
        m = sum(w * v for w, v in zip(cone.weights, xs, strict=True))
        us = [math.sqrt(w) * (v - m) for w, v in zip(cone.weights, xs, strict=True)]
        r = cone.radius(x, m)
        if cone.bound is not None:
            # tangents where the radius would reach ‖u‖ (near a zero radius they would be near-vertical)
            r = max(r, math.sqrt(sum(u * u for u in us)))
        if r <= 0:
            return []
        out = []
        for i, u in enumerate(us):
            if u * u / r <= float(x[self.s[i]]) + 1e-12 * max(1.0, r):
                continue
            out.append(self.tangent(i, u / r))
        return out

    def tangent(self, i: int, k: float) -> Row:
        """s_i − 2k√w_i(β_i a_i − m) + k²·r ≥ 2k√w_i α_i, with r = L·m (+ τ)."""
        cone = self.cone
        root = math.sqrt(cone.weights[i])
        coeffs: dict[int, float] = {self.s[i]: 1.0, self.mean: 2 * k * root + k * k * cone.limit}
        if cone.bound is not None:
            coeffs[cone.bound] = k * k
        var = cone.var[i]
        if var is not None and cone.beta[i] != 0:
            coeffs[var] = coeffs.get(var, 0.0) - 2 * k * root * cone.beta[i]
        return Row(coeffs, 2 * k * root * cone.alpha[i])


def _lift(model: Model, cone: Cone, x: np.ndarray) -> tuple[_Lifted, list[Row]]:
    """Add the cone's extended form to the model; return it and its first rows (mean definition,
    Σ s ≤ L·m, and the tangents at x)."""
    mean = model.var(0.0, False)
    s = [model.var(0.0, False) for _ in cone.weights]
    lifted = _Lifted(cone, mean, s)
    define: dict[int, float] = {mean: 1.0}
    for w, b, v in zip(cone.weights, cone.beta, cone.var, strict=True):
        if v is not None and b != 0:
            define[v] = define.get(v, 0.0) - w * b
    constant = sum(w * a for w, a in zip(cone.weights, cone.alpha, strict=True))
    radius = {mean: -cone.limit, **({cone.bound: -1.0} if cone.bound is not None else {})}
    rows = [Row(define, constant, constant), Row({**{j: 1.0 for j in s}, **radius}, -math.inf, 0.0)]
    padded = np.concatenate([x, np.zeros(len(model.cost) - len(x))])
    rows += lifted.cuts(padded)
    return lifted, rows


def _lift_into(lifted: dict[int, _Lifted], j: int, model: Model, cone: Cone, x: np.ndarray) -> list[Row]:
    lifted[j], rows = _lift(model, cone, x)
    return rows


class _Highs:
    """One HiGHS instance grown in place: new columns and rows are added to the solved model, so
    each LP round warm-starts from the last basis (dual simplex) instead of starting over."""

    def __init__(self, model: Model) -> None:
        self.h = _new_highs()
        self.model = model
        self.cols = 0
        self.rows = 0

    def sync(self, rows: list[Row]) -> None:
        """Add the model's new columns and the given new rows."""
        model, h = self.model, self.h
        n = len(model.cost)
        if n > self.cols:
            new = np.arange(self.cols, n, dtype=np.int32)
            if h.addVars(len(new), np.zeros(len(new)),
                         np.array([_inf(u) for u in model.upper[self.cols:]])) == highspy.HighsStatus.kError:
                raise RuntimeError("HiGHS refused columns of the plan model")
            h.changeColsCost(len(new), new, np.array(model.cost[self.cols:], dtype=float))
            self.cols = n
        if rows:
            starts: list[int] = []
            index: list[int] = []
            value: list[float] = []
            for r in rows:
                starts.append(len(index))
                for j, c in r.coeffs.items():
                    index.append(j)
                    value.append(c)
            status = h.addRows(len(rows), np.array([_inf(r.lb) for r in rows]),
                               np.array([_inf(r.ub) for r in rows]), len(index), np.array(starts, dtype=np.int32),
                               np.array(index, dtype=np.int32), np.array(value, dtype=float))
            if status == highspy.HighsStatus.kError:  # never solve without the rows asked for
                raise RuntimeError("HiGHS refused rows of the plan model (a coefficient out of range)")
            self.rows += len(rows)

    def integral(self) -> None:
        self.sync([])
        idx = [j for j, i in enumerate(self.model.integer) if i]
        if idx:
            self.h.changeColsIntegrality(len(idx), np.array(idx, dtype=np.int32),
                                         np.array([highspy.HighsVarType.kInteger] * len(idx)))

    def run(self, time_limit: float, rel_gap: float) -> tuple[str, np.ndarray | None, float | None]:
        h = self.h
        h.setOptionValue("time_limit", max(time_limit, 0.01))
        h.setOptionValue("mip_rel_gap", rel_gap)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return "infeasible", None, None
        info = h.getInfo()
        has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
        x = np.array(h.getSolution().col_value) if has_solution else None
        bound = info.mip_dual_bound if any(self.model.integer) else info.objective_function_value
        lower = float(bound) if bound is not None and math.isfinite(bound) else None
        if status == highspy.HighsModelStatus.kOptimal:
            return "optimal", x, lower
        return ("time_limit" if status == highspy.HighsModelStatus.kTimeLimit else "error"), x, lower


def _inf(v: float) -> float:
    return highspy.kHighsInf if v == math.inf else -highspy.kHighsInf if v == -math.inf else v


def _new_highs() -> Any:
    """A silent HiGHS instance. HiGHS prints its banner on standard output when the first instance
    is created (before any option can be set); it would corrupt `--format json` on stdout, so
    file descriptor 1 points at /dev/null for that moment."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    return h


def solve(model: Model, time_limit: float = 60.0, rel_gap: float = 1e-6) -> Solution:
    """Minimise cost subject to the rows and cones: outer approximation on the extended form of
    every cone that is ever violated (:class:`_Lifted`) — first on the LP relaxation, warm-started
    round after round, then on the MILP until no cone is violated."""
    start = time.perf_counter()
    if not model.cost:
        return Solution("optimal", np.zeros(0), 0.0, 0, 0, 0.0)
    lifted: dict[int, _Lifted] = {}
    x = np.zeros(len(model.cost))
    pending = list(model.rows)
    for j, cone in enumerate(model.cones):  # the cones violated where the county is now
        if cone.violated(x):
            pending += _lift_into(lifted, j, model, cone, x)
    highs = _Highs(model)
    cuts = 0
    relaxed = bool(lifted) and any(model.integer)
    if not relaxed:
        highs.integral()
    lower: float | None = None
    for rounds in range(1, MAX_ROUNDS + 1):
        remaining = time_limit - (time.perf_counter() - start)
        if remaining <= 0:
            return Solution("time_limit", None, lower, rounds - 1, cuts, time.perf_counter() - start)
        highs.sync(pending)
        pending = []
        status, sol, bound = highs.run(remaining, rel_gap)
        if status == "infeasible":  # the relaxation too, so the MILP is
            return Solution("infeasible", None, None, rounds, cuts, time.perf_counter() - start)
        if sol is None:
            return Solution(status, None, lower, rounds, cuts, time.perf_counter() - start)
        stalled = len(x) == len(sol) and bool(np.allclose(x, sol, rtol=1e-12, atol=1e-9)) and rounds > 1
        x = sol
        if not relaxed:
            lower = bound
        if stalled and not relaxed:  # cuts no longer move the solution: numerically converged
            return Solution(status, x[: len(model.cost)], lower, rounds, cuts, time.perf_counter() - start)
        for j, cone in enumerate(model.cones):
            if cone.violated(x):
                pending += lifted[j].cuts(x) if j in lifted else _lift_into(lifted, j, model, cone, x)
        cuts += len(pending)
        if relaxed and (not pending or stalled or rounds >= MAX_ROUNDS // 2):
            relaxed = False
            highs.integral()
            continue
        if not pending and not relaxed:
            return Solution(status, x[: len(model.cost)], lower, rounds, cuts, time.perf_counter() - start)
    return Solution("time_limit", None, lower, MAX_ROUNDS, cuts, time.perf_counter() - start)
