"""Physics and geometry constants shared by every Box2D walker environment (reference.md section 1).

Nothing a task can vary lives here: these are the fixed laws of the walker worlds.
"""

FPS = 50
SCALE = 30.0  # pixels per metre: body geometry is written in pixels and divided by SCALE
PIXEL = 1.0 / SCALE
VELOCITY_ITERATIONS = 6 * 30
POSITION_ITERATIONS = 2 * 30
GRAVITY = (0.0, -10.0)

VIEWPORT_W = 600
VIEWPORT_H = 400

TERRAIN_STEP = 14 * PIXEL
TERRAIN_LENGTH = 200  # in terrain steps
TERRAIN_HEIGHT = VIEWPORT_H * PIXEL / 4
TERRAIN_END = 10  # steps before the end of the track at which an episode is won
TERRAIN_STARTPAD = 20  # flat steps before the first obstacle, widened for wide bodies
TERRAIN_FRICTION = 2.5

LIDAR_COUNT = 10
LIDAR_RANGE = 160 * PIXEL
LIDAR_FAN = 1.5  # radians swept by the walker lidar fan, from straight down towards the front

INITIAL_PUSH = 5.0  # the hull gets a horizontal force drawn from U(-INITIAL_PUSH, INITIAL_PUSH) at reset

# Collision categories: body parts collide with the terrain only, never with each other.
TERRAIN_CATEGORY = 0x0001
BODY_CATEGORY = 0x0020

# Reward: forward progress of the head, a head-angle term, and a torque cost normalised to the original
# bipedal walker's 80 Nm motors.
PROGRESS_REWARD = 130.0
HEAD_ANGLE_PENALTY = 5.0
REFERENCE_TORQUE = 80.0
BASE_TORQUE_PENALTY = 0.00035
FALL_REWARD = -100.0
SUCCESS_RETURN = 230.0  # an episode whose return exceeds this counts as mastered

# Density of Parkour's water (Box2D density units, as the body parts'): a part of this density floats level.
WATER_DENSITY = 1.0
