"""Body kinds: what an embodiment is for, and every rule of the walker envs that follows from it.

A kind is a :class:`BodyKind` member carrying its rules (lidar fan, survival, easy task, test set), so the envs read
``kind.dies_under_water`` instead of comparing names. It is a ``str`` enum: a member equals, hashes and prints as its
name (``BodyKind.WALKER == "walker"``), so body specs and user code may keep writing plain strings, converted once by
:meth:`BodyKind.of`.
"""

from __future__ import annotations

import enum
import math
from typing import Any

from ....errors import UnknownNameError
from ..physics import LIDAR_FAN


class BodyKind(str, enum.Enum):
    """What an embodiment is for: walkers walk the ground, climbers hang from the ceiling and creepers, swimmers live
    in water, amphibians both walk and swim.

    Each member carries the rules that vary with the kind, as attributes:

    - ``lidar_fan``: Parkour's lidar fan, the first ray's angle from straight down and the fan's width, in radians
      (reference.md 1.3);
    - ``dies_under_water`` / ``dies_out_of_water``: the body dies after Parkour's survival steps in a row with its
      head under / out of water;
    - ``falls``: a critical part touching the ground ends a Parkour episode;
    - ``easy_water_level``: the share of the ``water_level`` range in the easy (default) task: 0 no water, 1 full;
    - ``climbs``: the easy task has tall, dense creepers instead of short, sparse ones;
    - ``test_set``: the Parkour test set that evaluates the kind by default.
    """

    lidar_fan: tuple[float, float]
    dies_under_water: bool
    dies_out_of_water: bool
    falls: bool
    easy_water_level: float
    climbs: bool
    test_set: str

    def __new__(cls, name: str, rules: dict[str, Any]) -> BodyKind:
        if set(rules) != set(cls.__annotations__):
            raise TypeError(f"body kind {name!r} must give exactly the rules {sorted(cls.__annotations__)}")
        member = str.__new__(cls, name)
        member._value_ = name
        member.__dict__.update(rules)
        return member

    WALKER = "walker", dict(lidar_fan=(0.0, LIDAR_FAN), dies_under_water=True, dies_out_of_water=False, falls=False,
                            easy_water_level=0.0, climbs=False, test_set="parkour-walkers")
    CLIMBER = "climber", dict(lidar_fan=(1.5, 2.3), dies_under_water=True, dies_out_of_water=False, falls=True,
                              easy_water_level=0.0, climbs=True, test_set="parkour-climbers")
    SWIMMER = "swimmer", dict(lidar_fan=(0.0, math.pi), dies_under_water=False, dies_out_of_water=True, falls=False,
                              easy_water_level=1.0, climbs=False, test_set="parkour-swimmers")
    AMPHIBIAN = "amphibian", dict(lidar_fan=(0.0, math.pi), dies_under_water=False, dies_out_of_water=False,
                                  falls=False, easy_water_level=0.0, climbs=False, test_set="parkour-walkers")

    def __str__(self) -> str:
        return self.value

    def __format__(self, format_spec: str) -> str:
        return format(self.value, format_spec)

    @classmethod
    def of(cls, kind: BodyKind | str, *, owner: str = "") -> BodyKind:
        """The member for ``kind`` (a member or its name).

        Raises:
            UnknownNameError: (a ``ValueError``) for any other value, naming it and the kinds, with the closest one;
                ``owner`` (e.g. ``"body 'fish'"``) says whose kind it is.
        """
        if isinstance(kind, cls):
            return kind
        if isinstance(kind, str) and kind in cls._value2member_map_:
            return cls._value2member_map_[kind]
        raise UnknownNameError("body kind", kind, [member.value for member in cls], owner=owner)
