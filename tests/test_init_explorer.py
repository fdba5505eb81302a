"""course_lib.init_explorer without a browser: the plain SignalState, then the widget driven from
Python (controls set by `.value`, which runs the handlers the browser triggers)."""
import io
import math
import re

import numpy as np
import pytest
from PIL import Image

from course_lib.init_explorer import MAX_DEPTH, InitExplorer, SignalState, histogram_range


def readout_text(tool) -> str:
    return re.sub(r"<[^>]+>", " ", tool.readout.value)


def test_state_measures_every_layer_of_the_network_it_describes():
    state = SignalState(depth=4, activation="tanh", weight_init_std="xavier", width=30, n_samples=200)
    assert len(state.hidden_outputs) == 4 and state.hidden_outputs[0].shape == (200, 30)
    assert state.grad_norms.shape == (5,) and state.activation_stds.shape == (4,)
    W1 = state.network.params["W1"]
    np.testing.assert_allclose(state.hidden_outputs[0], np.tanh(state.x @ W1))
    np.testing.assert_allclose(state.activation_stds[0], np.tanh(state.x @ W1).std())
    _, grads = state.network.loss_and_gradient(state.x, state.t)
    np.testing.assert_allclose(state.grad_norms, [np.linalg.norm(grads[f"W{i}"]) for i in range(1, 6)])
    assert state.expected_loss == math.log(10)
    assert state.settings == {"depth": 4, "activation": "tanh", "weight_init_std": "xavier",
                              "batch_norm": False}


def test_the_three_regimes_of_the_chapter():
    small = SignalState(10, "tanh", 0.01)
    assert small.activation_stds[-1] < 1e-8 * small.activation_stds[0]   # vanishing signal
    assert small.loss == pytest.approx(math.log(10), abs=1e-6)
    large = SignalState(10, "tanh", 1.0)
    assert np.mean(np.abs(large.hidden_outputs[-1]) > 0.9) > 0.5          # saturated
    assert large.grad_norms[0] > 100 * large.grad_norms[-1]                 # exploding gradient
    assert large.loss > 3 * math.log(10)
    he = SignalState(10, "relu", "he")
    assert 0.7 < he.activation_stds[-1] / he.activation_stds[0] < 1.4       # kept
    sigmoid = SignalState(10, "sigmoid", "xavier")
    assert sigmoid.grad_norms[0] < 1e-4 * sigmoid.grad_norms[-1]            # vanishing gradient


def test_zero_initialization_gives_ln_k_and_no_gradient_below_the_output_biases():
    state = SignalState(3, "relu", 0.0, width=20, n_samples=50)
    assert state.loss == pytest.approx(math.log(10))
    np.testing.assert_array_equal(state.grad_norms, 0)
    assert "layer 1 0" in state.summary()


def test_batch_norm_repairs_a_bad_scale_and_update_changes_only_what_is_given():
    state = SignalState(10, "tanh", 0.01)
    state.update(batch_norm=True)
    assert state.settings == {"depth": 10, "activation": "tanh", "weight_init_std": 0.01, "batch_norm": True}
    assert state.network.batch_norm and 0.4 < state.activation_stds[-1] < 0.9
    assert state.grad_norms[0] > 0.01
    state.update(depth=2, activation="relu")
    assert len(state.hidden_outputs) == 2 and state.batch_norm and state.weight_init_std == 0.01


@pytest.mark.parametrize("settings, message", [
    ({"depth": MAX_DEPTH + 1}, "at most"),
    ({"depth": 0}, "depth"),
    ({"activation": "gelu"}, "relu, sigmoid, tanh"),
    ({"weight_init_std": "kaiming"}, "he, xavier"),
    ({"weight_init_std": -1.0}, ">= 0"),
    ({"width": 3}, "unknown setting"),
])
def test_a_bad_setting_raises_and_leaves_the_state_as_it_was(settings, message):
    state = SignalState(3, "tanh", "xavier", width=10, n_samples=20)
    before = (state.settings, state.grad_norms.copy())
    with pytest.raises((ValueError, TypeError), match=message):
        state.update(**settings)
    assert state.settings == before[0]
    np.testing.assert_array_equal(state.grad_norms, before[1])


def test_histogram_range_covers_every_output():
    for activation in ("tanh", "sigmoid", "relu"):
        state = SignalState(3, activation, 1.0, width=20, n_samples=50)
        low, high = histogram_range(activation, state.hidden_outputs[-1])
        assert low <= state.hidden_outputs[-1].min() and state.hidden_outputs[-1].max() <= high


def test_widget_redraws_when_a_control_changes():
    tool = InitExplorer(depth=3, activation="tanh", weight_init_std=0.01, width=20, n_samples=100)
    assert tool.init.value == "std" and not tool.std.disabled and tool.std.value == pytest.approx(0.01)
    first_png = tool.image.value
    assert Image.open(io.BytesIO(first_png)).size == (880, 400)
    assert len(tool.axes["histograms"]) == 3
    tool.depth.value = 6
    assert tool.state.depth == 6 and len(tool.axes["histograms"]) == 6
    assert len(readout_text(tool).split("|dL/dW|")[1].split()) >= 7  # one number per layer
    tool.batch_norm.value = True
    assert tool.state.batch_norm and tool.image.value != first_png
    tool.init.value = "he"
    assert tool.state.weight_init_std == "he" and tool.std.disabled
    tool.activation.value = "relu"
    assert tool.state.activation == "relu"
    bars = tool.axes["norms"].patches
    np.testing.assert_allclose([bar.get_height() for bar in bars], tool.state.grad_norms)
    assert "loss at init" in readout_text(tool) and f"{math.log(10):.4g}" in readout_text(tool)


def test_widget_shows_exact_zero_gradients_as_zero():
    tool = InitExplorer(depth=2, activation="relu", weight_init_std=0.0, width=10, n_samples=20)
    assert [text.get_text() for text in tool.axes["norms"].texts] == ["0", "0", "0"]
    assert tool.init.value == "std" and tool.std.value == pytest.approx(0.01)  # the slider's floor
