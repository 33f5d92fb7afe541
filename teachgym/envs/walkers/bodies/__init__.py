"""Walker embodiments, by name: each builder returns a :class:`BodySpec` that the tracks compose with."""

from __future__ import annotations

from collections.abc import Callable

from ....errors import UnknownNameError, check_options, keyword_parameters
from .bipedal import amphibious_bipedal, classic_bipedal, old_classic_bipedal, small_bipedal
from .chimpanzee import profile_chimpanzee
from .climbers import climbing_chest_profile_chimpanzee, climbing_profile_chimpanzee
from .kind import BodyKind
from .millipede import millipede
from .quadruped import big_quadru, old_big_quadru
from .spec import BodySpec
from .spider import spider
from .swimmers import fish
from .wheel import wheel

__all__ = ["BODIES", "BodyKind", "BodySpec", "make_body_spec"]

BODIES: dict[str, Callable[..., BodySpec]] = {
    "classic_bipedal": classic_bipedal,
    "small_bipedal": small_bipedal,
    "big_quadru": big_quadru,
    "spider": spider,
    "millipede": millipede,
    "wheel": wheel,
    "profile_chimpanzee": profile_chimpanzee,
    "climbing_profile_chimpanzee": climbing_profile_chimpanzee,
    "climbing_chest_profile_chimpanzee": climbing_chest_profile_chimpanzee,
    "fish": fish,
    "amphibious_bipedal": amphibious_bipedal,
    "old_classic_bipedal": old_classic_bipedal,
    "old_big_quadru": old_big_quadru,
}


def make_body_spec(name: str, **options: object) -> BodySpec:
    """Build the named body with its options (e.g. ``motors_torque``).

    Raises:
        UnknownNameError: for an unknown body name, with the closest name.
        UnknownOptionError: for an option the body does not take, with the closest option.
        EnvOptionError: (a ``ValueError``) for a bad option value, naming the option, the value and what it must be.
    """
    if name not in BODIES:
        raise UnknownNameError("body", name, BODIES)
    check_options("body", name, keyword_parameters(BODIES[name]), options)
    return BODIES[name](**options)
