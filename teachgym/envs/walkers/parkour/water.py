"""Water physics for the parts of a body that are in the water: buoyancy, drag, lift and a push from moving limbs.

The water is a body of still fluid below a horizontal surface spanning the whole track, so the submerged part of a
polygon is the polygon clipped by one horizontal line. The forces follow TeachMyAgent's simplified model (itself
after iforce2d's buoyancy tutorial): buoyancy at the submerged centroid; per leading edge of the submerged polygon a
drag against and a lift across the edge's motion; and per motor moving the part, a push opposing the limb's stroke.
Only parts reported wet by the contact listener are visited, with plain floats (no numpy on this path).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..bodies.body import PartContact
from ..physics import GRAVITY, WATER_DENSITY

DRAG = 0.25
LIFT = 0.25
PUSH = 0.05
MAX_DRAG = 2000.0
MAX_LIFT = 500.0
MAX_PUSH = 20.0  # TeachMyAgent's water clip: each component of a push force is clipped to [-20, 20]
# TeachMyAgent reads a motor's torque from its last impulse at 60 steps per second although the world steps at
# FPS (50): its push is 1.2 times the motor's true torque. Kept, as the push model is its own approximation anyway.
PUSH_TORQUE_RATE = 60.0

Point = tuple[float, float]


def submerged_polygon(vertices: list[Point], surface: float) -> list[Point]:
    """The part of a convex polygon below the horizontal line ``y = surface`` (in the same vertex order)."""
    clipped: list[Point] = []
    previous = vertices[-1]
    previous_in = previous[1] <= surface
    for point in vertices:
        point_in = point[1] <= surface
        if point_in != previous_in:
            t = (surface - previous[1]) / (point[1] - previous[1])
            clipped.append((previous[0] + t * (point[0] - previous[0]), surface))
        if point_in:
            clipped.append(point)
        previous, previous_in = point, point_in
    return clipped


def area_and_centroid(polygon: list[Point]) -> tuple[float, float, float]:
    """Signed area (positive counter-clockwise) and centroid of a polygon."""
    area = cx = cy = 0.0
    x0, y0 = polygon[-1]
    for x1, y1 in polygon:
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
        x0, y0 = x1, y1
    area *= 0.5
    if abs(area) < 1e-12:
        return 0.0, 0.0, 0.0
    return area, cx / (6.0 * area), cy / (6.0 * area)


class Water:
    """The water of one track: its surface height and the forces it applies.

    Args:
        surface: height of the water surface (``-inf``: no water).
        max_push: clip of each component of the push force.
    """

    def __init__(self, surface: float, max_push: float = MAX_PUSH):
        self.surface = surface
        self.max_push = max_push
        self._lift_per_area = -GRAVITY[1] * WATER_DENSITY

    def apply_forces(self, wet_parts: Iterable[PartContact]) -> None:
        """Apply buoyancy, drag, lift and push to every part overlapping the water."""
        for part in wet_parts:
            self._apply(part)

    def _apply(self, part: PartContact) -> None:
        body = part.body
        position, angle = body.position, body.angle
        px, py = position.x, position.y
        c, s = math.cos(angle), math.sin(angle)
        world = [(px + c * x - s * y, py + s * x + c * y) for x, y in part.vertices]
        polygon = submerged_polygon(world, self.surface)
        if len(polygon) < 3:
            return
        area, cx, cy = area_and_centroid(polygon)
        if area <= 0.0:
            return
        body.ApplyForce((0.0, self._lift_per_area * area), (cx, cy), True)

        velocity = body.linearVelocity
        vx, vy = velocity.x, velocity.y
        omega = body.angularVelocity
        center = body.worldCenter
        wx, wy = center.x, center.y
        pushes = self._push_sources(part, wx, wy)
        x0, y0 = polygon[-1]
        for x1, y1 in polygon:
            ex, ey = x1 - x0, y1 - y0
            length = math.hypot(ex, ey)
            if length < 1e-9:
                x0, y0 = x1, y1
                continue
            ex, ey = ex / length, ey / length
            nx, ny = ey, -ex  # outward normal of a counter-clockwise polygon
            mx, my = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
            # velocity of the part at the edge's midpoint, relative to the still water
            ux, uy = vx - omega * (my - wy), vy + omega * (mx - wx)
            speed = math.hypot(ux, uy)
            if speed > 1e-9:
                ux, uy = ux / speed, uy / speed
                drag_dot = nx * ux + ny * uy
                if drag_dot >= 0.0:  # a leading edge
                    pressure = length * WATER_DENSITY * speed * speed
                    drag = min(drag_dot * DRAG * pressure, MAX_DRAG)
                    lift = min(drag_dot * (ex * ux + ey * uy) * LIFT * pressure, MAX_LIFT)
                    body.ApplyForce((-drag * ux - lift * uy, -drag * uy + lift * ux), (mx, my), True)
            for fx, fy, stroke, anchor in pushes:
                push_dot = nx * fx + ny * fy
                if push_dot > 0.0:
                    magnitude = push_dot * PUSH * length * WATER_DENSITY * stroke * stroke
                    limit = self.max_push
                    push_x = min(max(-magnitude * fx, -limit), limit)
                    push_y = min(max(-magnitude * fy, -limit), limit)
                    body.ApplyForce((push_x, push_y), anchor, True)
            x0, y0 = x1, y1

    @staticmethod
    def _push_sources(part: PartContact, wx: float, wy: float) -> list[tuple[float, float, float, tuple]]:
        """Per joint moving the part within its limits: the motor's force at the part's centre, the stroke speed
        (motor torque plus angular momentum, TeachMyAgent's approximation) and the joint's anchor."""
        sources = []
        body = part.body
        for joint in part.child_joints:
            if not joint.lowerLimit < joint.angle < joint.upperLimit:
                continue
            torque = joint.GetMotorTorque(PUSH_TORQUE_RATE)
            if torque == 0.0:
                continue
            anchor = joint.anchorB
            lever_x, lever_y = wx - anchor.x, wy - anchor.y
            stroke = torque + body.inertia * body.angularVelocity
            sources.append((-torque * lever_y, torque * lever_x, stroke, (anchor.x, anchor.y)))
        return sources
