"""course_lib.landscapes: analytic gradients and Hessians against numerical differences, the listed
minima, vectorisation over grids, dtypes, and what each start point shows."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.landscapes import LANDSCAPES, get_landscape
from course_lib.optimizers import SGD

NAMES = list(LANDSCAPES)
H = 1e-4  # difference step; with the five-point formula below only round-off, ~ eps |f| / h, is left


def _draw_point(data, name):
    """The landscape `name` and a point drawn by hypothesis inside its bounds."""
    landscape = get_landscape(name)
    coordinates = [st.floats(low, high, allow_nan=False) for low, high in landscape.bounds]
    return landscape, np.array(data.draw(st.tuples(*coordinates)))


def _central_difference(function, p: np.ndarray) -> np.ndarray:
    """d function / d p_i for each coordinate i by the five-point central difference

        (-F(p + 2h e_i) + 8 F(p + h e_i) - 8 F(p - h e_i) + F(p - 2h e_i)) / (12 h),

    whose truncation error (h^4 F^(5) / 30) vanishes for the polynomials of degree <= 4 used here,
    so the analytic formulas are compared with a quotient of function values that carries round-off
    only. Returns an array with a last axis of length dim: the numerical gradient of f or, for
    function = grad, the numerical Hessian (column i = d grad / d p_i)."""
    shifts = H * np.eye(p.shape[-1])
    return np.stack([(-function(p + 2 * e) + 8 * function(p + e) - 8 * function(p - e)
                      + function(p - 2 * e)) / (12 * H) for e in shifts], axis=-1)


def _assert_relative_error_below(analytic, numerical, scale, tol=1e-7):
    """|a - b| / (|a| + |b|) < tol, except that the denominator is at least 1e-3 * (1 + scale):
    where an entry is near 0 (a degenerate point) the round-off of the difference quotient,
    about eps * scale / h, is larger than the entry itself."""
    denominator = np.maximum(np.abs(analytic) + np.abs(numerical), 1e-3 * (1 + scale))
    error = np.abs(analytic - numerical) / denominator
    assert error.max() < tol, f"analytic {analytic}, numerical {numerical}, relative error {error}"


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60)
@given(data=st.data())
def test_gradient_matches_central_differences_of_f(name, data):
    landscape, p = _draw_point(data, name)
    _assert_relative_error_below(landscape.grad(p), _central_difference(landscape.f, p),
                                 scale=abs(float(landscape.f(p))))


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60)
@given(data=st.data())
def test_hessian_matches_central_differences_of_the_gradient(name, data):
    landscape, p = _draw_point(data, name)
    hessian = landscape.hessian(p)
    _assert_relative_error_below(hessian, _central_difference(landscape.grad, p),
                                 scale=np.abs(landscape.grad(p)).max())
    np.testing.assert_array_equal(hessian, hessian.T)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_is_checked_at_points_where_it_is_large(name):
    """The start point has a clear gradient: the numerical check above is not only about tiny values."""
    landscape = get_landscape(name)
    g = landscape.grad(landscape.start)
    assert np.linalg.norm(g) > 0.5
    _assert_relative_error_below(g, _central_difference(landscape.f, landscape.start),
                                 scale=0.0, tol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_listed_minima_have_zero_gradient_and_are_minima(name):
    landscape = get_landscape(name)
    assert landscape.minima, "every landscape lists at least one minimum"
    rng = np.random.default_rng(0)
    for m in landscape.minima:
        assert m.shape == (landscape.dim,)
        np.testing.assert_allclose(landscape.grad(m), 0.0, atol=1e-12)
        assert np.all(np.linalg.eigvalsh(landscape.hessian(m)) > 0)
        nearby = m + 1e-3 * rng.normal(size=(100, landscape.dim))
        assert np.all(landscape.f(nearby) > landscape.f(m))


@pytest.mark.parametrize("name", NAMES)
def test_minima_are_sorted_global_first_and_lie_inside_the_bounds_with_the_start(name):
    landscape = get_landscape(name)
    values = [float(landscape.f(m)) for m in landscape.minima]
    assert values == sorted(values)
    low, high = np.array(landscape.bounds).T
    for point in [*landscape.minima, landscape.start]:
        assert np.all((low <= point) & (point <= high)), point
    assert len(landscape.bounds) == landscape.dim and np.all(low < high)


@pytest.mark.parametrize("name", NAMES)
def test_global_minimum_is_the_lowest_value_on_a_fine_grid(name):
    landscape = get_landscape(name)
    axes = [np.linspace(low, high, 301) for low, high in landscape.bounds]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)
    assert landscape.f(grid).min() >= landscape.f(landscape.minima[0]) - 1e-12


def test_registry_holds_the_documented_landscapes_with_their_dimensions():
    dims = {name: landscape.dim for name, landscape in LANDSCAPES.items()}
    assert dims == {"bowl": 2, "ill_conditioned": 2, "rosenbrock": 2, "local_minimum": 2, "saddle": 2,
                    "parabola": 1, "double_well": 1}
    for name, landscape in LANDSCAPES.items():
        assert landscape.name == name and "f(" in landscape.description
        assert landscape.start.shape == (landscape.dim,)


def test_unknown_landscape_lists_the_valid_names():
    with pytest.raises(ValueError, match="name: unknown name 'himmelblau'; expected one of bowl, "
                                         "double_well, ill_conditioned, local_minimum, parabola, "
                                         "rosenbrock, saddle"):
        get_landscape("himmelblau")


@pytest.mark.parametrize("name", NAMES)
def test_f_and_grad_work_on_a_whole_grid_at_once(name):
    landscape = get_landscape(name)
    rng = np.random.default_rng(1)
    low, high = np.array(landscape.bounds).T
    grid = rng.uniform(low, high, size=(4, 5, landscape.dim))
    values, gradients = landscape.f(grid), landscape.grad(grid)
    assert values.shape == (4, 5) and gradients.shape == (4, 5, landscape.dim)
    for index in np.ndindex(4, 5):
        assert values[index] == landscape.f(grid[index])
        np.testing.assert_array_equal(gradients[index], landscape.grad(grid[index]))
    assert landscape.f(grid[0, 0]).shape == ()


@pytest.mark.parametrize("name", NAMES)
def test_float32_points_give_float32_results_close_to_float64(name):
    landscape = get_landscape(name)
    p64 = landscape.start
    p32 = p64.astype(np.float32)
    for method in (landscape.f, landscape.grad, landscape.hessian):
        result = method(p32)
        assert result.dtype == np.float32, method.__name__
        np.testing.assert_allclose(result, method(p64), rtol=1e-5, atol=1e-5)


def test_points_of_the_wrong_shape_are_explained():
    bowl, parabola = get_landscape("bowl"), get_landscape("parabola")
    with pytest.raises(ValueError, match=r"p: expected shape \(\.\.\., 2\) .* got \(3,\)"):
        bowl.f(np.zeros(3))
    with pytest.raises(ValueError, match=r"p: expected shape \(\.\.\., 1\) .*'parabola'.* got \(5,\)"):
        parabola.grad(np.zeros(5))
    with pytest.raises(ValueError, match=r"p: expected shape \(2,\) .* got \(4, 2\)"):
        bowl.hessian(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="p: expected finite numbers, got 1 NaN"):
        bowl.grad([np.nan, 0.0])


def test_minima_and_start_cannot_be_changed_by_accident():
    rosenbrock = get_landscape("rosenbrock")
    with pytest.raises(ValueError, match="read-only"):
        rosenbrock.start[0] = 5.0
    with pytest.raises(ValueError, match="read-only"):
        rosenbrock.minima[0] += 1.0


# ---------------------------------------------------------------- what the surfaces show

def _gradient_descent(landscape, lr, n_steps, start=None):
    params = {"p": np.array(landscape.start if start is None else start, dtype=np.float64)}
    optimizer, path = SGD(lr=lr), [params["p"].copy()]
    for _ in range(n_steps):
        optimizer.update(params, {"p": landscape.grad(params["p"])})
        path.append(params["p"].copy())
    return np.array(path)


@pytest.mark.parametrize("name", ["double_well", "local_minimum"])
def test_gradient_descent_from_the_start_is_trapped_in_the_local_minimum(name):
    landscape = get_landscape(name)
    global_minimum, local_minimum = landscape.minima
    assert landscape.f(global_minimum) < landscape.f(local_minimum) - 1
    end = _gradient_descent(landscape, lr=0.02, n_steps=2000)[-1]
    np.testing.assert_allclose(end, local_minimum, atol=1e-6)
    # ... while from the other side of the hump it finds the global minimum
    other_side = global_minimum + 0.8
    end = _gradient_descent(landscape, lr=0.02, n_steps=2000, start=other_side)[-1]
    np.testing.assert_allclose(end, global_minimum, atol=1e-6)


@pytest.mark.parametrize("name", ["saddle", "local_minimum"])
def test_the_origin_is_a_saddle_point(name):
    landscape = get_landscape(name)
    origin = np.zeros(2)
    np.testing.assert_array_equal(landscape.grad(origin), 0.0)
    low, high = np.linalg.eigvalsh(landscape.hessian(origin))
    assert low < 0 < high


def test_descent_from_the_saddle_start_stalls_near_the_saddle_then_escapes():
    saddle = get_landscape("saddle")
    path = _gradient_descent(saddle, lr=0.1, n_steps=150)
    near_saddle = np.linalg.norm(path, axis=-1) < 0.1
    assert near_saddle.sum() >= 25                      # it lingers at (0, 0), where the gradient is ~0
    np.testing.assert_allclose(path[-1], saddle.minima[0], atol=1e-3)   # ... then the way down
    # exactly on the ridge y = 0 the gradient never points off it: descent ends on the saddle
    stuck = _gradient_descent(saddle, lr=0.1, n_steps=150, start=[-2.0, 0.0])[-1]
    np.testing.assert_allclose(stuck, [0.0, 0.0], atol=1e-12)


def test_rosenbrock_valley_is_steep_across_and_flat_along():
    rosenbrock = get_landscape("rosenbrock")
    eigenvalues = np.linalg.eigvalsh(rosenbrock.hessian(rosenbrock.minima[0]))
    assert eigenvalues.max() / eigenvalues.min() > 1000
    ill = get_landscape("ill_conditioned")
    eigenvalues = np.linalg.eigvalsh(ill.hessian(ill.start))
    assert eigenvalues.max() / eigenvalues.min() == pytest.approx(20)
