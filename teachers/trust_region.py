"""A natural-gradient ascent step under a KL trust region (TRPO's step), for a small parameter vector.

Self-Paced Deep RL moves its task distribution with it. The parameter vectors are tiny (a Gaussian's mean and
Cholesky factor), so the Fisher matrix is formed exactly (the Hessian of the KL at the current parameters) and the
damped system solved directly, instead of TRPO's conjugate-gradient iterations.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DAMPING = 1e-2  # added to the Fisher matrix's diagonal: keeps the solve well-posed when the KL is flat somewhere
BACKTRACKING_STEPS = 10  # halvings of the step tried before giving up
KL_TOLERANCE = 1.5  # a step may exceed max_kl by this factor: the quadratic model of the KL is only approximate
MIN_GRADIENT_NORM = 1e-10


@dataclass(frozen=True)
class StepResult:
    """The outcome of :func:`natural_gradient_step`: the new parameters (the old ones when no step was taken), whether
    a step was taken, its KL from the old parameters and the objective's gain."""

    parameters: Any
    accepted: bool
    kl: float
    gain: float


def natural_gradient_step(torch: Any, parameters: Any, objective: Callable[[Any], Any],
                          kl_from_old: Callable[[Any], Any], max_kl: float) -> StepResult:
    """Take one step that increases ``objective`` with ``KL(old || new) <= max_kl`` (up to :data:`KL_TOLERANCE`).

    The direction is the natural gradient ``(F + damping I)^-1 g``, ``F`` the Hessian of ``kl_from_old`` at
    ``parameters``; the step is scaled to the trust region's edge under the quadratic model, then halved until the
    KL is within bounds and the objective has not decreased (TRPO's backtracking line search).

    Args:
        torch: the torch module.
        parameters: a 1-D floating tensor, the current parameters (not modified).
        objective: parameters -> scalar tensor to increase (differentiable).
        kl_from_old: parameters -> scalar tensor ``KL(old || parameters)``, 0 at ``parameters``.
        max_kl: the trust region's radius.
    """
    old = parameters.detach()
    unchanged = StepResult(old.clone(), False, 0.0, 0.0)
    start = old.clone().requires_grad_(True)
    start_value = objective(start)
    (gradient,) = torch.autograd.grad(start_value, start)
    if not bool(torch.isfinite(gradient).all()) or float(torch.linalg.vector_norm(gradient)) < MIN_GRADIENT_NORM:
        return unchanged
    fisher = torch.autograd.functional.hessian(kl_from_old, old.clone(), vectorize=True)
    fisher = fisher + DAMPING * torch.eye(len(old), dtype=old.dtype, device=old.device)
    direction, info = torch.linalg.solve_ex(fisher, gradient)
    if int(info) != 0:  # a numerically singular Fisher matrix (a nearly degenerate distribution): no step
        return unchanged
    curvature = float(direction @ fisher @ direction)
    if not (math.isfinite(curvature) and curvature > 0):
        return unchanged
    full_step = direction * math.sqrt(2.0 * max_kl / curvature)
    with torch.no_grad():
        old_value = float(start_value)
        for halvings in range(BACKTRACKING_STEPS):
            candidate = old + full_step * 0.5**halvings
            kl, gain = float(kl_from_old(candidate)), float(objective(candidate)) - old_value
            if math.isfinite(kl) and math.isfinite(gain) and kl <= KL_TOLERANCE * max_kl and gain >= 0:
                return StepResult(candidate, True, kl, gain)
    return unchanged
