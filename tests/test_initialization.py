"""course_lib.initialization: the Xavier and He rules against torch.nn.init (recorded draws), the
variance of a sum they are derived from, and the argument checks."""
import json
import math
from pathlib import Path

import numpy as np
import pytest

from course_lib.initialization import he_std, init_weight_std, init_weights, xavier_std

GOLDEN = np.load(Path(__file__).parent / "fixtures" / "init_batchnorm_golden.npz")
META = json.loads(str(GOLDEN["meta"]))


@pytest.mark.parametrize("case", META["init"], ids=lambda c: c["id"])
def test_rules_match_the_spread_of_torch_nn_init(case):
    """torch's xavier_normal_ / kaiming_normal_(relu) drew (fan_out, fan_in) >= 150,000 weights:
    their standard deviation is within 1 % of ours (the sampling error is below 0.2 %)."""
    ours = (xavier_std(case["fan_in"], case["fan_out"]) if case["rule"] == "xavier"
            else he_std(case["fan_in"]))
    torch_std = float(GOLDEN[f"{case['id']}__std"])
    assert abs(torch_std / ours - 1) < 0.01, (ours, torch_std)
    assert abs(float(GOLDEN[f"{case['id']}__mean"])) < 0.01 * ours
    # the other rule would be told apart: the cases are chosen so that it differs by > 10 %
    other = (he_std(case["fan_in"]) if case["rule"] == "xavier"
             else xavier_std(case["fan_in"], case["fan_out"]))
    assert abs(torch_std / other - 1) > 0.1


def test_formulas_and_types():
    assert xavier_std(100, 100) == math.sqrt(1 / 100)
    assert xavier_std(784, 10) == math.sqrt(2 / 794)
    assert he_std(50) == math.sqrt(2 / 50)
    assert isinstance(he_std(np.int64(8)), float) and isinstance(xavier_std(np.int32(3), 5), float)
    assert init_weight_std("he", 10, 3) == he_std(10)
    assert init_weight_std("xavier", 10, 3) == xavier_std(10, 3)
    assert init_weight_std(0.05, 10, 3) == 0.05 and init_weight_std(0, 10, 3) == 0.0


def test_init_weights_draws_the_rule_with_its_shape_dtype_and_seed():
    W = init_weights(400, 300, "he", rng=0, dtype=np.float32)
    assert W.shape == (400, 300) and W.dtype == np.float32
    assert abs(W.std() / he_std(400) - 1) < 0.01 and abs(W.mean()) < 0.01 * he_std(400)
    np.testing.assert_array_equal(W, init_weights(400, 300, "he", rng=0, dtype=np.float32))
    assert not np.array_equal(W, init_weights(400, 300, "he", rng=1, dtype=np.float32))
    generator = np.random.default_rng(5)
    first, second = init_weights(3, 4, 0.1, generator), init_weights(3, 4, 0.1, generator)
    assert not np.array_equal(first, second)  # one generator goes on drawing
    assert not init_weights(5, 6, 0.0).any()


@pytest.mark.parametrize("activation, rule", [("tanh", "xavier"), ("relu", "he")])
def test_the_rule_keeps_the_variance_of_a_sum_through_a_layer(activation, rule):
    """Var(a) = n Var(w) E[x^2]: with the rule's weights the next layer's sums have the variance
    of this layer's sums (for tanh, of its small-input linear part)."""
    rng = np.random.default_rng(6)
    width = 400
    a = rng.normal(scale=0.1 if activation == "tanh" else 1.0, size=(4000, width))
    x = np.tanh(a) if activation == "tanh" else np.maximum(a, 0)
    a_next = x @ init_weights(width, width, rule, rng)
    assert abs(a_next.var() / a.var() - 1) < 0.1  # the other rule would be off by a factor 2


@pytest.mark.parametrize("call, message", [
    (lambda: xavier_std(0, 10), "fan_in"),
    (lambda: xavier_std(10, 2.5), "fan_out"),
    (lambda: he_std(-3), "fan_in"),
    (lambda: he_std(True), "fan_in"),
    (lambda: init_weight_std("kaiming", 3, 3), "he, xavier"),
    (lambda: init_weight_std(-0.1, 3, 3), ">= 0"),
    (lambda: init_weights(3, 0), "fan_out"),
])
def test_bad_arguments_get_a_clear_message(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
