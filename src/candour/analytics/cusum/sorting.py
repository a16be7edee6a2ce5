"""Fast, exact, deterministic grouping and sorting of many rows into series (compiled with
numba): dense series codes from row hashes, and a stable counting sort on a packed key.

Series codes: Polars hashes each row's group values to 64 bits; a hash table gives each distinct
hash a dense code in order of first appearance. Two different series would share a code only if
their hashes collided, so a second hash with another seed is compared, in the same pass, with the
first row of every code, and any disagreement falls back to an exact (slower) method: the codes
are exact either way.

Sorting: the key (series code, then time) is a small non-negative integer for national data, so a
counting sort orders n rows in O(n + key range), keeping rows with equal keys in input order.
"""

from __future__ import annotations

import numba
import numpy as np

FIRST_TABLE_SIZE = 1 << 10
# A counting sort is used while the key range is at most this many times the row count (plus a
# floor for small inputs); beyond that a comparison sort is cheaper in memory.
COUNTING_RANGE_PER_ROW = 4
COUNTING_RANGE_FLOOR = 1 << 22


@numba.njit(cache=True, nogil=True)
def dense_codes(hashes, checks):  # pragma: no cover - compiled
    """A dense code per row (0, 1, ... in order of first appearance) from ``hashes``, and
    whether every row's ``checks`` value (a second, independent hash) agrees with that of the
    first row given the same code. False means two different series collided."""
    size = FIRST_TABLE_SIZE
    keys = np.zeros(size, dtype=np.uint64)
    seconds = np.zeros(size, dtype=np.uint64)
    codes = np.full(size, -1, dtype=np.int64)
    n = hashes.shape[0]
    out = np.empty(n, dtype=np.int64)
    count = 0
    for i in range(n):
        value = hashes[i]
        slot = np.int64(value & np.uint64(size - 1))
        while codes[slot] != -1 and keys[slot] != value:
            slot = (slot + 1) & (size - 1)
        if codes[slot] != -1:
            if seconds[slot] != checks[i]:
                return out, False
            out[i] = codes[slot]
            continue
        keys[slot] = value
        seconds[slot] = checks[i]
        codes[slot] = count
        out[i] = count
        count += 1
        if 2 * count > size:
            old_keys, old_seconds, old_codes = keys, seconds, codes
            size *= 2
            keys = np.zeros(size, dtype=np.uint64)
            seconds = np.zeros(size, dtype=np.uint64)
            codes = np.full(size, -1, dtype=np.int64)
            for j in range(old_keys.shape[0]):
                if old_codes[j] != -1:
                    s = np.int64(old_keys[j] & np.uint64(size - 1))
                    while codes[s] != -1:
                        s = (s + 1) & (size - 1)
                    keys[s] = old_keys[j]
                    seconds[s] = old_seconds[j]
                    codes[s] = old_codes[j]
    return out, True


def counting_sort_fits(key: np.ndarray) -> bool:
    if not len(key):
        return True
    low, high = int(key.min()), int(key.max())
    return low >= 0 and high < max(COUNTING_RANGE_PER_ROW * len(key), COUNTING_RANGE_FLOOR)


def counting_sort(key: np.ndarray) -> np.ndarray:
    """The stable sorting permutation of a non-negative int64 key of small range."""
    return _counting_sort(key, int(key.max()) + 1 if len(key) else 0)


@numba.njit(cache=True, nogil=True)
def _counting_sort(key, size):  # pragma: no cover - compiled
    starts = np.zeros(size + 1, dtype=np.int64)
    for k in key:
        starts[k + 1] += 1
    for j in range(size):
        starts[j + 1] += starts[j]
    permutation = np.empty(key.shape[0], dtype=np.int64)
    for i in range(key.shape[0]):
        k = key[i]
        permutation[starts[k]] = i
        starts[k] += 1
    return permutation
