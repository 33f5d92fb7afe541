"""Read the variables of a TensorFlow 1 checkpoint (a "tensor bundle") with numpy alone.

A checkpoint ``PREFIX`` is two files. ``PREFIX.index`` is a LevelDB-format table (an SSTable): data blocks of
prefix-compressed ``key -> value`` entries, an index block pointing at them, and a 48-byte footer ending in a magic
number. Its key ``""`` holds the bundle's header; every other key is a variable's name, whose value is a
``BundleEntryProto`` protobuf message: dtype, shape, shard, offset, size and the masked CRC-32C of its bytes.
``PREFIX.data-00000-of-00001`` holds the variables' raw little-endian bytes at those offsets. Every block and every
tensor is checked against its CRC-32C, so a damaged file is refused rather than read as wrong numbers.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

from ....errors import FileFormatError

__all__ = ["checkpoint_files", "crc32c", "read_checkpoint"]

TABLE_MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
BLOCK_TRAILER_SIZE = 5  # compression type byte + masked CRC-32C
HEADER_KEY = b""
DATA_SUFFIX = ".data-00000-of-00001"
# TensorFlow's DataType enum -> numpy dtype (little-endian), for the types a weight checkpoint holds
DTYPES = {1: "<f4", 2: "<f8", 3: "<i4", 9: "<i8", 19: "<f2"}
CRC_MASK_DELTA = 0xA282EAD8


def _crc32c_table() -> list[int]:
    """The byte table of CRC-32C (Castagnoli, reflected polynomial 0x82F63B78)."""
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        table.append(crc)
    return table


CRC32C_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """The CRC-32C of ``data`` (``crc32c(b"123456789") == 0xE3069283``)."""
    crc = 0xFFFFFFFF
    table = CRC32C_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """LevelDB's and TensorFlow's stored form of a CRC-32C: rotated right by 15 bits plus a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + CRC_MASK_DELTA) & 0xFFFFFFFF


class _Reader:
    """Sequential reads of varints and byte strings from a buffer; running past its end is a format error."""

    def __init__(self, data: bytes, what: str):
        self.data, self.position, self.what = data, 0, what

    def at_end(self) -> bool:
        return self.position >= len(self.data)

    def varint(self) -> int:
        value = shift = 0
        while True:
            if self.position >= len(self.data) or shift > 63:
                raise FileFormatError(f"{self.what}: a truncated or overlong varint at byte {self.position}")
            byte = self.data[self.position]
            self.position += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    def take(self, size: int) -> bytes:
        if size < 0 or self.position + size > len(self.data):
            raise FileFormatError(f"{self.what}: {size} bytes needed at byte {self.position}, only "
                                  f"{len(self.data) - self.position} left")
        chunk = self.data[self.position:self.position + size]
        self.position += size
        return chunk


def _fields(message: bytes, what: str) -> list[tuple[int, int | bytes]]:
    """The ``(field number, value)`` pairs of a protobuf message: ints for varint and fixed fields, bytes for
    length-delimited ones (protobuf's wire format: a varint key ``number << 3 | wire type`` before each value)."""
    reader, fields = _Reader(message, what), []
    while not reader.at_end():
        key = reader.varint()
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value: int | bytes = reader.varint()
        elif wire_type == 1:
            value = struct.unpack("<Q", reader.take(8))[0]
        elif wire_type == 2:
            value = reader.take(reader.varint())
        elif wire_type == 5:
            value = struct.unpack("<I", reader.take(4))[0]
        else:
            raise FileFormatError(f"{what}: protobuf wire type {wire_type} of field {number} is not one a "
                                  "checkpoint uses (0, 1, 2 or 5)")
        fields.append((number, value))
    return fields


def _block(table: bytes, handle: _Reader, path: Path) -> bytes:
    """The contents of the block a ``BlockHandle`` (offset and size varints) points at, after checking its
    trailer: no compression and a matching CRC-32C."""
    offset, size = handle.varint(), handle.varint()
    end = offset + size + BLOCK_TRAILER_SIZE
    if end > len(table):
        raise FileFormatError(f"{path}: a block at bytes {offset}..{end} lies past the file's end ({len(table)})")
    contents, compression = table[offset:offset + size], table[offset + size]
    if compression != 0:
        raise FileFormatError(f"{path}: block at byte {offset} is compressed (type {compression}); TensorFlow "
                              "writes checkpoint indexes uncompressed")
    stored = struct.unpack("<I", table[offset + size + 1:end])[0]
    if masked_crc32c(table[offset:offset + size + 1]) != stored:
        raise FileFormatError(f"{path}: block at byte {offset} fails its CRC-32C check (a damaged file)")
    return contents


def _block_entries(block: bytes, path: Path) -> list[tuple[bytes, bytes]]:
    """The ``(key, value)`` entries of a table block: each key shares a prefix with the previous one; the block
    ends with its restart points (uint32 offsets, then their count), which a full scan does not need."""
    if len(block) < 4:
        raise FileFormatError(f"{path}: a table block of {len(block)} bytes is too short")
    restarts = struct.unpack("<I", block[-4:])[0]
    end = len(block) - 4 * (restarts + 1)
    if end < 0:
        raise FileFormatError(f"{path}: a table block claims {restarts} restart points, more than it can hold")
    reader, entries, key = _Reader(block[:end], str(path)), [], b""
    while not reader.at_end():
        shared, unshared, value_size = reader.varint(), reader.varint(), reader.varint()
        if shared > len(key):
            raise FileFormatError(f"{path}: a table key shares {shared} bytes with a previous key of {len(key)}")
        key = key[:shared] + reader.take(unshared)
        entries.append((key, reader.take(value_size)))
    return entries


def _table_entries(path: Path) -> list[tuple[bytes, bytes]]:
    """Every ``(key, value)`` of the SSTable at ``path``, in key order."""
    table = path.read_bytes()
    if len(table) < FOOTER_SIZE or struct.unpack("<Q", table[-8:])[0] != TABLE_MAGIC:
        raise FileFormatError(f"{path}: not a TensorFlow checkpoint index (no table footer with LevelDB's magic "
                              "number at its end)")
    footer = _Reader(table[-FOOTER_SIZE:-8], str(path))
    footer.varint(), footer.varint()  # the metaindex block: empty in checkpoints
    index = _block(table, footer, path)
    entries = []
    for _, handle in _block_entries(index, path):
        entries += _block_entries(_block(table, _Reader(handle, str(path)), path), path)
    return entries


def _shape(message: bytes, what: str) -> tuple[int, ...]:
    """The dimensions of a ``TensorShapeProto`` (field 2: repeated dims, each with its size in field 1)."""
    dims = []
    for number, value in _fields(message, what):
        if number == 3 and value:
            raise FileFormatError(f"{what}: a tensor of unknown rank")
        if number == 2:
            sizes = [size for field, size in _fields(value, what) if field == 1]
            dims.append(sizes[-1] if sizes else 0)
    return tuple(dims)


def checkpoint_files(path: str | os.PathLike) -> tuple[Path, Path]:
    """The index and data files of the checkpoint at ``path``: a folder holding exactly one ``PREFIX.index``
    (TeachMyAgent's folders hold ``.index``, an empty prefix), or a prefix itself (``model.ckpt`` for
    ``model.ckpt.index``).

    Raises:
        FileFormatError: when no index, or more than one, is found.
    """
    path = Path(path)
    if path.is_dir():
        indexes = sorted(path.glob("*.index"))
        if len(indexes) != 1:
            found = ", ".join(index.name for index in indexes) or "none"
            raise FileFormatError(f"{path}: expected a folder holding one TensorFlow checkpoint (a PREFIX.index "
                                  f"file beside PREFIX{DATA_SUFFIX}), found index files: {found}")
        index = indexes[0]
    else:
        index = path.with_name(path.name + ".index")
        if not index.is_file():
            raise FileFormatError(f"{path}: neither a folder nor a checkpoint prefix (no {index.name} beside it)")
    return index, index.with_name(index.name[:-len(".index")] + DATA_SUFFIX)


def read_checkpoint(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The variables of the single-shard TensorFlow 1 checkpoint at ``path`` (see :func:`checkpoint_files`), by
    name, as read-only numpy arrays of their stored dtype and shape.

    Raises:
        FileFormatError: for a file that is not a checkpoint, a damaged one (a CRC-32C mismatch, bytes past the
            data file's end), several shards, or a dtype other than float16/32/64 and int32/64.
    """
    index_path, data_path = checkpoint_files(path)
    entries = _table_entries(index_path)
    if not entries or entries[0][0] != HEADER_KEY:
        raise FileFormatError(f"{index_path}: no bundle header (the empty key); not a TensorFlow checkpoint")
    header = dict(_fields(entries[0][1], f"{index_path}: bundle header"))
    if header.get(1, 0) != 1:
        raise FileFormatError(f"{index_path}: a checkpoint in {header.get(1, 0)} shards; expected one")
    if header.get(2, 0) != 0:
        raise FileFormatError(f"{index_path}: a big-endian checkpoint; expected little-endian")
    if not data_path.is_file():
        raise FileFormatError(f"{index_path}: its data file {data_path.name} is missing")
    data = data_path.read_bytes()
    variables = {}
    for key, value in entries[1:]:
        name = key.decode("utf-8", errors="replace")
        what = f"{index_path}: variable {name!r}"
        fields = dict(_fields(value, what))
        dtype = DTYPES.get(fields.get(1, 0))
        if dtype is None:
            raise FileFormatError(f"{what} has TensorFlow dtype {fields.get(1, 0)}; expected one of "
                                  f"{sorted(DTYPES)} (float16/32/64, int32/64)")
        shape = _shape(fields.get(2, b""), what)
        offset, size = fields.get(4, 0), fields.get(5, 0)
        if fields.get(3, 0) != 0 or 7 in fields:
            raise FileFormatError(f"{what} is stored in slices or another shard; expected one whole tensor")
        if size != int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize or offset + size > len(data):
            raise FileFormatError(f"{what}: {size} bytes at offset {offset} do not hold a {shape} tensor of "
                                  f"{np.dtype(dtype)} within the data file's {len(data)} bytes")
        raw = data[offset:offset + size]
        if masked_crc32c(raw) != fields.get(6):
            raise FileFormatError(f"{what} fails its CRC-32C check (a damaged data file)")
        array = np.frombuffer(raw, dtype=dtype).reshape(shape)
        variables[name] = array
    return variables
