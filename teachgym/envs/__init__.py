"""teachgym environments: the parametric-env contract and the env families (one sub-package each)."""

from .parametric import ExpertKnowledge, ParametricEnv

__all__ = ["ExpertKnowledge", "ParametricEnv"]
