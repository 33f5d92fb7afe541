"""The bipedal walkers: the classic body (gymnasium-like BipedalWalker), its short-legged variant, the amphibious
bipedal, as dense as water, that walks on the ground and swims, and TeachMyAgent's old classic bipedal, the body its
benchmark ran."""

from __future__ import annotations

from ..physics import BASE_TORQUE_PENALTY, PIXEL, WATER_DENSITY
from .kind import BodyKind
from .spec import (
    HULL_COLOURS,
    LEG_PAIR_COLOURS,
    OLD_HIP_DOWN,
    BodySpec,
    Colour,
    Contact,
    LegColours,
    LegShape,
    assemble_body,
    hull_part,
    leg_pair,
    pixels,
    positive,
)

HULL_VERTICES = pixels((-30, 9), (6, 9), (34, 1), (34, -8), (-30, -8))
LEG_WIDTH = 8 * PIXEL
LEG_DOWN = 3 * PIXEL
OLD_CLEARANCE = 0.5  # the old classic bipedal's centre height has this margin (Parkour spawns it there)


AMPHIBIAN_GREEN = ((0.44, 0.81, 0.14), (0.36, 0.66, 0.11))
AMPHIBIAN_ORANGE = ((1.0, 0.25, 0.04), (0.86, 0.29, 0.12))


def _bipedal(
    name: str,
    leg_length: float,
    width: float,
    motors_torque: float,
    *,
    kind: BodyKind = BodyKind.WALKER,
    hull_density: float = 5.0,
    leg_density: float = 1.0,
    hull_contact: Contact = Contact.CRITICAL,
    leg_colours: tuple[LegColours, LegColours] = LEG_PAIR_COLOURS,
    hull_colours: tuple[Colour, Colour] = HULL_COLOURS,
    old: bool = False,
) -> BodySpec:
    """A hull on two legs; ``old`` builds them as TeachMyAgent's old bodies do (see ``leg_pair``)."""
    legs = leg_pair(
        "", 0.0, LEG_DOWN, LegShape(LEG_WIDTH, leg_length), old=old, colours=leg_colours, density=leg_density
    )
    hull = hull_part(HULL_VERTICES, density=hull_density, colours=hull_colours, contact=hull_contact)
    return assemble_body(
        name, kind, [hull], legs, head="hull", motors_torque=motors_torque, torque_penalty=BASE_TORQUE_PENALTY,
        width=width, center_height=2 * leg_length - OLD_HIP_DOWN + OLD_CLEARANCE if old else 2 * leg_length + LEG_DOWN,
        spawn_height=2 * leg_length if old else None,
    )


def classic_bipedal(motors_torque: float = 80.0) -> BodySpec:
    """The benchmark body: a hull on two two-segment legs (4 motors, 24 observations)."""
    motors_torque = positive("motors_torque", motors_torque)
    return _bipedal("classic_bipedal", 34 * PIXEL, 64 * PIXEL, motors_torque)


def old_classic_bipedal(motors_torque: float = 80.0) -> BodySpec:
    """TeachMyAgent's benchmark body (teachDeepRL's bipedal walker): the classic hull and legs, with the hips 8 px
    below the hull centre and the legs tilted by -+0.05 rad, placed off their hips and pulled onto them by Box2D in
    the first steps; spawned two leg lengths above the tracks' ground. With zero actions it stays standing."""
    motors_torque = positive("motors_torque", motors_torque)
    return _bipedal("old_classic_bipedal", 34 * PIXEL, 64 * PIXEL, motors_torque, old=True)


def small_bipedal(motors_torque: float = 80.0) -> BodySpec:
    """The classic hull on legs half as long; its narrow width value keeps the reference's start pad."""
    motors_torque = positive("motors_torque", motors_torque)
    return _bipedal("small_bipedal", 17 * PIXEL, 20 * PIXEL, motors_torque)


def amphibious_bipedal(motors_torque: float = 80.0) -> BodySpec:
    """The classic bipedal's shape, as dense as water overall (a heavy hull on light legs), so that it can both walk
    and swim; its hull may touch the ground (4 motors)."""
    motors_torque = positive("motors_torque", motors_torque)
    return _bipedal(
        "amphibious_bipedal", 34 * PIXEL, 64 * PIXEL, motors_torque, kind=BodyKind.AMPHIBIAN,
        hull_density=1.25 * WATER_DENSITY, leg_density=0.25 * WATER_DENSITY, hull_contact=Contact.IGNORED,
        leg_colours=((AMPHIBIAN_GREEN, AMPHIBIAN_ORANGE),) * 2, hull_colours=AMPHIBIAN_GREEN,
    )
