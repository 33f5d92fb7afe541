"""The side-by-side checks against TeachMyAgent, without TeachMyAgent: its recorded draws replayed into our Stump Tracks
give the episodes it gave (lengths and returns measured with benchmarks/tma_side_by_side.py on TeachMyAgent's own
code, task stump_height 0, obstacle_spacing 6), and into our Parkour on its CPPN weights (from ../shared/data,
skipped when absent) those measured with benchmarks/tma_parkour_side_by_side.py."""

import numpy as np
import pytest
from helpers import TMA_DATA, needs_tma_data

from teachgym.benchmarks import tma_parkour_side_by_side as parkour
from teachgym.benchmarks.tma_side_by_side import MAX_STEPS, ReplayedDraws, actions, markdown_table, our_episode

TASK = (0.0, 6.0)
# TeachMyAgent's random draws on TASK: the 13 stump heights (normal(0, 0.1)), then the initial push (uniform(-5, 5)).
STUMPS = {
    0: (
        -0.14141470235388276,
        0.0893619069244564,
        0.16137406410981406,
        -0.10206493629072935,
        0.22013605591150553,
        -0.06293165839397728,
        0.09095592164191682,
        -0.01050730368193002,
        0.1751879054683414,
        -0.06548687641953199,
        -0.047113980838529745,
        0.030506821733367957,
        -0.11145124282315416,
    ),
    1: (
        0.006565491102092032,
        0.13918338975178712,
        0.002720731006512751,
        -0.07717917489358753,
        0.01818070346833787,
        0.026551804853647866,
        -0.02053314900801621,
        0.09279344829108259,
        0.04115501413613638,
        0.04083927630471851,
        0.05015550989532959,
        0.048285073314202995,
        0.0642648011349354,
    ),
}
PUSH = {0: -2.9612119745630183, 1: -1.4025084320966865}
# (body, actions, seed): TeachMyAgent's episode length and return
REFERENCE = {
    ("old_classic_bipedal", "zeros", 0): (122, -92.740),
    ("old_classic_bipedal", "gait", 0): (55, -114.988),
    ("old_classic_bipedal", "zeros", 1): (2000, -0.143),  # a weak push: the old bipedal stands the whole episode
    ("old_big_quadru", "zeros", 0): (124, -84.231),
    ("old_big_quadru", "gait", 0): (91, -118.358),
    ("classic_bipedal", "zeros", 0): (84, -109.988),  # the new bipedal falls within 85 steps whatever the push
    # every other body, long episodes included: the same fixtures as TeachMyAgent's give the same motion to the end
    ("classic_bipedal", "random", 0): (2000, -102.027),
    ("old_big_quadru", "random", 0): (1853, -228.780),
    ("small_bipedal", "gait", 0): (96, -112.596),
    ("big_quadru", "zeros", 0): (158, -118.120),
    ("spider", "gait", 0): (114, -130.332),
    ("wheel", "gait", 0): (985, -188.416),
    ("profile_chimpanzee", "gait", 0): (192, -121.791),
    ("amphibious_bipedal", "gait", 0): (2000, -159.640),
    ("millipede", "zeros", 0): (2000, -0.721),
}


def draws(seed):
    return [("normal", 0.0, 0.1, height) for height in STUMPS[seed]] + [("uniform", -5.0, 5.0, PUSH[seed])]


@pytest.mark.parametrize(("body", "sequence", "seed"), sorted(REFERENCE))
def test_replayed_draws_give_teachmyagents_episode(body, sequence, seed):
    length, episode_return = REFERENCE[(body, sequence, seed)]
    ours = our_episode(body, sequence, TASK, seed, draws(seed))
    assert ours["length"] == length
    assert ours["return"] == pytest.approx(episode_return, abs=0.5)


def test_replay_serves_each_draw_to_the_call_with_its_arguments_in_order():
    replay = ReplayedDraws([("normal", 1.0, 0.1, 1.2), ("uniform", -5.0, 5.0, 3.0), ("normal", 1.0, 0.1, 0.9)])
    assert (replay.uniform(-5, 5), replay.normal(1.0, 0.1), replay.normal(1.0, 0.1)) == (3.0, 1.2, 0.9)
    with pytest.raises(RuntimeError, match=r"no \(more\) normal\(1.0, 0.1\)"):
        replay.normal(1.0, 0.1)


def test_action_sequences_are_fixed():
    assert not actions("zeros", 4, 0).any()
    random = actions("random", 4, 3)
    assert random.shape == (MAX_STEPS, 4) and (abs(random) <= 1).all()
    assert (random == actions("random", 4, 3)).all() and not (random == actions("random", 4, 4)).all()
    gait = actions("gait", 4, 0)
    assert gait[10].tolist() == pytest.approx([1.0, 1.0, -1.0, -1.0])  # a quarter period: pairs in opposition
    with pytest.raises(ValueError, match="unknown action sequence 'hop'"):
        actions("hop", 4, 0)


def test_the_table_marks_rows_beyond_the_target():
    rows = [
        {
            "body": "spider",
            "sequence": "zeros",
            "reference_length": 14,
            "reference_return": -100.0,
            "length": 14,
            "return": -100.2,
        },
        {
            "body": "wheel",
            "sequence": "gait",
            "reference_length": 575,
            "reference_return": -138.39,
            "length": 344,
            "return": -108.65,
        },
    ]
    lines = markdown_table(rows).splitlines()
    assert lines[2] == "| spider | zeros | 14 / -100.00 | 14 / -100.20 | +0 / -0.20 | yes |"
    assert lines[3] == "| wheel | gait | 575 / -138.39 | 344 / -108.65 | -231 / +29.74 | no |"


# TeachMyAgent's Parkour draws on its seed 0 for the driver's dry and water tasks (creepers 5 m apart): the 19 creeper
# lengths' normal(0, 0.1) (each at least 0.2), then the initial push (uniform(-5, 5); the fish ignores it).
PARKOUR_CREEPERS = (
    -0.14141470235388276, 0.0893619069244564, 0.030147067142733287, -0.06924073639408322, 0.16137406410981406,
    -0.10206493629072935, 0.004337526225833524, -0.07074490389259785, 0.22013605591150553, -0.06293165839397728,
    0.011889797876827302, 0.026672889974591104, 0.09095592164191682, -0.01050730368193002, 0.1751879054683414,
    -0.06548687641953199, 0.03227454799265047, 0.04003239819228933, -0.047113980838529745,
)
PARKOUR_PUSH = -2.7632236630974907
# ... and for its creepers task (3 m long, 1 m apart): the 55 creeper lengths' normal(3, 0.1), then the push
PARKOUR_DENSE_CREEPERS = (
    2.8585852976461172, 3.0893619069244562, 3.030147067142733, 2.9307592636059168, 3.1613740641098143,
    2.8979350637092707, 3.0043375262258336, 2.929255096107402, 3.2201360559115058, 2.9370683416060226,
    3.0118897978768273, 3.026672889974591, 3.0909559216419167, 2.98949269631807, 3.1751879054683414,
    2.934513123580468, 3.0322745479926505, 3.0400323981922894, 2.95288601916147, 3.030506821733368,
    2.8283638127773996, 3.0053123778305517, 2.888548757176846, 2.8753797635510803, 3.0921417893477905,
    3.004010503037012, 2.831393830192569, 2.8442018413626227, 2.973783461185279, 3.0698918372073623,
    2.8304967983780607, 2.9962913552260977, 3.041423212870748, 2.987267528807916, 3.084005875547186,
    3.009012592448201, 2.9680498270227074, 3.068771021365589, 2.8846262458246383, 2.8857117030884805,
    3.0428745786419946, 3.0180904466611254, 3.02613750736129, 2.9118679707807527, 2.9209406581616384,
    3.013807068984092, 2.9423397006731853, 3.1152717439241457, 3.0157043189249277, 3.026717514812282,
    3.020792207788783, 2.9661630625917534, 2.9936948586682997, 2.9779357934739323, 2.931306376842059,
)
PARKOUR_DENSE_PUSH = -0.6137454535259934
# (body, task, actions): TeachMyAgent's Parkour episode length and return on its own CPPN weights (every row of the
# driver now gives the same length and a return within 0.5; these are the rows that once differed, and a few more)
PARKOUR_REFERENCE = {
    ("old_classic_bipedal", "dry", "random"): (2000, -104.530),
    ("amphibious_bipedal", "dry", "gait"): (2000, -148.587),
    ("amphibious_bipedal", "water", "zeros"): (2000, -12.166),
    # the water's forces in Box2D's 32-bit arithmetic, on TeachMyAgent's float32 CPPN track
    ("amphibious_bipedal", "water", "random"): (2000, -87.144),
    ("amphibious_bipedal", "water", "gait"): (956, -276.096),
    ("fish", "water", "random"): (2000, -117.322),
    ("fish", "water", "gait"): (2000, -62.655),
    ("fish", "dry", "zeros"): (2000, 0.672),  # out of water: dead after 601 steps
    ("fish", "dry", "random"): (2000, -32.029),  # ... and its actions zeroed from the 602nd on, not one step earlier
    ("climbing_profile_chimpanzee", "dry", "gait"): (87, -102.364),  # grasps and lets go in turns, falls
    # climbers built standing and lifted to the ceiling, grasping only what is still within reach after the step
    ("climbing_profile_chimpanzee", "dry", "random"): (91, -97.911),
    ("climbing_profile_chimpanzee", "creepers", "random"): (91, -97.627),
    ("climbing_profile_chimpanzee", "creepers", "grasp"): (2000, -93.892),
    ("climbing_chest_profile_chimpanzee", "dry", "random"): (95, -100.129),
    ("climbing_chest_profile_chimpanzee", "dry", "grasp"): (2000, -64.894),  # hangs on the whole episode
    ("climbing_chest_profile_chimpanzee", "creepers", "grasp"): (2000, -64.794),
}


@needs_tma_data
@pytest.mark.parametrize(("body", "task", "sequence"), sorted(PARKOUR_REFERENCE))
def test_replayed_draws_give_teachmyagents_parkour_episode(body, task, sequence):
    if task == "creepers":
        draws = [("normal", 3.0, 0.1, length) for length in PARKOUR_DENSE_CREEPERS]
        draws.append(("uniform", -5.0, 5.0, PARKOUR_DENSE_PUSH))
    else:
        draws = [("normal", 0.0, 0.1, length) for length in PARKOUR_CREEPERS] + [("uniform", -5.0, 5.0, PARKOUR_PUSH)]
    weights = TMA_DATA / "cppn_weights/same_ground_ceiling_cppn"
    ours = parkour.our_episode(body, sequence, task, 0, draws, weights)
    length, episode_return = PARKOUR_REFERENCE[(body, task, sequence)]
    assert ours["length"] == length
    assert ours["return"] == pytest.approx(episode_return, abs=0.5)


def test_parkour_grasp_sequence_holds_the_climbers_hands_and_swings_the_motors():
    grasp = parkour.parkour_actions("grasp", 6, 0)
    assert (grasp[:, -2:] == 1.0).all() and (grasp[:, :4] == actions("gait", 6, 0)[:, :4]).all()
    assert parkour.sequences_of("fish") == ("zeros", "random", "gait")
    assert parkour.sequences_of("climbing_profile_chimpanzee")[-1] == "grasp"


def test_the_numpy_cppn_draws_teachgyms_heights_from_the_same_weights(tmp_path):
    from teachgym.envs.walkers.parkour.cppn import LAYER_NAMES, POSITIONS, TerrainCPPN, draw_weights

    weights = draw_weights(3)
    parkour.NumpyCPPN.weights_file = tmp_path / "cppn.npz"
    np.savez(parkour.NumpyCPPN.weights_file, **weights)
    vector = np.array([-0.15, 0.8, 0.1])
    heights = parkour.NumpyCPPN(x_dim=POSITIONS, input_dim=3, output_dim=2).generate(vector)
    assert heights.dtype == np.float32 and heights.shape == (POSITIONS, 2)  # TensorFlow's precision
    ground, ceiling = TerrainCPPN(tuple(weights[name].astype(float) for name in LAYER_NAMES)).heights(vector)
    np.testing.assert_allclose(heights, np.stack([ground, ceiling], axis=1), rtol=1e-4, atol=1e-4)
