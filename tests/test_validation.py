"""all_finite and check_finite (course_lib.validation): the fast sum-of-squares test and its fallback."""
from __future__ import annotations

import numpy as np
import pytest

from course_lib.validation import all_finite, check_finite


def in_layout(base: np.ndarray, layout: str) -> np.ndarray:
    """An array holding values of `base` as C-ordered, Fortran-ordered, strided, 0-d or empty."""
    return {"C": base, "Fortran": np.asfortranarray(base), "strided": base[::2, 1::3],
            "0-d": base[0, 0, ...], "empty": base[:0]}[layout]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["C", "Fortran", "strided", "0-d", "empty"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_all_finite_finds_a_single_nan_or_inf_anywhere(dtype, layout, bad):
    def fresh():
        return in_layout(np.random.default_rng(0).standard_normal((30, 17)).astype(dtype), layout)

    assert all_finite(fresh())
    for index in sorted({0, fresh().size // 2, fresh().size - 1} if fresh().size else set()):
        a = fresh()
        a.flat[index] = bad  # .flat writes through any layout
        assert not all_finite(a), (layout, index)


@pytest.mark.parametrize("dtype, big", [(np.float32, 1e30), (np.float64, 1e200)])
def test_values_whose_squares_overflow_are_still_finite(dtype, big):
    a = np.full(1000, big, dtype=dtype)
    with np.errstate(over="ignore"):
        assert np.isinf(a @ a)  # the fast test cannot tell: the fallback looks at each value
    assert all_finite(a)
    a[-1] = np.inf
    assert not all_finite(a)


def test_check_finite_counts_what_it_found():
    a = np.zeros((4, 5), dtype=np.float32)
    a[0, 0], a[1, 1], a[3, 4] = np.nan, np.inf, -np.inf
    with pytest.raises(ValueError, match=r"grads: expected finite numbers, got 1 NaN and 2 inf "
                                         r"value\(s\) in an array of shape \(4, 5\)"):
        check_finite(a, "grads")
    check_finite(np.arange(3), "integers")  # integers are always finite
