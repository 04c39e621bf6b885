#!/usr/bin/env python3
"""Writes the hostile .npz fixtures of the bad-input catalogue (tests/data/bad/npz_hostile_*).

Plain Python (zipfile + struct), no numpy: each member is a hand-written .npy, so that headers
numpy itself would refuse to write (overflowing shapes, absurd dtypes) can be made. Run from
anywhere; the files are written next to this script. Output is deterministic.
"""
import os
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def npy(descr, shape, data=b"", version=1):
    shape_text = "(" + "".join(f"{d}, " if len(shape) > 1 else f"{d}," for d in shape).rstrip(" ") + ")"
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    pre = 10 if version == 1 else 12
    pad = (64 - (pre + len(d) + 1) % 64) % 64
    d = d + " " * pad + "\n"
    if version == 1:
        head = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d))
    else:
        head = b"\x93NUMPY\x02\x00" + struct.pack("<I", len(d))
    return head + d.encode("latin-1") + data


def fmt(name):
    return npy("|S%d" % len(name), (), name.encode())


def write(name, members, compress=zipfile.ZIP_STORED):
    path = os.path.join(HERE, name)
    with zipfile.ZipFile(path, "w", compress) as z:
        for member, data in members:
            info = zipfile.ZipInfo(member + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compress
            z.writestr(info, data)


def i64(values):
    return b"".join(struct.pack("<q", v) for v in values)


BIG = 2**31 - 1
# A 2^31-1 square shape and no entries: 16 GiB of row pointers if believed.
write("npz_hostile_huge_shape_coo.npz", [
    ("format", fmt("coo")), ("shape", npy("<i8", (2,), i64([BIG, BIG]))),
    ("row", npy("<i8", (0,))), ("col", npy("<i4", (0,))), ("data", npy("<f8", (0,)))])
write("npz_hostile_huge_shape_csc.npz", [
    ("format", fmt("csc")), ("shape", npy("<i8", (2,), i64([1, BIG]))),
    ("indptr", npy("<i8", (0,))), ("indices", npy("<i4", (0,))), ("data", npy("<f8", (0,)))])
# Shape product overflows int64 (2^62 * 4): the element count must be computed checked.
write("npz_hostile_shape_overflow.npz", [
    ("format", fmt("csr")), ("shape", npy("<i8", (2,), i64([2, 2]))),
    ("data", npy("<f8", (2**62, 4))), ("indices", npy("<i4", (0,))),
    ("indptr", npy("<i8", (3,), i64([0, 0, 0])))])
# A 1-d shape whose byte size overflows (2^61 float64 elements).
write("npz_hostile_bytes_overflow.npz", [
    ("format", fmt("csr")), ("shape", npy("<i8", (2,), i64([2, 2]))),
    ("data", npy("<f8", (2**61,))), ("indices", npy("<i4", (0,))),
    ("indptr", npy("<i8", (3,), i64([0, 0, 0])))])
# '<U1073741824': 4 GiB per item; must be rejected before anything is allocated.
write("npz_hostile_huge_dtype.npz", [("format", npy("<U1073741824", ()))])
# A version 2 header claiming a 4 GiB dict.
write("npz_hostile_header_length.npz", [
    ("format", b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFF0) + b"{'descr'")])
# Zip bomb: 'data' inflates to 80 MB of zeros from ~80 KB, and its deflate stream is cut short
# (corrupt) after the first bytes; 'indices' disagrees with 'data' in length. The cheap check
# (indices length) must fire before 'data' is inflated, so the error names 'indices', not a
# corrupt 'data'.
N = 2_000_000
write("npz_hostile_zip_bomb.npz", [
    ("format", fmt("csr")), ("shape", npy("<i8", (2,), i64([2, 2]))),
    ("data", npy("<f8", (N,), bytes(8 * N))), ("indices", npy("<i4", (3,), bytes(12))),
    ("indptr", npy("<i8", (3,), i64([0, 0, N])))], zipfile.ZIP_DEFLATED)
path = os.path.join(HERE, "npz_hostile_zip_bomb.npz")
with zipfile.ZipFile(path) as z:
    info = z.getinfo("data.npy")
raw = bytearray(open(path, "rb").read())
name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
start = info.header_offset + 30 + name_len + extra_len
middle = start + info.compress_size // 2
raw[middle:middle + 16] = b"\x5a\xa5\x13\x37" * 4  # past the .npy header: only a full inflate sees it
open(path, "wb").write(bytes(raw))
