"""teachgym environments: the parametric-env contract and the env families (one sub-package each)."""

from .parametric import ParametricEnv

__all__ = ["ParametricEnv"]
