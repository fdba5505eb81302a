"""course_lib.normalization.BatchNorm against torch.nn.BatchNorm1d (recorded values), numerical
gradients, and its own promises: training and inference modes, running averages, dtypes, errors.

The reference values were recorded by scripts/record_init_batchnorm_golden.py; these tests replay
them with numpy only (no torch import).
"""
import json
from pathlib import Path

import numpy as np
import pytest
from gradcheck_log import assert_gradient_matches as check
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_lib.gradient import numerical_gradient
from course_lib.normalization import BatchNorm

GOLDEN = np.load(Path(__file__).parent / "fixtures" / "init_batchnorm_golden.npz")
META = json.loads(str(GOLDEN["meta"]))


def golden(case, name):
    return GOLDEN[f"{case['id']}__{name}"]


def tolerances(case):
    return {"rtol": 1e-10, "atol": 1e-12} if case["dtype"] == "float64" else {"rtol": 1e-5, "atol": 1e-5}


def test_golden_file_covers_dtypes_momenta_and_the_smallest_batch():
    cases = META["batchnorm"]
    assert {c["dtype"] for c in cases} == {"float64", "float32"}
    assert len({c["momentum"] for c in cases}) >= 2 and len({c["eps"] for c in cases}) >= 2
    assert min(c["n"] for c in cases) == 2 and all(c["steps"] >= 2 for c in cases)


@pytest.mark.parametrize("case", META["batchnorm"], ids=lambda c: c["id"])
def test_training_steps_backward_and_inference_match_torch_batchnorm1d(case):
    gamma, beta = golden(case, "gamma").copy(), golden(case, "beta").copy()
    layer = BatchNorm(gamma, beta, momentum=case["momentum"], eps=case["eps"])
    tol = tolerances(case)
    for k in range(case["steps"]):
        out = layer.forward(golden(case, f"x{k}"), train=True)
        assert out.dtype == np.dtype(case["dtype"])
        np.testing.assert_allclose(out, golden(case, f"out{k}"), **tol, err_msg=f"out after step {k}")
        np.testing.assert_allclose(layer.running_mean, golden(case, f"running_mean{k}"), **tol)
        np.testing.assert_allclose(layer.running_var, golden(case, f"running_var{k}"), **tol)
    dx = layer.backward(golden(case, "dout"))
    for name, ours in (("dx", dx), ("dgamma", layer.dgamma), ("dbeta", layer.dbeta)):
        np.testing.assert_allclose(ours, golden(case, name), **tol, err_msg=name)
    # the running variance of torch is unbiased: a biased one would differ by N/(N-1) - 1 >= 1/15
    assert not np.allclose(golden(case, f"running_var{case['steps'] - 1}"),
                           (1 - case["momentum"]) * golden(case, f"running_var{case['steps'] - 2}")
                           + case["momentum"] * golden(case, f"x{case['steps'] - 1}").var(axis=0), rtol=1e-3)
    out_eval = layer.forward(golden(case, "x_eval"), train=False)
    np.testing.assert_allclose(out_eval, golden(case, "out_eval"), **tol, err_msg="inference")
    np.testing.assert_allclose(layer.running_mean, golden(case, f"running_mean{case['steps'] - 1}"), **tol)


def bn_loss(gamma, beta, x, dout, train=True, eps=1e-5, running=None):
    """L = sum(out * dout) of a fresh layer: its gradient with respect to out is dout."""
    def loss(_):
        extra = {} if running is None else {"running_mean": running[0], "running_var": running[1]}
        return float(np.sum(BatchNorm(gamma, beta, eps=eps, **extra).forward(x, train) * dout))
    return loss


@given(data=st.data(), n=st.integers(2, 6), d=st.integers(1, 4), train=st.booleans())
def test_backward_matches_numerical_gradients(data, n, d, train, gradient_error_log):  # noqa: F811
    floats = st.floats(-3, 3)
    x = data.draw(hnp.arrays(np.float64, (n, d), elements=floats))
    dout = data.draw(hnp.arrays(np.float64, (n, d), elements=floats))
    gamma = data.draw(hnp.arrays(np.float64, d, elements=st.floats(0.5, 2)))
    beta = data.draw(hnp.arrays(np.float64, d, elements=floats))
    running = (data.draw(hnp.arrays(np.float64, d, elements=floats)),
               data.draw(hnp.arrays(np.float64, d, elements=st.floats(0.1, 4))))
    eps = 1e-1  # away from the steep 1/sqrt(var) of nearly constant features
    layer = BatchNorm(gamma, beta, eps=eps, running_mean=running[0], running_var=running[1])
    layer.forward(x, train)
    dx = layer.backward(dout)
    loss = bn_loss(gamma, beta, x, dout, train, eps, running)
    mode = "train" if train else "inference"
    for name, value, analytic in (("dx", x, dx), ("dgamma", gamma, layer.dgamma),
                                  ("dbeta", beta, layer.dbeta)):
        if np.abs(analytic).max() < 1e-9:
            # e.g. dx of a batch of two, whose normalized values are +-1 whatever x is: the true
            # gradient is 0, the numerical one round-off, and a relative error means nothing
            np.testing.assert_allclose(numerical_gradient(loss, value, h=1e-5), 0, atol=1e-8)
        else:
            check(gradient_error_log, f"BatchNorm {mode} {name}", loss, value, analytic)


def test_training_output_has_mean_beta_and_std_gamma_per_feature():
    rng = np.random.default_rng(0)
    x = rng.normal(loc=[5.0, -3.0, 100.0], scale=[0.1, 2.0, 30.0], size=(500, 3))
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
    out = BatchNorm(gamma, beta, eps=1e-12).forward(x)
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=0), gamma, rtol=1e-8)


def test_running_averages_converge_to_the_data_statistics_and_start_at_identity():
    rng = np.random.default_rng(1)
    layer = BatchNorm(np.ones(2), np.zeros(2), momentum=0.1)
    x_test = rng.normal(size=(4, 2))
    np.testing.assert_allclose(layer.forward(x_test, train=False), x_test / np.sqrt(1 + 1e-5))
    for _ in range(300):
        layer.forward(rng.normal(loc=[4.0, -1.0], scale=[2.0, 0.5], size=(64, 2)))
    np.testing.assert_allclose(layer.running_mean, [4.0, -1.0], atol=0.1)
    np.testing.assert_allclose(layer.running_var, [4.0, 0.25], rtol=0.1)
    before = (layer.running_mean.copy(), layer.running_var.copy())
    layer.forward(rng.normal(size=(5, 2)), train=False)  # inference changes nothing
    np.testing.assert_array_equal(layer.running_mean, before[0])
    np.testing.assert_array_equal(layer.running_var, before[1])


def test_inference_output_of_one_sample_does_not_depend_on_the_batch():
    rng = np.random.default_rng(2)
    layer = BatchNorm(rng.normal(size=3), rng.normal(size=3), running_mean=rng.normal(size=3),
                      running_var=rng.uniform(0.5, 2, size=3))
    batch = rng.normal(size=(6, 3))
    alone = layer.forward(batch[:1], train=False)
    np.testing.assert_allclose(layer.forward(batch, train=False)[:1], alone)
    assert not np.allclose(BatchNorm(layer.gamma, layer.beta).forward(batch)[:1],
                           BatchNorm(layer.gamma, layer.beta).forward(batch[:3])[:1])


def test_constant_feature_gives_beta_and_finite_gradients():
    x = np.column_stack([np.full(4, 7.0), np.arange(4.0)])
    layer = BatchNorm(np.array([2.0, 1.0]), np.array([0.5, 0.0]))
    out = layer.forward(x)
    np.testing.assert_array_equal(out[:, 0], 0.5)
    dx = layer.backward(np.arange(8.0).reshape(4, 2))
    assert np.isfinite(dx).all()


def test_gamma_updated_in_place_is_seen_and_backward_can_run_twice():
    gamma, beta = np.ones(3), np.zeros(3)
    layer = BatchNorm(gamma, beta)
    x = np.random.default_rng(3).normal(size=(5, 3))
    first = layer.forward(x)
    gamma *= 2
    np.testing.assert_allclose(layer.forward(x), 2 * first)
    dout = np.ones((5, 3))
    np.testing.assert_array_equal(layer.backward(dout), layer.backward(dout))


def test_float32_stays_float32():
    layer = BatchNorm(np.ones(4, np.float32), np.zeros(4, np.float32))
    x = np.random.default_rng(4).normal(size=(8, 4)).astype(np.float32)
    out = layer.forward(x)
    assert out.dtype == np.float32 and layer.running_var.dtype == np.float32
    assert layer.backward(np.ones_like(out)).dtype == np.float32
    assert layer.forward(x, train=False).dtype == np.float32


@pytest.mark.parametrize("make, message", [
    (lambda: BatchNorm(np.ones(3), np.zeros(2)), "same length"),
    (lambda: BatchNorm(np.ones((2, 2)), np.zeros((2, 2))), "two vectors"),
    (lambda: BatchNorm(np.ones(2), np.zeros(2), momentum=1.5), r"\(0, 1\]"),
    (lambda: BatchNorm(np.ones(2), np.zeros(2), momentum=0), "> 0"),
    (lambda: BatchNorm(np.ones(2), np.zeros(2), eps=-1e-5), "> 0"),
    (lambda: BatchNorm(np.ones(2), np.zeros(2)).forward(np.ones((1, 2))), "at least 2 samples"),
    (lambda: BatchNorm(np.ones(2), np.zeros(2)).forward(np.ones((4, 3))), r"\(N, 2\)"),
    (lambda: BatchNorm(np.ones(2), np.zeros(2)).forward(np.ones(2)), "dimension"),
])
def test_bad_input_gets_a_clear_message(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_a_single_sample_is_fine_at_inference():
    out = BatchNorm(np.ones(2), np.zeros(2)).forward(np.array([[1.0, 2.0]]), train=False)
    np.testing.assert_allclose(out, [[1.0, 2.0]] / np.sqrt(1 + 1e-5))
