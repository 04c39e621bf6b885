#!/usr/bin/python3
"""Regenerates the fixtures under tests/data/io and tests/data/bad.

Run from anywhere with Debian's /usr/bin/python3 (numpy + scipy). The outputs are committed; the
script documents how each binary fixture was made. The .ffm fixtures are written from the layout
in docs/formats.md, independently of the C++ writer, so the tests also check the spec.
"""
import io
import os
import struct
import zipfile
import zlib

import numpy as np
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))
IO = HERE
BAD = os.path.join(os.path.dirname(HERE), "bad")

# The 3x3 matrix every good fixture holds (row-major, 0-based).
ROWS = [0, 0, 1, 1, 2, 2]
COLS = [0, 2, 0, 1, 1, 2]
VALS = [5.0, 1.5, 2.0, 0.1, 1.0 / 3.0, 1e-300]
SMALL = sp.csr_matrix((VALS, (ROWS, COLS)), shape=(3, 3))


def write(path, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, newline="" if mode == "w" else None) as f:
        f.write(data)


def ffm_bytes(n_rows, n_cols, row_ptr, col_idx, values, version=1):
    """The .ffm layout of docs/formats.md."""
    nnz = len(col_idx)
    row_ptr_off = 128
    col_idx_off = row_ptr_off + 8 * (n_rows + 1)
    values_off = (col_idx_off + 4 * nnz + 7) // 8 * 8
    end = values_off + 8 * nnz
    payload = (np.asarray(row_ptr, "<i8").tobytes() + np.asarray(col_idx, "<i4").tobytes())
    payload += b"\0" * (values_off - col_idx_off - 4 * nnz)
    payload += np.asarray(values, "<f8").tobytes()
    head = b"FLOWFIT\0" + struct.pack("<II", version, 128)
    head += struct.pack("<qqqQQQQ", n_rows, n_cols, nnz, row_ptr_off, col_idx_off, values_off, end)
    head += struct.pack("<II", zlib.crc32(payload), 0) + b"\0" * 44
    head += struct.pack("<I", zlib.crc32(head))
    assert len(head) == 128
    return head + payload


def npz_bytes(arrays, compressed=True):
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


def csr_arrays(m, **override):
    a = dict(indices=m.indices, indptr=m.indptr, format=b"csr", shape=np.array(m.shape), data=m.data)
    a.update(override)
    return a


def good_files():
    sp.save_npz(os.path.join(IO, "small_csr_compressed.npz"), SMALL, compressed=True)
    sp.save_npz(os.path.join(IO, "small_csc_stored.npz"), SMALL.tocsc(), compressed=False)
    coo = sp.coo_matrix((VALS[::-1], (ROWS[::-1], COLS[::-1])), shape=(3, 3))  # unsorted
    sp.save_npz(os.path.join(IO, "small_coo_unsorted.npz"), coo, compressed=True)
    write(os.path.join(IO, "small_csr_int64_float32.npz"), npz_bytes(csr_arrays(
        SMALL, indices=SMALL.indices.astype("<i8"), indptr=SMALL.indptr.astype("<i8"),
        data=np.array([5, 1.5, 2, 0.25, 0.5, 0.125], "<f4"))))
    write(os.path.join(IO, "small_csr_int_data.npz"), npz_bytes(csr_arrays(
        SMALL, indices=SMALL.indices.astype("<u2"), data=np.array([5, 1, 2, 0, 3, 4], "<i8")),
        compressed=False))
    write(os.path.join(IO, "small.ffm"),
          ffm_bytes(3, 3, SMALL.indptr, SMALL.indices, SMALL.data))


def bad_npz():
    m = SMALL
    cases = {
        "npz_wrong_format": csr_arrays(m, format=b"bsr"),
        "npz_index_out_of_range": csr_arrays(m, indices=np.array([0, 2, 0, 1, 5, 2], "<i4")),
        "npz_bad_indptr": csr_arrays(m, indptr=np.array([0, 4, 2, 6], "<i4")),
        "npz_indptr_wrong_length": csr_arrays(m, indptr=np.array([0, 2, 6], "<i4")),
        "npz_negative_data": csr_arrays(m, data=np.array([5, 1.5, -2, 0.1, 0.3, 1], "<f8")),
        "npz_nan_data": csr_arrays(m, data=np.array([5, 1.5, 2, np.nan, 0.3, 1], "<f8")),
        "npz_big_endian": csr_arrays(m, data=m.data.astype(">f8")),
        "npz_complex_data": csr_arrays(m, data=m.data.astype("<c16")),
        "npz_shape_wrong_size": csr_arrays(m, shape=np.array([3, 3, 3])),
        "npz_duplicate_coo": dict(row=np.array([0, 1, 0], "<i4"), col=np.array([2, 1, 2], "<i4"),
                                  format=b"coo", shape=np.array([3, 3]),
                                  data=np.array([1.0, 2.0, 3.0])),
    }
    for name, arrays in cases.items():
        write(os.path.join(BAD, name + ".npz"), npz_bytes(arrays))
    missing = csr_arrays(m)
    del missing["indptr"]
    write(os.path.join(BAD, "npz_missing_indptr.npz"), npz_bytes(missing))
    # Object arrays are pickles: never loaded.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for key, value in csr_arrays(m).items():
            arr = np.asarray(value, dtype=object) if key == "data" else np.asarray(value)
            with z.open(key + ".npy", "w") as f:
                np.lib.format.write_array(f, arr, allow_pickle=True)
    write(os.path.join(BAD, "npz_object_dtype.npz"), buf.getvalue())
    good = npz_bytes(csr_arrays(m))
    write(os.path.join(BAD, "npz_truncated.npz"), good[: len(good) // 2])
    write(os.path.join(BAD, "npz_not_zip.npz"), b"this is not a zip archive\n")
    # A stored archive with one byte of data.npy flipped: the CRC check must catch it.
    stored = bytearray(npz_bytes(csr_arrays(m), compressed=False))
    at = stored.find(np.asarray(m.data, "<f8").tobytes())
    stored[at + 3] ^= 0x40
    write(os.path.join(BAD, "npz_corrupt_member.npz"), bytes(stored))


def bad_ffm():
    good = ffm_bytes(3, 3, SMALL.indptr, SMALL.indices, SMALL.data)
    write(os.path.join(BAD, "ffm_bad_magic.ffm"), b"FLOWFIX\0" + good[8:])
    write(os.path.join(BAD, "ffm_bad_version.ffm"),
          ffm_bytes(3, 3, SMALL.indptr, SMALL.indices, SMALL.data, version=99))
    write(os.path.join(BAD, "ffm_truncated.ffm"), good[:-5])
    write(os.path.join(BAD, "ffm_truncated_header.ffm"), good[:60])
    flipped = bytearray(good)
    flipped[-1] ^= 0x01
    write(os.path.join(BAD, "ffm_bad_checksum.ffm"), bytes(flipped))
    neg = ffm_bytes(3, 3, SMALL.indptr, SMALL.indices, [5, 1.5, 2, -0.1, 0.3, 1])
    write(os.path.join(BAD, "ffm_negative_value.ffm"), neg)


# Text fixtures: name -> exact bytes.
GOOD_TEXT = {
    "small.mtx": "%%MatrixMarket matrix coordinate real general\n% the 3x3 fixture\n%\n3 3 6\n"
                 "1 1 5\n1 3 1.5\n2 1 2\n2 2 0.10000000000000001\n3 2 0.33333333333333331\n"
                 "3 3 1e-300\n",
    "small_unsorted_crlf.mtx": "%%MatrixMarket matrix coordinate real general\r\n3 3 6\r\n"
                               "3 3 1e-300\r\n2 2 0.1\r\n1 3 1.5\r\n\r\n1 1 5\r\n3 2 "
                               "0.33333333333333331\r\n2 1 2",
    "small_symmetric.mtx": "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 1\n2 1 2\n"
                           "3 1 3\n3 3 4\n",
    "small_pattern.mtx": "%%matrixmarket MATRIX Coordinate Pattern General\n2 3 2\n1 3\n2 1\n",
    "small_integer.mtx": "%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 2 7\n2 2 +9\n",
    "geo_small.csv": "index,cbg_geoid,county_fips,note\n0,060010001001,06001,plain\n"
                     "1,060010001002,06001,\"with, comma\"\n2,060010002001,06001,\"say \"\"hi\"\"\"\n",
    "mapping_small.csv": "cbg_geoid,county_fips\n060010001001,06001\n060010001002,06001\n"
                         "060010002001,06003\n",
    "triplets_small.csv": "origin,destination,value\n060010001001,060010001001,5\n"
                          "060010001001,060010002001,1.5\n060010001002,060010001001,2\n"
                          "060010001002,060010001002,0.1\n060010002001,060010001002,"
                          "0.33333333333333331\n060010002001,060010002001,1e-300\n",
    "bom_crlf_quoted.csv": "\ufeffname,value,comment\r\n\"a,b\",1,\"line one\r\nline two\"\r\n"
                           "plain,-2.5e3,\"\"\"quoted\"\"\"\r\n\r\nÿ ünïcödé,+7,\r\n",
}

BAD_TEXT = {
    "csv_empty.csv": "",
    "csv_nan_value.csv": "id,value\na,1\nb,nan\n",
    "csv_inf_value.csv": "id,value\na,inf\n",
    "csv_negative_value.csv": "id,value\na,1\nb,2\nc,-3\n",
    "csv_non_numeric.csv": "id,value\na,12x\n",
    "csv_overflow_value.csv": "id,value\na,1e999\n",
    "csv_empty_value.csv": "id,value\na,\n",
    "csv_missing_column.csv": "id,amount\na,1\n",
    "csv_too_few_fields.csv": "id,value\na,1\nb\n",
    "csv_too_many_fields.csv": "id,value\na,1,2\n",
    "csv_duplicate_key.csv": "id,value\na,1\nb,2\na,3\n",
    "csv_duplicate_header.csv": "id,value,id\na,1,b\n",
    "csv_invalid_utf8.csv": b"id,value\na\xff,1\n",
    "csv_unterminated_quote.csv": "id,value\n\"a,1\nb,2\n",
    "csv_junk_after_quote.csv": "id,value\n\"a\"x,1\n",
    "csv_bom_crlf_nan_value.csv": "\ufeffid,value\r\na,1\r\nb,NaN\r\n",
    "csv_quoted_newline_then_bad.csv": "id,value\n\"multi\nline\",1\nb,x\n",
    "tsv_non_numeric.tsv": "id\tvalue\na\t1\nb\tone\n",
    "mtx_empty.mtx": "",
    "mtx_not_matrix_market.mtx": "1 2 3\n",
    "mtx_bad_banner.mtx": "%%MatrixMarket matrix coordinate real\n1 1 1\n1 1 1\n",
    "mtx_complex.mtx": "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n",
    "mtx_array.mtx": "%%MatrixMarket matrix array real general\n1 1\n1\n",
    "mtx_bad_size_line.mtx": "%%MatrixMarket matrix coordinate real general\n% c\n3 3\n1 1 1\n",
    "mtx_truncated.mtx": "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 1\n2 2 2\n",
    "mtx_extra_entries.mtx": "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 1\n2 2 2\n",
    "mtx_duplicate_entry.mtx": "%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n"
                               "2 2 1\n1 1 2\n",
    "mtx_row_out_of_range.mtx": "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\n"
                                "4 1 1\n",
    "mtx_col_zero.mtx": "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 0 1\n",
    "mtx_fractional_index.mtx": "%%MatrixMarket matrix coordinate real general\n3 3 1\n1.5 1 1\n",
    "mtx_nan_value.mtx": "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\n2 2 nan\n",
    "mtx_inf_value.mtx": "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 -inf\n",
    "mtx_negative_value.mtx": "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 -1e-3\n",
    "mtx_non_numeric_value.mtx": "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 one\n",
    "mtx_missing_value.mtx": "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1\n",
    "mtx_extra_text.mtx": "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 2 junk\n",
    "mtx_symmetric_not_square.mtx": "%%MatrixMarket matrix coordinate real symmetric\n2 3 1\n"
                                    "1 1 1\n",
    "mtx_symmetric_duplicate.mtx": "%%MatrixMarket matrix coordinate real symmetric\n3 3 2\n2 1 1\n"
                                   "1 2 1\n",
    "triplets_unknown_geoid.csv": "origin,destination,value\n060010001001,060010001001,5\n"
                                  "060010001001,069999999999,1\n",
    "triplets_duplicate_pair.csv": "origin,destination,value\n060010001001,060010001001,5\n"
                                   "060010001002,060010001001,1\n060010001001,060010001001,2\n",
    "triplets_negative_value.csv": "origin,destination,value\n060010001001,060010001001,-5\n",
    "triplets_missing_column.csv": "origin,destination,count\n060010001001,060010001001,5\n",
    "geography_duplicate_geoid.csv": "cbg_geoid\n060010001001\n060010001002\n060010001001\n",
    "geography_empty_geoid.csv": "index,cbg_geoid\n0,060010001001\n1,\n",
    "mapping_duplicate_unit.csv": "cbg_geoid,county_fips\n060010001001,06001\n"
                                  "060010001001,06001\n",
}


def text_files():
    for name, data in GOOD_TEXT.items():
        write(os.path.join(IO, name), data.encode() if isinstance(data, str) else data)
    for name, data in BAD_TEXT.items():
        write(os.path.join(BAD, name), data.encode() if isinstance(data, str) else data)


if __name__ == "__main__":
    good_files()
    bad_npz()
    bad_ffm()
    text_files()
