"""What the task parameters do to each classic env, and what its success criterion says: a simple expert controller
masters the default task and fails the hardest corner of the space."""

import itertools

import gymnasium as gym
import numpy as np
import pytest
import scipy.linalg
from gymnasium.envs.box2d.lunar_lander import heuristic as lunar_lander_heuristic

import teachgym  # noqa: F401  (registers the ids)


def make(env_id: str, task: dict, seed: int = 0):
    """A made env reset on ``task``, and its first observation."""
    env = gym.make(env_id)
    observation, _ = env.reset(seed=seed, options={"task": {**env.unwrapped.task, **task}})
    return env, observation


def run(env: gym.Env, policy, observation, steps: int):
    """Step ``policy`` until the episode ends or ``steps`` steps: the observations, the last info, the step count."""
    observations = [observation]
    for step in range(1, steps + 1):
        observation, _, terminated, truncated, info = env.step(policy(observation))
        observations.append(observation)
        if terminated or truncated:
            break
    return np.array(observations), info, step


def _discrete_lqr_gain(a: np.ndarray, b: np.ndarray, q: np.ndarray, r: np.ndarray) -> np.ndarray:
    p = scipy.linalg.solve_discrete_are(a, b, q, r)
    return np.linalg.solve(r + b.T @ p @ b, b.T @ p @ a)[0]


def cartpole_expert(env: gym.Env):
    """Push towards the sign of a linear-quadratic command for the task's linearised dynamics."""
    e = env.unwrapped
    denominator = e.length * (4.0 / 3.0 - e.masspole / e.total_mass)
    # d(theta_acc)/d(theta), d(theta_acc)/d(force), d(x_acc)/d(theta), d(x_acc)/d(force) at the upright rest
    theta_theta, theta_force = e.gravity / denominator, -1.0 / (e.total_mass * denominator)
    x_theta = -e.polemass_length * theta_theta / e.total_mass
    x_force = 1.0 / e.total_mass - e.polemass_length * theta_force / e.total_mass
    a = np.eye(4) + e.tau * np.array([[0, 1, 0, 0], [0, 0, x_theta, 0], [0, 0, 0, 1], [0, 0, theta_theta, 0]])
    b = e.tau * np.array([[0.0], [x_force], [0.0], [theta_force]])
    gain = _discrete_lqr_gain(a, b, np.diag([1.0, 1.0, 10.0, 1.0]), np.array([[0.01]]))
    return lambda observation: int(-gain @ observation > 0)


def pendulum_expert(env: gym.Env):
    """Pump energy at full torque until the pendulum can reach the top, then balance it with an LQR."""
    e = env.unwrapped
    gravity_term, torque_term = 3 * e.g / (2 * e.l), 3 / (e.m * e.l**2)
    a = np.array([[1 + gravity_term * e.dt**2, e.dt], [gravity_term * e.dt, 1.0]])
    b = np.array([[torque_term * e.dt**2], [torque_term * e.dt]])
    gain = _discrete_lqr_gain(a, b, np.diag([1.0, 0.1]), np.array([[0.001]]))

    def policy(observation):
        angle, velocity = np.arctan2(observation[1], observation[0]), observation[2]
        torque = -gain @ np.array([angle, velocity])
        if not (abs(angle) < 0.6 and abs(torque) <= 3 * e.max_torque):
            below_the_top = 0.5 * velocity**2 + gravity_term * np.cos(angle) < gravity_term
            torque = e.max_torque * (1.0 if velocity >= 0 else -1.0) * (1.0 if below_the_top else -0.2)
        return np.array([np.clip(torque / e.max_torque, -1.0, 1.0)], dtype=np.float32)

    return policy


def mountain_car_expert(env: gym.Env):
    """Rock at full throttle in the direction of motion (the fastest way up)."""
    return lambda observation: np.array([1.0 if observation[1] >= 0 else -1.0], dtype=np.float32)


def acrobot_expert(env: gym.Env):
    """Pump energy: torque in the direction the outer link turns."""
    return lambda observation: 2 if observation[5] > 0 else 0


def lunar_lander_expert(env: gym.Env):
    """gymnasium's heuristic lander (tuned for the default task)."""
    return lambda observation: lunar_lander_heuristic(env.unwrapped, observation)


EXPERTS = {
    "teachgym/CartPole-v0": cartpole_expert,
    "teachgym/Pendulum-v0": pendulum_expert,
    "teachgym/MountainCarContinuous-v0": mountain_car_expert,
    "teachgym/Acrobot-v0": acrobot_expert,
    "teachgym/LunarLanderContinuous-v0": lunar_lander_expert,
}
# The hardest corner of each space: high or low bound, whichever is harder.
HARDEST = {
    "teachgym/CartPole-v0": {"pole_length": 0.1, "pole_mass": 2.0, "cart_mass": 10.0, "force_magnitude": 1.0,
                             "gravity": 25.0},
    "teachgym/Pendulum-v0": {"length": 2.0, "mass": 2.0, "gravity": 15.0, "max_torque": 0.5},
    "teachgym/MountainCarContinuous-v0": {"power": 0.0002, "goal_position": 0.6, "hill_steepness": 2.5},
    "teachgym/Acrobot-v0": {"link_length_1": 3.0, "link_length_2": 3.0, "link_mass_1": 3.0, "link_mass_2": 3.0},
    "teachgym/LunarLanderContinuous-v0": {"gravity": 15.0, "wind_power": 20.0, "turbulence_power": 2.0,
                                          "main_engine_power": 6.0},
}


def expert_episode(env_id: str, task: dict, seed: int):
    """The expert's episode on ``task``: its infos, in order."""
    env, observation = make(env_id, task, seed)
    policy = EXPERTS[env_id](env)
    infos = []
    while True:
        observation, _, terminated, truncated, info = env.step(policy(observation))
        infos.append(info)
        if terminated or truncated:
            return infos


@pytest.mark.parametrize("env_id", list(EXPERTS))
def test_an_expert_succeeds_at_the_default_task_and_fails_the_hardest_corner(env_id):
    for seed in range(3):
        infos = expert_episode(env_id, {}, seed)
        assert infos[-1]["success"] is True
        assert infos[0]["success"] is False
        hard = expert_episode(env_id, HARDEST[env_id], seed)
        assert not any(info["success"] for info in hard)


def test_cartpole_success_is_the_full_500_steps_balanced():
    infos = expert_episode("teachgym/CartPole-v0", {}, seed=0)
    assert len(infos) == 500
    assert [info["success"] for info in infos[-2:]] == [False, True]


def test_pendulum_success_needs_the_last_50_steps_upright():
    env, observation = make("teachgym/Pendulum-v0", {}, seed=1)
    policy = pendulum_expert(env)
    upright = 0
    for _ in range(200):
        observation, reward, _, truncated, info = env.step(policy(observation))
        upright = upright + 1 if reward >= -0.1 else 0
        assert info["success"] is (upright >= 50)
    assert truncated and info["success"]
    for _ in range(20):  # full torque throws it off the top: the streak starts again
        _, reward, _, _, info = env.step(np.array([1.0], dtype=np.float32))
        if reward < -0.1:
            break
    assert reward < -0.1 and info["success"] is False


def test_lunar_lander_success_is_a_return_of_200():
    env, observation = make("teachgym/LunarLanderContinuous-v0", {}, seed=0)
    policy = lunar_lander_expert(env)
    episode_return = 0.0
    while True:
        observation, reward, terminated, truncated, info = env.step(policy(observation))
        episode_return += reward
        assert info["success"] is bool(episode_return >= 200)
        if terminated or truncated:
            break
    assert info["success"]


# ------------------------------------------------------------------------------------------------ task effects
def test_cartpole_parameters_set_gymnasiums_attributes_and_shape_the_fall():
    env, _ = make("teachgym/CartPole-v0", {"pole_length": 0.6, "pole_mass": 0.5, "cart_mass": 2.0,
                                           "force_magnitude": 4.0, "gravity": 12.0})
    e = env.unwrapped
    assert (e.length, e.masspole, e.masscart, e.force_mag, e.gravity) == (0.3, 0.5, 2.0, 4.0, 12.0)
    assert e.total_mass == 2.5 and e.polemass_length == 0.5 * 0.3

    def steps_to_fall(task):
        env, observation = make("teachgym/CartPole-v0", task)
        pushes = iter(itertools.cycle((0, 1)))  # alternating pushes: gravity decides how soon the pole falls
        return run(env, lambda _: next(pushes), observation, 500)[2]

    assert steps_to_fall({"gravity": 25.0}) < steps_to_fall({})
    assert steps_to_fall({"pole_length": 0.2}) < steps_to_fall({})

    def cart_velocity_after_pushes(task):
        env, observation = make("teachgym/CartPole-v0", task)
        return run(env, lambda _: 1, observation, 5)[0][-1, 1]

    assert cart_velocity_after_pushes({"force_magnitude": 2.0}) < cart_velocity_after_pushes({})
    assert cart_velocity_after_pushes({"cart_mass": 5.0}) < cart_velocity_after_pushes({})


def test_pendulum_gravity_length_mass_and_torque_scale_the_acceleration():
    def velocity_change(task, action):
        env, observation = make("teachgym/Pendulum-v0", task, seed=4)
        next_observation = env.step(np.array([action], dtype=np.float32))[0]
        return next_observation[2] - observation[2]

    still = velocity_change({}, 0.0)  # gravity alone: 3 g / (2 l) sin(angle) dt
    np.testing.assert_allclose(velocity_change({"gravity": 15.0}, 0.0), 1.5 * still, rtol=1e-5)
    np.testing.assert_allclose(velocity_change({"length": 2.0}, 0.0), 0.5 * still, rtol=1e-5)
    np.testing.assert_allclose(velocity_change({"mass": 2.0}, 0.0), still, rtol=1e-5)
    pushed = velocity_change({}, 1.0) - still  # the torque: 3 / (m l^2) * max_torque * dt = 0.3
    np.testing.assert_allclose(pushed, 0.3, rtol=1e-4)
    np.testing.assert_allclose(velocity_change({"max_torque": 0.5}, 1.0) - still, pushed / 4, rtol=1e-4)
    np.testing.assert_allclose(velocity_change({"mass": 2.0}, 1.0) - still, pushed / 2, rtol=1e-4)


def test_mountain_car_power_steepness_and_goal_shape_the_climb():
    def steps_to_flag(task):
        env, observation = make("teachgym/MountainCarContinuous-v0", task, seed=2)
        _, info, steps = run(env, mountain_car_expert(env), observation, 999)
        return steps if info["success"] else None

    assert steps_to_flag({"power": 0.0005}) > steps_to_flag({"power": 0.001}) > steps_to_flag({})
    # steeper hills swing faster but need more energy: a weaker engine takes longer, then cannot reach the flag
    weaker = {"power": 0.001}
    assert steps_to_flag({**weaker, "hill_steepness": 1.5}) > steps_to_flag(weaker)
    assert steps_to_flag({**weaker, "hill_steepness": 2.2}) is None
    assert steps_to_flag({"hill_steepness": 2.5}) is None  # full power cannot outpull gravity below the flag
    env, observation = make("teachgym/MountainCarContinuous-v0", {"goal_position": 0.6}, seed=2)
    observations, info, _ = run(env, mountain_car_expert(env), observation, 999)
    assert info["success"] and observations[-1, 0] == np.float32(0.6) and observations[:-1, 0].max() < 0.6

    def pull_of_gravity(task):  # no throttle from rest: the velocity change is the slope's pull
        env, observation = make("teachgym/MountainCarContinuous-v0", task, seed=2)
        return env.step(np.zeros(1, dtype=np.float32))[0][1]

    np.testing.assert_allclose(pull_of_gravity({"hill_steepness": 2.5}), 2.5 * pull_of_gravity({}), rtol=1e-5)
    steep = gym.make("teachgym/MountainCarContinuous-v0").unwrapped
    steep.reset(seed=0, options={"task": {"power": 0.0015, "goal_position": 0.45, "hill_steepness": 2.0}})
    np.testing.assert_allclose(steep._height(np.pi / 6), 0.55 + 2.0 * 0.45)  # the drawn hill is the task's


def test_acrobot_links_scale_inertia_and_goal():
    env, _ = make("teachgym/Acrobot-v0", {"link_length_1": 2.0, "link_length_2": 1.5, "link_mass_1": 3.0,
                                          "link_mass_2": 2.0})
    e = env.unwrapped
    assert (e.LINK_COM_POS_1, e.LINK_COM_POS_2, e.link_moi_1, e.link_moi_2, e.goal_height) == (
        1.0, 0.75, 3.0 * 4.0, 2.0 * 1.5**2, 1.75)
    assert type(e).LINK_LENGTH_1 == 1.0  # gymnasium's class attributes are untouched

    def steps_to_goal(task):
        env, observation = make("teachgym/Acrobot-v0", task, seed=0)
        observations, info, steps = run(env, acrobot_expert(env), observation, 500)
        if info["success"]:  # the tip is above the task's goal height
            cos1, sin1, cos2, sin2 = observations[-1, :4]
            lengths = env.unwrapped.LINK_LENGTH_1, env.unwrapped.LINK_LENGTH_2
            height = -lengths[0] * cos1 - lengths[1] * (cos1 * cos2 - sin1 * sin2)
            assert height > env.unwrapped.goal_height - 1e-5
        return steps if info["success"] else None

    default = steps_to_goal({})
    assert steps_to_goal({"link_mass_1": 2.0, "link_mass_2": 2.0}) > default
    assert steps_to_goal({"link_length_1": 2.0, "link_length_2": 2.0}) > default


def test_lunar_lander_gravity_engine_and_wind_act_on_the_lander():
    def after(task, action, steps=25):
        env, observation = make("teachgym/LunarLanderContinuous-v0", task, seed=6)
        action = np.array(action, dtype=np.float32)
        return run(env, lambda _: action, observation, steps)[0][-1], env.unwrapped

    calm, calm_env = after({}, [-1.0, 0.0])
    assert calm_env.world.gravity[1] == -10.0 and not calm_env.enable_wind
    heavy, heavy_env = after({"gravity": 15.0}, [-1.0, 0.0])
    assert heavy_env.world.gravity[1] == -15.0
    assert heavy[3] < calm[3] < 0  # falls faster
    strong, _ = after({}, [1.0, 0.0])
    weak, _ = after({"main_engine_power": 6.0}, [1.0, 0.0])
    assert weak[3] < strong[3]
    windy, windy_env = after({"wind_power": 20.0}, [-1.0, 0.0])
    assert windy_env.enable_wind and abs(windy[2] - calm[2]) > 0.05  # blown sideways
    turbulent, _ = after({"turbulence_power": 2.0}, [-1.0, 0.0])
    assert abs(turbulent[5] - calm[5]) > 0.01  # spun


def test_cartpole_observations_stay_in_the_observation_space_at_every_corner():
    """Probes for the widened bounds: every corner of the space under pushes that swing the pole hard."""
    env = gym.make("teachgym/CartPole-v0")
    space = env.unwrapped.task_space
    policies = {
        "push": lambda k, o: 1,
        "alternate": lambda k, o: k % 2,
        "lean": lambda k, o: int(o[2] + 0.3 * o[3] > 0),  # a crude balancer: long episodes of wide swings
    }
    widest = np.zeros(4)
    for corner in itertools.product((0, 1), repeat=space.ndim):
        task = np.where(corner, space.high, space.low)
        for name, policy in policies.items():
            observation, _ = env.reset(seed=sum(corner), options={"task": task})
            for k in range(500):
                observation, _, terminated, truncated, _ = env.step(policy(k, observation))
                assert env.observation_space.contains(observation), (task, name, observation)
                widest = np.maximum(widest, np.abs(observation))
                if terminated or truncated:
                    break
    assert widest[3] > 5.0  # the probes do swing the pole
