"""Water physics for the parts of a body that are in the water: buoyancy, drag, lift and a push from moving limbs.

The forces follow TeachMyAgent's simplified model (itself after iforce2d's buoyancy tutorial): buoyancy at the
centroid of the part's submerged polygon; per edge of that polygon facing the part's motion a drag against and a
lift across the motion; and per motor moving the part, a push opposing the limb's stroke.

The arithmetic is TeachMyAgent's, rounding included: its water computes with Box2D's vectors (``b2Vec2``, 32-bit
floats) and Python floats in turns, and a body in water amplifies a difference in the last bit of a force into
different motion within a few hundred steps. So the submerged polygon is the water body's rectangle clipped by the
part's polygon (Sutherland-Hodgman, tests and crossings in 64-bit floats, crossings stored in 32 bits), and every
quantity is computed in the precision, and in the order, in which TeachMyAgent computes it: ``np.float32`` where it
holds a ``b2Vec2`` (or Box2D computes), Python floats where it holds a Python float. Only parts reported wet by the
contact listener are visited.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

import numpy as np

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
F32 = np.float32
ZERO32, HALF32, ONE32 = F32(0.0), F32(0.5), F32(1.0)
# Box2D's b2_epsilon: a vector shorter than this is left as it is when normalised, its length taken as 0
EPSILON = float(np.finfo(np.float32).eps)
_PAIR32 = struct.Struct("2f")  # packing rounds to the nearest 32-bit float, as C's cast does


def _stored32(x: float, y: float) -> tuple[float, float]:
    """``(x, y)`` rounded to the nearest 32-bit floats, as storing them in a ``b2Vec2`` does."""
    return _PAIR32.unpack(_PAIR32.pack(x, y))


def clip_polygon(subject: Sequence[Point], clip: Sequence[Point]) -> list[Point]:
    """The part of polygon ``subject`` inside the convex counter-clockwise polygon ``clip``, by Sutherland-Hodgman:
    ``subject`` cut by each edge of ``clip`` in turn, from its last vertex to its first, then along; empty if they
    do not overlap. A point is kept when strictly left of the edge's line (a 64-bit test); where a side of
    ``subject`` crosses the line, the crossing is the two lines' intersection from their determinants, with the
    direction differences and the result stored in 32 bits."""
    result = list(subject)
    start_x, start_y = clip[-1]
    for end_x, end_y in clip:
        if not result:
            break
        points, result = result, []
        dx, dy = end_x - start_x, end_y - start_y
        line_dx, line_dy = _stored32(start_x - end_x, start_y - end_y)
        line_cross = start_x * end_y - start_y * end_x
        previous_x, previous_y = points[-1]
        previous_inside = dx * (previous_y - start_y) > dy * (previous_x - start_x)
        for point in points:
            x, y = point
            inside = dx * (y - start_y) > dy * (x - start_x)
            if inside != previous_inside:
                side_dx, side_dy = _stored32(previous_x - x, previous_y - y)
                side_cross = previous_x * y - previous_y * x
                inverse = 1.0 / (line_dx * side_dy - line_dy * side_dx)
                result.append(_stored32((line_cross * side_dx - side_cross * line_dx) * inverse,
                                        (line_cross * side_dy - side_cross * line_dy) * inverse))
            if inside:
                result.append(point)
            previous_x, previous_y, previous_inside = x, y, inside
        start_x, start_y = end_x, end_y
    return result


def area_and_centroid(polygon: Sequence[Point]) -> tuple[float, float, float]:
    """Area (positive counter-clockwise) and centroid of a polygon, summed over the triangles it makes with the
    origin: areas in 64 bits, the area-weighted centroid in 32. An area below Box2D's epsilon counts as 0 (the
    centroid is then left unscaled)."""
    area = 0.0
    cx = cy = ZERO32
    count = len(polygon)
    for index in range(count):
        x1, y1 = polygon[index]
        x2, y2 = polygon[index + 1] if index + 1 < count else polygon[0]
        x1, y1, x2, y2 = F32(x1), F32(y1), F32(x2), F32(y2)
        triangle = 0.5 * float(x1 * y2 - y1 * x2)
        area += triangle
        weight = F32(triangle * (1.0 / 3.0))  # the centroid of (origin, p1, p2) is their sum over 3
        cx += weight * (x1 + x2)
        cy += weight * (y1 + y2)
    if area > EPSILON:
        scale = F32(1.0 / area)
        cx, cy = cx * scale, cy * scale
    else:
        area = 0.0
    return area, float(cx), float(cy)


def _normalized(x: np.float32, y: np.float32) -> tuple[np.float32, np.float32, np.float32]:
    """Box2D's ``b2Vec2.Normalize``: the unit vector and the length (shorter than epsilon: as it is, length 0)."""
    length = np.sqrt(x * x + y * y)
    if length < EPSILON:
        return x, y, ZERO32
    inverse = ONE32 / length
    return x * inverse, y * inverse, length


class Water:
    """The water of one track: its surface height and the forces it applies.

    Args:
        surface: height of the water surface (``-inf``: no water).
        vertices: the water body's polygon as Box2D holds it (the polygon each part's outline clips).
        max_push: clip of each component of the push force.
    """

    def __init__(self, surface: float, vertices: Sequence[Point] = (), max_push: float = MAX_PUSH):
        self.surface = surface
        self.vertices = tuple((float(x), float(y)) for x, y in vertices)
        self.max_push = max_push
        self._buoyancy = -F32(GRAVITY[0]), -F32(GRAVITY[1])

    def apply_forces(self, wet_parts: Iterable[PartContact]) -> None:
        """Apply buoyancy, drag, lift and push to every part overlapping the water."""
        for part in wet_parts:
            self._apply(part)

    def _apply(self, part: PartContact) -> None:
        body = part.body
        outline = [tuple(body.GetWorldPoint(vertex)) for vertex in part.vertices]
        polygon = clip_polygon(self.vertices, outline)
        if len(polygon) < 3:
            return
        area, cx, cy = area_and_centroid(polygon)
        mass = F32(WATER_DENSITY * area)
        body.ApplyForce((float(mass * self._buoyancy[0]), float(mass * self._buoyancy[1])), (cx, cy), True)

        pushes = self._push_sources(part)
        limit = self.max_push
        points = [(F32(x), F32(y)) for x, y in polygon]
        count = len(points)
        for index in range(count):
            x0, y0 = points[index]
            x1, y1 = points[(index + 1) % count]
            middle = (float(HALF32 * (x0 + x1)), float(HALF32 * (y0 + y1)))
            # the part's velocity at the edge's middle, relative to the still water, and its direction
            velocity = body.GetLinearVelocityFromWorldPoint(middle)
            ux, uy, speed = _normalized(F32(velocity.x), F32(velocity.y))
            ex, ey, length = _normalized(x1 - x0, y1 - y0)
            nx, ny = ey, -ex  # outward normal of a counter-clockwise polygon
            length64 = float(length)
            drag_dot = nx * ux + ny * uy
            if drag_dot >= 0.0:  # an edge facing the motion
                # 64-bit magnitudes, multiplied left to right as TeachMyAgent does (the order fixes the rounding)
                drag_dot64, speed64 = float(drag_dot), float(speed)
                drag = F32(min(drag_dot64 * DRAG * length64 * WATER_DENSITY * speed64 * speed64, MAX_DRAG))
                body.ApplyForce((float(drag * -ux), float(drag * -uy)), middle, True)
                lift_dot = float(ex * ux + ey * uy)
                lift = drag_dot64 * lift_dot * LIFT * length64 * WATER_DENSITY * speed64 * speed64
                lift = F32(min(lift, MAX_LIFT))
                body.ApplyForce((float(lift * -uy), float(lift * ux)), middle, True)
            for fx, fy, stroke, anchor in pushes:
                push_dot = nx * fx + ny * fy
                if push_dot > 0.0:
                    push = F32(float(push_dot) * PUSH * length64 * WATER_DENSITY * stroke * stroke)
                    push_x = min(max(float(push * -fx), -limit), limit)
                    push_y = min(max(float(push * -fy), -limit), limit)
                    body.ApplyForce((push_x, push_y), anchor, True)

    @staticmethod
    def _push_sources(part: PartContact) -> list[tuple[np.float32, np.float32, float, Point]]:
        """Per joint moving the part within its limits: the motor's force at the part's centre (the torque across
        the lever from the joint's anchor), the stroke speed (motor torque plus angular momentum, TeachMyAgent's
        approximation) and the joint's anchor."""
        sources = []
        body = part.body
        for joint in part.child_joints:
            if not joint.lowerLimit < joint.angle < joint.upperLimit:
                continue
            torque = joint.GetMotorTorque(PUSH_TORQUE_RATE)
            if torque == 0.0:
                continue
            anchor, center = joint.anchorB, body.worldCenter
            lever_x, lever_y = F32(center.x) - F32(anchor.x), F32(center.y) - F32(anchor.y)
            reverse = F32(-torque)
            stroke = torque + body.inertia * body.angularVelocity
            sources.append((reverse * lever_y, -reverse * lever_x, stroke, (anchor.x, anchor.y)))
        return sources

