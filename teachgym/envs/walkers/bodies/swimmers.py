"""The fish: a swimmer whose hull, three-segment tail and fin are all motors' work; it dies out of water.

Its density is slightly below the water's, so a fish that does nothing rises slowly instead of floating level.
"""

from __future__ import annotations

import math

from ..physics import BASE_TORQUE_PENALTY, PIXEL, WATER_DENSITY
from .kind import BodyKind
from .spec import HULL_COLOURS, SPEED_KNEE, BodySpec, Contact, JointSpec, PartSpec, assemble_body, pixels, positive

FISH_DENSITY = WATER_DENSITY - 0.01
HULL_VERTICES = pixels((-20, 12), (6, 12), (15, 4), (15, -4), (6, -12), (-20, -12))
HULL_HALF_LENGTH = 35 / 2 * PIXEL
FIN_LENGTH = 20 * PIXEL
FIN_ANGLE = -0.2 * math.pi  # the fin hangs below the hull, swept backwards
FIN_ROOT = (0.0, -11 * PIXEL + 0.2)
SPAWN_LIFT = 1.0  # TeachMyAgent draws its fish this far above its centre height: it starts 1 m above the pad
# Tail segments from the hull backwards: name, polygon (pixels), length along the fish, joint limits (radians).
TAIL = (
    ("front", ((-8, 9), (8, 12), (8, -12), (-8, -9)), 16 * PIXEL, (-0.1 * math.pi, 0.2 * math.pi)),
    ("middle", ((-8, 4), (8, 9), (8, -9), (-8, -4)), 16 * PIXEL, (-0.15 * math.pi, 0.15 * math.pi)),
    ("back", ((-4, 2), (4, 4), (4, -4), (-4, -2)), 8 * PIXEL, (-0.3 * math.pi, 0.3 * math.pi)),
)


def fish(motors_torque: float = 80.0) -> BodySpec:
    """A fish swimming in profile: 4 motors (three tail joints and the fin), each tail part and the fin observed
    for contact."""
    motors_torque = positive("motors_torque", motors_torque)

    def part(name: str, vertices, position, angle: float = 0.0) -> PartSpec:
        # the hull slides (friction 0.1); the tail and fin keep Box2D's default friction, as TeachMyAgent's
        friction = 0.1 if name == "hull" else PartSpec.friction
        return PartSpec(name, vertices, position, angle=angle, density=FISH_DENSITY, friction=friction,
                        colours=HULL_COLOURS, contact=Contact.IGNORED if name == "hull" else Contact.SENSOR)

    tail_parts, tail_joints = [], []
    parent, joint_x = "hull", -HULL_HALF_LENGTH
    for name, polygon, length, limits in TAIL:
        name = f"tail_{name}"
        tail_parts.append(part(name, pixels(*polygon), (joint_x - length / 2, 0.0)))
        tail_joints.append(JointSpec(parent, name, (joint_x, 0.0), limits, speed=SPEED_KNEE, contact_part=name))
        parent, joint_x = name, joint_x - length
    half_fin = FIN_LENGTH / 2
    fin_centre = (FIN_ROOT[0] + math.sin(FIN_ANGLE) * half_fin, FIN_ROOT[1] - math.cos(FIN_ANGLE) * half_fin)
    fin = part("fin", pixels((-1, -10), (-1, 10), (1, 10), (1, -10)), fin_centre, FIN_ANGLE)
    fin_joint = JointSpec("hull", "fin", FIN_ROOT, (-0.3 * math.pi, 0.2 * math.pi), speed=SPEED_KNEE,
                          contact_part="fin")
    hull = part("hull", HULL_VERTICES, (0.0, 0.0))
    return assemble_body(
        "fish", BodyKind.SWIMMER, [hull], [(tail_parts, tail_joints), ([fin], [fin_joint])],
        head="hull", motors_torque=motors_torque, torque_penalty=BASE_TORQUE_PENALTY, width=35 * PIXEL,
        center_height=9 * PIXEL + SPAWN_LIFT, head_angle_penalty=False,
    )
