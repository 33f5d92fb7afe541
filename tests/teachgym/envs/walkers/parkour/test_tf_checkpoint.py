"""Reading TensorFlow 1 checkpoints without TensorFlow: the tensor-bundle reader on hand-built checkpoints, on
TeachMyAgent's CPPN checkpoint (from ../shared/data, skipped when absent), and on damaged or foreign files."""

import struct
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from helpers import TMA_DATA, needs_tma_data

import teachgym  # noqa: F401  (registers the teachgym/ ids)
from teachgym.envs.walkers.parkour.cppn import (
    CHECKPOINT_NAMES,
    LAYER_SHAPES,
    TerrainCPPN,
    draw_weights,
    load_checkpoint_weights,
)
from teachgym.envs.walkers.parkour.tf_checkpoint import (
    DATA_SUFFIX,
    TABLE_MAGIC,
    crc32c,
    masked_crc32c,
    read_checkpoint,
)
from teachgym.errors import FileFormatError

TMA_CHECKPOINT = TMA_DATA / "cppn_weights/same_ground_ceiling_cppn"


# -------------------------------------------------------------------- a minimal writer, as TensorFlow lays it out
def varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes(out + bytes([value]))


def field(number: int, value: int | bytes) -> bytes:
    if isinstance(value, bytes):
        return varint(number << 3 | 2) + varint(len(value)) + value
    return varint(number << 3) + varint(value)


def block(entries: list[tuple[bytes, bytes]]) -> bytes:
    """A table block without key sharing, its one restart point, and its trailer."""
    body = b"".join(varint(0) + varint(len(key)) + varint(len(value)) + key + value for key, value in entries)
    body += struct.pack("<II", 0, 1)
    return body + b"\0" + struct.pack("<I", masked_crc32c(body + b"\0"))


def write_checkpoint(folder: Path, variables: dict[str, np.ndarray], prefix: str = "") -> Path:
    """A single-shard checkpoint of float32 ``variables`` in ``folder`` (prefix ``""``, as TeachMyAgent's)."""
    data, entries = b"", [(b"", field(1, 1) + field(3, field(1, 1)))]
    for name in sorted(variables):
        raw = np.ascontiguousarray(variables[name], dtype="<f4").tobytes()
        shape = b"".join(field(2, field(1, size)) for size in variables[name].shape)
        entry = field(1, 1) + field(2, shape) + field(4, len(data)) + field(5, len(raw))
        entries.append((name.encode(), entry + b"\x35" + struct.pack("<I", masked_crc32c(raw))))
        data += raw
    blocks = block(entries)
    index = block([(b"\xff", varint(0) + varint(len(blocks) - 5))])
    metaindex = block([])
    handles = (varint(len(blocks) + len(index)) + varint(len(metaindex) - 5)  # metaindex, then index
               + varint(len(blocks)) + varint(len(index) - 5))
    footer = handles.ljust(40, b"\0") + struct.pack("<Q", TABLE_MAGIC)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{prefix}.index").write_bytes(blocks + index + metaindex + footer)
    (folder / f"{prefix}{DATA_SUFFIX}").write_bytes(data)
    return folder


def cppn_variables(output_shape=(64, 2)) -> dict[str, np.ndarray]:
    weights = list(draw_weights(3).values())
    weights[-1] = np.ones(output_shape, dtype=np.float32)
    return dict(zip(CHECKPOINT_NAMES, weights))


# ------------------------------------------------------------------------------------------------------ reader
def test_crc32c_matches_the_castagnoli_check_value():
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(b"") == 0


def test_a_written_checkpoint_reads_back_exactly(tmp_path):
    variables = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b/kernel": np.array([[-1.5]], np.float32)}
    read = read_checkpoint(write_checkpoint(tmp_path / "ckpt", variables))
    assert sorted(read) == ["a", "b/kernel"]
    for name, array in variables.items():
        assert read[name].dtype == np.float32 and not read[name].flags.writeable
        np.testing.assert_array_equal(read[name], array)
    write_checkpoint(tmp_path / "named", variables, prefix="model.ckpt")
    np.testing.assert_array_equal(read_checkpoint(tmp_path / "named" / "model.ckpt")["a"], variables["a"])


def test_cppn_weights_load_in_layer_order_as_float32(tmp_path):
    variables = cppn_variables()
    weights = load_checkpoint_weights(write_checkpoint(tmp_path, variables))
    # TensorFlow's precision, which the CPPN then computes in, as TeachMyAgent's graph does
    assert [w.shape for w in weights] == list(LAYER_SHAPES) and all(w.dtype == np.float32 for w in weights)
    ground, ceiling = TerrainCPPN(weights).heights([-0.15, 0.8, 0.1])
    assert ground.dtype == ceiling.dtype == np.float32
    for name, array in zip(CHECKPOINT_NAMES, weights):
        np.testing.assert_array_equal(array, variables[name])


# ------------------------------------------------------------------------------------------ refused clearly
def test_a_damaged_data_file_fails_its_checksum(tmp_path):
    folder = write_checkpoint(tmp_path, cppn_variables())
    data = bytearray((folder / DATA_SUFFIX).read_bytes())
    data[1000] ^= 0x01
    (folder / DATA_SUFFIX).write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match="'Variable' fails its CRC-32C check"):
        load_checkpoint_weights(folder)


def test_a_damaged_or_foreign_index_is_refused(tmp_path):
    folder = write_checkpoint(tmp_path / "damaged", cppn_variables())
    index = bytearray((folder / ".index").read_bytes())
    index[20] ^= 0x01
    (folder / ".index").write_bytes(bytes(index))
    with pytest.raises(FileFormatError, match="block at byte 0 fails its CRC-32C check"):
        read_checkpoint(folder)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "weights.index").write_bytes(b"not a table, just text that is long enough to hold a footer....")
    with pytest.raises(FileFormatError, match="not a TensorFlow checkpoint index"):
        read_checkpoint(foreign)
    with pytest.raises(FileFormatError, match="found index files: none"):
        read_checkpoint(tmp_path / "damaged" / "..")
    with pytest.raises(FileFormatError, match="neither a folder nor a checkpoint prefix"):
        read_checkpoint(tmp_path / "missing")


def test_a_checkpoint_whose_shapes_or_names_do_not_fit_the_cppn_is_refused(tmp_path):
    with pytest.raises(FileFormatError, match=r"'Variable_4' has shape \(64, 1\); the Parkour CPPN needs \(64, 2\)"):
        load_checkpoint_weights(write_checkpoint(tmp_path / "one_output", cppn_variables((64, 1))))
    with pytest.raises(FileFormatError, match=r"variables \['w'\]; TeachMyAgent's Parkour CPPN has exactly"):
        load_checkpoint_weights(write_checkpoint(tmp_path / "other", {"w": np.zeros((4, 64), np.float32)}))
    with pytest.raises(FileFormatError, match=r"'Variable_4' has shape \(64, 1\)"):
        gym.make("teachgym/Parkour-v0", cppn_weights=tmp_path / "one_output")


# ------------------------------------------------------------------------------------ TeachMyAgent's weights
@needs_tma_data
def test_teachmyagents_checkpoint_holds_its_five_cppn_matrices():
    variables = read_checkpoint(TMA_CHECKPOINT)
    assert {name: array.shape for name, array in variables.items()} == dict(zip(CHECKPOINT_NAMES, LAYER_SHAPES))
    np.testing.assert_array_equal(variables["Variable"][0, :3],
                                  np.array([-0.762647271156311, -0.9713454842567444, 2.6953532695770264], np.float32))
    np.testing.assert_array_equal(variables["Variable_4"][-1], np.array([-2.277416229248047, 3.4477734565734863],
                                                                        np.float32))


@needs_tma_data
def test_parkour_draws_teachmyagents_tracks_from_its_checkpoint():
    # TeachMyAgent's CPPN in float32 (its forward pass computed by hand in numpy) gives at the first two x
    # positions of this input: ground 3.9699173, -3.8382874; ceiling -46.348412, -43.036285 (raw units)
    ground, ceiling = TerrainCPPN(load_checkpoint_weights(TMA_CHECKPOINT)).heights([-0.15, 0.8, 0.1])
    np.testing.assert_allclose(ground[:2], [3.9699173, -3.8382874], rtol=1e-4)
    np.testing.assert_allclose(ceiling[:2], [-46.348412, -43.036285], rtol=1e-4)
    env = gym.make("teachgym/Parkour-v0", cppn_weights=str(TMA_CHECKPOINT)).unwrapped
    env.reset(seed=0)
    x, ground, ceiling = env.terrain_profile()
    assert np.ptp(ground) == pytest.approx(7.0807, abs=1e-3)  # teachgym's own weights: 2.38 m on this input
    assert ground.min() == pytest.approx(-3.7474, abs=1e-3) and ceiling.max() == pytest.approx(28.5502, abs=1e-3)
