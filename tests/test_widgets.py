"""course_lib.widgets without a browser: the state objects, then the widgets driven from Python.

Buttons are pressed with `button.click()` and sliders moved by setting `.value`, which runs the
same handlers the browser triggers. What is checked is the state, the readout text and the data
of the drawn artists (lines, arrows, images), plus the PNG the browser would show.
"""
import html
import io
import re
import time

import numpy as np
import pytest
from PIL import Image

from course_lib import widgets as W
from course_lib.data import load_toy
from course_lib.landscapes import Landscape, get_landscape
from course_lib.network import TwoLayerNet


def wait_until(condition, timeout=20.0):
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def png_size(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).size


def readout_text(tool) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", tool.readout.value))


# --- GradientDescentRun -------------------------------------------------------------------------

def test_sgd_run_follows_the_update_rule():
    run = W.GradientDescentRun("bowl", "sgd", lr=0.1, start=[2.0, -1.0])
    assert run.run(3) == 3
    expected = np.array([[2.0, -1.0]]) * (1 - 0.2) ** np.arange(4)[:, None]  # x <- x - lr 2x
    np.testing.assert_allclose(run.path, expected)
    np.testing.assert_allclose(run.losses, (expected ** 2).sum(axis=1))
    np.testing.assert_allclose(run.grad_norms, np.linalg.norm(2 * expected, axis=1))
    np.testing.assert_allclose(run.gradient, 2 * expected[-1])
    assert run.steps == 3 and run.status == "running" and run.message == ""
    assert set(run.history) == {"path", "loss", "grad_norm"}


def test_momentum_run_keeps_a_velocity():
    land = get_landscape("ill_conditioned")
    run = W.GradientDescentRun(land, "momentum", lr=0.05, momentum=0.8, start=[-7.0, 2.0])
    run.run(5)
    x, v = np.array([-7.0, 2.0]), np.zeros(2)
    for _ in range(5):  # v <- mu v - lr g; x <- x + v
        v = 0.8 * v - 0.05 * land.grad(x)
        x = x + v
    np.testing.assert_allclose(run.path[-1], x)


def test_run_converges_and_then_stays_put():
    run = W.GradientDescentRun("bowl", "sgd", lr=0.5)  # lands exactly on the minimum
    run.run(10)
    assert run.status == "stationary" and run.steps == 1 and run.stationary_kind == "minimum"
    assert run.message.startswith("stopped at step 1: |grad| < 1e-8 (a minimum, a saddle or a plateau)")
    assert run.message.endswith("Hessian eigenvalues 2, 2: a minimum")
    assert run.step() is False and run.steps == 1
    np.testing.assert_allclose(run.gaps, [run.losses[0], 0.0])


def test_run_diverges_without_raising_and_records_only_finite_numbers():
    run = W.GradientDescentRun("parabola", "sgd", lr=1.5, start=[2.5])  # |1 - 2 lr| = 2 > 1
    taken = run.run(1000)
    assert run.diverged and taken == run.steps < 20
    assert re.match(r"diverged at step \d+: x left the plotted region", run.message)
    assert np.isfinite(run.path).all() and np.isfinite(run.losses).all()
    assert run.step() is False and run.run(5) == 0


def test_overflow_is_caught_as_divergence():
    run = W.GradientDescentRun("rosenbrock", "sgd", lr=0.1, escape_factor=1e300)
    with np.errstate(all="raise"):  # nothing may leak a floating-point warning either
        run.run(100)
    assert run.diverged and "overflowed" in run.message
    assert np.isfinite(run.path).all() and np.isfinite(run.gradient).all()
    np.testing.assert_array_equal(run._params["x"], run.path[-1])


def test_run_stops_at_max_steps():
    run = W.GradientDescentRun("rosenbrock", "sgd", lr=1e-4, max_steps=7)
    assert run.run(100) == 7 and run.status == "stopped"


def test_reset_forgets_path_and_optimizer_state():
    run = W.GradientDescentRun("ill_conditioned", "momentum", lr=0.1)
    first = run.run(1) and run.path[1].copy()
    run.run(5)
    run.reset()
    assert run.steps == 0 and run.running
    np.testing.assert_allclose(run.path, [run.start])
    run.step()
    np.testing.assert_allclose(run.path[1], first)  # no velocity left over
    run.reset(start=[1.0, 1.0])
    np.testing.assert_allclose(run.path, [[1.0, 1.0]])


def test_learning_rate_can_change_between_steps():
    run = W.GradientDescentRun("parabola", "sgd", lr=0.1, start=[1.0])
    run.step()
    run.lr = 0.25
    run.step()
    np.testing.assert_allclose(run.path[:, 0], [1.0, 0.8, 0.4])
    with pytest.raises(ValueError, match="lr: expected a finite number > 0"):
        run.lr = -1


@pytest.mark.parametrize("kwargs, message", [
    ({"landscape": "moon"}, r"landscape: unknown name 'moon'; expected one of bowl, .*saddle"),
    ({"optimizer": "lamb"}, r"optimizer: unknown name 'lamb'; expected one of adagrad, adam"),
    ({"start": [1.0, 2.0, 3.0]},
     r"start: expected 2 coordinate\(s\) on the 2-D landscape 'bowl', got 3"),
    ({"start": [np.nan, 0.0]}, r"start: expected finite numbers"),
    ({"lr": 0}, r"lr: expected a finite number > 0, got 0"),
    ({"optimizer": "sgd", "momentum": 0.9}, r"sgd: unknown hyper-parameter\(s\) momentum"),
])
def test_run_rejects_bad_input_with_clear_messages(kwargs, message):
    with pytest.raises(ValueError, match=message):
        W.GradientDescentRun(**{"landscape": "bowl", **kwargs})


def test_momentum_settings_name_the_coefficient_of_each_optimizer():
    assert W.momentum_settings("nesterov", 0.5) == {"momentum": 0.5}
    assert W.momentum_settings("adam", 0.8) == {"beta1": 0.8}
    assert W.momentum_settings("rmsprop", 0.9) == {"decay": 0.9}
    assert W.momentum_settings("sgd") == {}
    with pytest.raises(ValueError, match="momentum: the 'adagrad' optimizer has no momentum"):
        W.momentum_settings("adagrad", 0.9)


@pytest.mark.parametrize("landscape", ["bowl", "ill_conditioned", "rosenbrock", "local_minimum",
                                       "saddle", "parabola", "double_well"])
def test_suggested_learning_rates_go_downhill_without_diverging(landscape):
    for optimizer in ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]:
        run = W.GradientDescentRun(landscape, optimizer, lr=W.suggested_lr(landscape, optimizer))
        run.run(300)
        assert not run.diverged, (optimizer, run.message)
        assert run.losses[-1] < run.losses[0], optimizer


def test_diverging_lr_of_the_parabola_is_just_above_one():
    # x <- x - lr 2x = (1 - 2 lr) x diverges exactly when lr > 1.
    bad = W.diverging_lr("parabola")
    assert 1.0 < bad < 1.4
    run = W.GradientDescentRun("parabola", "sgd", lr=bad / 4)
    run.run(500)
    assert run.status == "stationary" and run.stationary_kind == "minimum"
    with pytest.raises(ValueError, match="did not diverge"):
        W.diverging_lr("parabola", "adam", steps=20)


# --- OptimizerRaceState -------------------------------------------------------------------------

def test_race_moves_every_runner_on_one_clock():
    race = W.OptimizerRaceState("rosenbrock", ["sgd", "adam"])
    assert list(race.runs) == ["sgd", "adam"]
    assert race.runs["adam"].lr == W.suggested_lr("rosenbrock", "adam")
    race.run(10)
    assert race.steps == 10 and [run.steps for run in race.runs.values()] == [10, 10]
    np.testing.assert_allclose(race.runs["sgd"].path[0], race.runs["adam"].path[0])
    assert set(race.history) == {"sgd", "adam"}
    race.reset(start=[0.0, 0.0])
    assert race.steps == 0 and all(r.path.tolist() == [[0.0, 0.0]] for r in race.runs.values())


def test_race_goes_on_when_one_runner_diverges():
    race = W.OptimizerRaceState("parabola", {"small": {"optimizer": "sgd", "lr": 0.1},
                                             "large": {"optimizer": "sgd", "lr": 1.5}})
    race.run(60)
    small, large = race.runs["small"], race.runs["large"]
    assert large.diverged and large.steps < 20
    assert small.steps == 60 and race.steps == 60 and race.running


def test_race_rejects_bad_entries():
    with pytest.raises(ValueError, match="optimizers: expected each name once, got sgd"):
        W.OptimizerRaceState("bowl", ["sgd", "adam", "sgd"])
    with pytest.raises(ValueError, match="optimizers: expected at least one"):
        W.OptimizerRaceState("bowl", [])
    with pytest.raises(ValueError, match="optimizer: unknown name 'fast'"):
        W.OptimizerRaceState("bowl", ["fast"])


# --- PlaygroundState ----------------------------------------------------------------------------

def test_playground_learns_the_moons():
    state = W.PlaygroundState("moons", hidden_size=16, activation="tanh", optimizer="adam", lr=0.05)
    state.run(300)
    history = state.history
    assert state.steps == 300 and len(history["loss"]) == len(history["accuracy"]) == 301
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["accuracy"][-1] > 0.95
    assert state.predict_classes(np.array([[-1.0, 0.2], [2.0, -0.3]])).tolist() == [0, 1]


def test_playground_reset_starts_from_the_same_weights():
    state = W.PlaygroundState("xor", seed=3)
    first_loss, w1 = state.history["loss"][0], state.network.params["W1"].copy()
    state.run(20)
    state.reset()
    assert state.steps == 0 and state.history["loss"] == [first_loss]
    np.testing.assert_array_equal(state.network.params["W1"], w1)


def test_playground_learning_rate_changes_while_training():
    state = W.PlaygroundState("circles", optimizer="sgd", lr=0.1)
    state.run(5)
    state.lr = 0.5
    assert state.optimizer.lr == 0.5 and state.steps == 5


def test_playground_mini_batches_are_seeded():
    a = W.PlaygroundState("spirals", batch_size=16, seed=1)
    b = W.PlaygroundState("spirals", batch_size=16, seed=1)
    full = W.PlaygroundState("spirals", seed=1)
    for state in (a, b, full):
        state.run(5)
    assert a.history["loss"] == b.history["loss"] != full.history["loss"]


def test_playground_divergence_stops_the_run_and_keeps_the_history_finite():
    state = W.PlaygroundState("spirals", optimizer="sgd", lr=1e3, hidden_size=8)
    state.run(200)
    assert state.diverged and state.steps < 200
    assert re.match(r"diverged at step \d+: .*try a smaller learning rate", state.message)
    assert np.isfinite(state.history["loss"]).all()
    assert state.step() is False


def test_playground_holdout_keeps_points_out_of_training_and_shows_a_wide_network_overfit():
    wide = W.PlaygroundState("moons", hidden_size=64, noise=0.35, n_samples=80, holdout=0.5, lr=0.02)
    assert len(wide.x) == len(wide.x_holdout) == 40
    everything = W.PlaygroundState("moons", noise=0.35, n_samples=80)
    together = np.concatenate([wide.x, wide.x_holdout])
    assert sorted(map(tuple, together)) == sorted(map(tuple, everything.x))  # a split, no overlap
    grads = wide.network.loss_and_gradient(wide.x, wide.t)[1]
    wide.step()
    assert set(wide.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 2 for values in wide.history.values())
    assert grads is not None and wide.history["val_loss"][0] == pytest.approx(
        W.PlaygroundState("moons", hidden_size=64, noise=0.35, n_samples=80, holdout=0.5,
                          lr=0.02).network.loss(wide.x_holdout, wide.t_holdout))
    wide.run(1499)
    val = wide.history["val_loss"]
    assert wide.history["accuracy"][-1] == 1.0  # it memorises its 40 points
    assert val[-1] > 2 * min(val)                # while the held-out loss climbs back up
    assert wide.history["val_accuracy"][-1] < 0.9
    # the held-out points never move the weights: changing their labels changes nothing
    twin = W.PlaygroundState("moons", hidden_size=64, noise=0.35, n_samples=80, holdout=0.5, lr=0.02)
    twin.t_holdout = 1 - twin.t_holdout
    twin.run(20)
    np.testing.assert_array_equal(twin.history["loss"], wide.history["loss"][:21])


def test_playground_without_holdout_keeps_its_points_and_history_as_before():
    state = W.PlaygroundState("xor", seed=2)
    x, t = load_toy("xor", n_samples=200, seed=2)
    np.testing.assert_array_equal(state.x, x)
    np.testing.assert_array_equal(state.t, t)
    assert set(state.history) == {"loss", "accuracy"} and len(state.x_holdout) == 0


class StudentNet:
    """A student's own two-layer ReLU network: no activation or seed argument, only gradient()."""

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.5):
        rng = np.random.default_rng(42)
        self.params = {"W1": weight_init_std * rng.standard_normal((input_size, hidden_size)),
                       "b1": np.zeros(hidden_size),
                       "W2": weight_init_std * rng.standard_normal((hidden_size, output_size)),
                       "b2": np.zeros(output_size)}

    def predict(self, x):
        h = np.maximum(0, x @ self.params["W1"] + self.params["b1"])
        return h @ self.params["W2"] + self.params["b2"]

    def _probabilities(self, x):
        scores = self.predict(x)
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def loss(self, x, t):
        return float(-np.mean(np.log(self._probabilities(x)[np.arange(len(t)), t] + 1e-7)))

    def gradient(self, x, t):
        p = self._probabilities(x)
        p[np.arange(len(t)), t] -= 1
        dscores = p / len(t)
        a = x @ self.params["W1"] + self.params["b1"]
        h = np.maximum(0, a)
        dh = dscores @ self.params["W2"].T * (a > 0)
        return {"W1": x.T @ dh, "b1": dh.sum(axis=0),
                "W2": h.T @ dscores, "b2": dscores.sum(axis=0)}


def test_a_students_network_class_plugs_in():
    state = W.PlaygroundState("moons", network_class=StudentNet, optimizer="adam", lr=0.05)
    assert isinstance(state.network, StudentNet)
    assert state.ignored == ["activation", "seed"]
    state.run(200)
    assert state.history["loss"][-1] < 0.5 * state.history["loss"][0]


class NoGradient:
    def __init__(self, input_size, hidden_size, output_size):
        self.params = {}

    def predict(self, x):
        return x

    def loss(self, x, t):
        return 0.0


class ParamsList(StudentNet):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__(input_size, hidden_size, output_size)
        self.params = list(self.params.values())


@pytest.mark.parametrize("kwargs, error, message", [
    ({"dataset": "swiss_roll"}, ValueError,
     "dataset: unknown name 'swiss_roll'; expected one of circles"),
    ({"activation": "gelu"}, ValueError, "activation: unknown name 'gelu'"),
    ({"optimizer": "lion"}, ValueError, "optimizer: unknown name 'lion'"),
    ({"hidden_size": 0}, ValueError, "hidden_size: expected an integer >= 1, got 0"),
    ({"network_class": NoGradient}, TypeError, "NoGradient lacks gradient"),
    ({"network_class": TwoLayerNet(2, 3, 2)}, TypeError, "network_class: expected a class"),
    ({"network_class": ParamsList}, TypeError, "to have a dict `params`.*got list"),
    ({"holdout": 1.0}, ValueError, r"holdout: expected a fraction in \[0, 1\), got 1.0"),
    ({"holdout": -0.2}, ValueError, "holdout: expected a finite number >= 0, got -0.2"),
])
def test_playground_rejects_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        W.PlaygroundState(**kwargs)


# --- GradientDescentStepper -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def stepper():
    """One stepper for the tests that leave it as they found it (building one takes a while)."""
    return W.GradientDescentStepper("ill_conditioned", "sgd", lr=0.2)


def test_stepper_step_moves_state_readout_path_arrow_and_loss_curve(stepper):
    stepper.reset_button.click()
    image_before = stepper.image.value
    stepper.step_button.click()
    run = stepper.run
    assert run.steps == 1
    assert re.search(r"A\s+sgd\s+0\.2\s+1\s+\(", readout_text(stepper))
    point = ", ".join(f"{v:.4g}" for v in run.path[-1])
    text = readout_text(stepper)
    assert f"({point})" in text and f"{run.losses[-1]:.6g}" in text
    np.testing.assert_allclose(stepper.path_lines["A"].get_xydata(), run.path)
    arrow = stepper.arrows["A"]
    np.testing.assert_allclose(arrow.get_offsets()[0], run.path[-1])
    direction = np.array([arrow.U[0], arrow.V[0]])
    np.testing.assert_allclose(direction / np.linalg.norm(direction),
                               -run.gradient / np.linalg.norm(run.gradient))
    loss_line = stepper.loss_axis.get_lines()[0]
    np.testing.assert_allclose(loss_line.get_ydata(), run.gaps)
    assert stepper.loss_axis.get_yscale() == "log"
    assert stepper.image.value != image_before
    assert png_size(stepper.image.value) == (800, 320)


def test_stepper_run_n_and_reset(stepper):
    stepper.reset_button.click()
    stepper.run_steps.value = 25
    stepper.run_button.click()
    assert stepper.run.steps == 25
    assert len(stepper.path_lines["A"].get_xdata()) == 26
    assert stepper.landscape_axes[0].get_title() == "ill_conditioned"
    stepper.reset_button.click()
    assert stepper.run.steps == 0 and stepper.path_lines["A"].get_xydata().shape == (1, 2)
    assert re.search(r"A\s+sgd\s+0\.2\s+0\s+\(-7, 2\)", readout_text(stepper))


def test_stepper_learning_rate_slider_and_divergence():
    stepper = W.GradientDescentStepper("bowl", "sgd")
    stepper.lr.value = 5.0  # x <- (1 - 10) x: diverges
    assert stepper.run.lr == 5.0 and stepper.run.steps == 0
    stepper.run_button.click()
    run = stepper.run
    assert run.diverged and run.steps < 50
    assert "diverged at step" in readout_text(stepper)
    assert stepper.landscape_axes[0].get_title().startswith("bowl: diverged at step")
    assert stepper.landscape_axes[0].title.get_color() == W.ERROR_COLOR
    assert not stepper.arrows["A"].get_visible()
    for line in [stepper.path_lines["A"], *stepper.loss_axis.get_lines()]:
        assert np.isfinite(line.get_xydata()).all()
    steps, path = run.steps, run.path
    stepper.play_button.click()  # nothing left to play: the thread ends by itself
    wait_until(lambda: not stepper.playing)
    assert stepper.play_button.description == "Play"
    assert stepper.run is run and run.steps == steps and run.diverged  # no step was taken
    np.testing.assert_array_equal(run.path, path)


def test_stepper_optimizer_and_momentum_controls():
    stepper = W.GradientDescentStepper("ill_conditioned", "sgd")
    assert stepper.momentum.disabled
    stepper.optimizer.value = "momentum"
    assert not stepper.momentum.disabled and stepper.momentum.description == "momentum"
    assert stepper.run.optimizer.momentum == 0.9
    stepper.momentum.value = 0.5
    assert stepper.run.optimizer.momentum == 0.5
    stepper.optimizer.value = "adam"
    assert stepper.momentum.description == "beta1" and stepper.run.optimizer.beta1 == 0.9
    assert stepper.lr.value == W.suggested_lr("ill_conditioned", "adam")
    stepper.start_sliders[0].value = 5.0
    np.testing.assert_allclose(stepper.run.path, [[5.0, 2.0]])
    stepper.step_button.click()
    assert stepper.run.optimizer_name == "adam" and stepper.run.steps == 1


def test_stepper_1d_mode_shows_a_converging_and_a_diverging_rate():
    stepper = W.GradientDescentStepper("parabola")
    assert list(stepper.state.runs) == ["A", "B"]
    assert stepper.compare_lr.layout.display is None and len(stepper.landscape_axes) == 2
    a, b = stepper.state.runs["A"], stepper.state.runs["B"]
    assert b.lr == pytest.approx(W.diverging_lr("parabola")) and a.lr < b.lr
    stepper.run_steps.value = 200
    stepper.run_button.click()
    assert a.status == "stationary" and b.diverged
    text = readout_text(stepper)
    assert "stopped at step" in text and "a minimum" in text and "diverged at step" in text
    assert W.MINIMUM_COLOR in stepper.readout.value
    titles = [ax.get_title() for ax in stepper.landscape_axes]
    assert titles[0].startswith("parabola: minimum at step")
    assert titles[1].startswith("parabola: diverged")
    line_a = stepper.path_lines["A"]
    np.testing.assert_allclose(line_a.get_ydata(), a.path[:, 0] ** 2)  # points on the curve
    assert stepper.path_lines["B"].axes is stepper.landscape_axes[1]
    assert png_size(stepper.image.value) == (800, 320)


def test_stepper_switches_between_1d_and_2d_surfaces():
    stepper = W.GradientDescentStepper("rosenbrock", "momentum")
    stepper.surface.value = "double_well"
    assert stepper.state.landscape.name == "double_well" and len(stepper.state.runs) == 2
    assert len(stepper.start_sliders) == 1 and stepper.start_sliders[0].value == -2.0
    stepper.compare_lr.value = 0.01
    assert stepper.state.runs["B"].lr == 0.01
    stepper.surface.value = "saddle"
    assert list(stepper.state.runs) == ["A"] and len(stepper.start_sliders) == 2
    assert stepper.compare_lr.layout.display == "none"
    assert stepper.run.optimizer_name == "momentum"


def test_stepper_takes_a_landscape_of_ones_own():
    shifted = Landscape("shifted bowl", 2, "(x - 1)^2 + (y + 1)^2", ((-2.0, 4.0), (-4.0, 2.0)),
                        [np.array([1.0, -1.0])], np.array([3.0, 1.0]),
                        lambda x, y: (x - 1) ** 2 + (y + 1) ** 2,
                        lambda x, y: (2 * (x - 1), 2 * (y + 1)),
                        lambda x, y: ((2, 0), (0, 2)))
    stepper = W.GradientDescentStepper(shifted, lr=0.1)
    assert stepper.surface.value == "shifted bowl" and "bowl" in stepper.surface.options
    stepper.run_steps.value = 200
    stepper.run_button.click()
    assert stepper.run.status == "stationary" and stepper.run.stationary_kind == "minimum"
    np.testing.assert_allclose(stepper.run.path[-1], [1.0, -1.0], atol=1e-8)
    stepper.surface.value = "bowl"
    stepper.surface.value = "shifted bowl"
    assert stepper.state.landscape is shifted


def test_stepper_arrow_shrinks_with_the_gradient():
    stepper = W.GradientDescentStepper("bowl", "sgd", lr=0.1)
    lengths = []
    for _ in range(5):
        arrow = stepper.arrows["A"]
        lengths.append(np.hypot(arrow.U[0], arrow.V[0]))
        stepper.step_button.click()
    assert lengths[0] == pytest.approx(0.12 * 6)  # the largest gradient: 12% of the width
    np.testing.assert_allclose(np.array(lengths[1:]) / lengths[:-1], 0.8)  # |grad| shrinks 0.8x


def test_stepper_play_and_pause():
    stepper = W.GradientDescentStepper("rosenbrock", "sgd")
    stepper.play_button.click()
    assert stepper.playing and stepper.play_button.description == "Pause"
    wait_until(lambda: stepper.run.steps >= 3)
    stepper.play_button.click()
    assert not stepper.playing and stepper.play_button.description == "Play"
    steps = stepper.run.steps
    time.sleep(0.2)
    assert stepper.run.steps == steps
    assert re.search(rf"A\s+sgd\s+\S+\s+{steps}\s+\(", readout_text(stepper))
    np.testing.assert_allclose(stepper.path_lines["A"].get_xydata(), stepper.run.path)


def test_stepper_rejects_bad_input():
    with pytest.raises(ValueError, match="landscape: unknown name 'everest'"):
        W.GradientDescentStepper("everest")
    with pytest.raises(ValueError, match="optimizer: unknown name 'sdg'"):
        W.GradientDescentStepper("bowl", "sdg")
    with pytest.raises(ValueError, match="momentum: the 'sgd' optimizer has no momentum"):
        W.GradientDescentStepper("bowl", "sgd", momentum=0.9)
    with pytest.raises(ValueError, match=r"start: expected 2 coordinate\(s\)"):
        W.GradientDescentStepper("bowl", start=[1.0])


# --- OptimizerRace ------------------------------------------------------------------------------

def test_race_widget_steps_all_runners_with_a_legend_and_a_readout_each():
    race = W.OptimizerRace("rosenbrock", ["sgd", "momentum", "adam"])
    race.step_button.click()
    race.step_button.click()
    assert [run.steps for run in race.state.runs.values()] == [2, 2, 2]
    legend = [t.get_text() for t in race.landscape_axes[0].get_legend().get_texts()]
    assert legend == [f"{name} (lr {race.state.runs[name].lr:.3g})"
                      for name in ["sgd", "momentum", "adam"]]
    text = readout_text(race)
    for name in ["sgd", "momentum", "adam"]:
        assert re.search(rf"{name}\s+{name}\s+\S+\s+2\s+\(", text)
        np.testing.assert_allclose(race.path_lines[name].get_xydata(), race.state.runs[name].path)
    assert len(race.loss_axis.get_lines()) == 3 and race.arrows == {}


def test_race_widget_controls_and_a_diverging_runner():
    race = W.OptimizerRace("bowl", ["sgd", "adam"])
    race.enabled["rmsprop"].value = True
    assert list(race.state.runs) == ["sgd", "rmsprop", "adam"]
    race.lrs["sgd"].value = 3.0
    race.run_steps.value = 40
    race.run_button.click()
    sgd, adam = race.state.runs["sgd"], race.state.runs["adam"]
    assert sgd.diverged and not adam.diverged and race.state.steps == 40
    assert re.search(r"sgd\s+sgd\s+3\s+\d+\s+\(.*diverged at step", readout_text(race))
    assert all(np.isfinite(line.get_xydata()).all() for line in race.path_lines.values())
    for box in race.enabled.values():
        box.value = False
    assert "error: ValueError: optimizers: tick at least one optimizer" in race.readout.value
    assert list(race.state.runs) == ["adam"]  # the last valid race (adam alone) stays


def test_race_widget_rejects_bad_input():
    with pytest.raises(ValueError, match="optimizer: unknown name 'rprop'"):
        W.OptimizerRace("bowl", ["sgd", "rprop"])
    with pytest.raises(ValueError, match=r"lrs\['adam'\]: expected a finite number > 0"):
        W.OptimizerRace("bowl", ["adam"], lrs={"adam": -0.1})


# --- NetworkPlayground --------------------------------------------------------------------------

def test_playground_widget_trains_and_redraws():
    playground = W.NetworkPlayground("moons", lr=0.05)
    regions_before = playground.boundary_axis.images[0].get_array().copy()
    playground.run_steps.value = 150
    playground.run_button.click()
    state = playground.state
    assert state.steps == 150
    loss_line = playground.curve_axes[0].get_lines()[0]
    np.testing.assert_allclose(loss_line.get_ydata(), state.history["loss"])
    np.testing.assert_allclose(playground.curve_axes[1].get_lines()[0].get_ydata(),
                               state.history["accuracy"])
    regions = playground.boundary_axis.images[0].get_array()
    assert not np.allclose(regions, regions_before)
    text = readout_text(playground)
    assert re.search(r"step\s+150", text) and f"{state.history['accuracy'][-1]:.1%}" in text
    assert playground.boundary_axis.get_title() == "moons, adam (lr 0.05)"
    assert png_size(playground.image.value) == (880, 304)


def test_playground_widget_controls():
    playground = W.NetworkPlayground("xor", hidden_size=4)
    playground.run_button.click()
    playground.lr.value = 0.001  # changes the running optimizer, keeps the training
    assert playground.state.optimizer.lr == 0.001 and playground.state.steps == 100
    playground.hidden_size.value = 12
    assert playground.state.network.params["W1"].shape == (2, 12) and playground.state.steps == 0
    playground.activation.value = "relu"
    assert playground.state.network.activation == "relu"
    playground.optimizer.value = "momentum"
    assert type(playground.state.optimizer).__name__ == "Momentum"
    playground.dataset.value = "circles"
    assert playground.state.dataset == "circles"
    np.testing.assert_allclose(playground.boundary_axis.collections[0].get_offsets(),
                               playground.state.x)
    playground.step_button.click()
    playground.reset_button.click()
    assert playground.state.steps == 0 and len(playground.state.history["loss"]) == 1


def test_playground_widget_draws_the_held_out_points_and_curves():
    playground = W.NetworkPlayground("moons", hidden_size=64, noise=0.35, n_samples=80, holdout=0.5)
    playground.run_button.click()
    state = playground.state
    hollow = playground.boundary_axis.collections[-1]
    np.testing.assert_allclose(hollow.get_offsets(), state.x_holdout)
    assert hollow.get_facecolors().size == 0  # hollow markers
    loss_axis, accuracy_axis = playground.curve_axes
    labels = [line.get_label() for line in loss_axis.get_lines()]
    assert labels == ["training loss", "validation loss"]
    np.testing.assert_allclose(loss_axis.get_lines()[1].get_ydata(), state.history["val_loss"])
    np.testing.assert_allclose(accuracy_axis.get_lines()[1].get_ydata(), state.history["val_accuracy"])
    text = readout_text(playground)
    assert f"held-out loss {state.history['val_loss'][-1]:.4g}" in " ".join(text.split())
    assert f"held-out accuracy {state.history['val_accuracy'][-1]:.1%}" in " ".join(text.split())
    assert "held-out" not in readout_text(W.NetworkPlayground("moons"))


def test_playground_widget_shows_divergence():
    playground = W.NetworkPlayground("spirals", optimizer="sgd", lr=10.0, hidden_size=8)
    playground.run_steps.value = 500
    playground.run_button.click()
    assert playground.state.diverged
    assert "diverged at step" in readout_text(playground)
    assert playground.boundary_axis.get_title() == "spirals, sgd (lr 10): diverged"
    for ax in playground.curve_axes:
        assert np.isfinite(ax.get_lines()[0].get_xydata()).all()


def test_playground_widget_with_a_students_network():
    playground = W.NetworkPlayground("moons", network_class=StudentNet, lr=0.05)
    playground.run_button.click()
    assert isinstance(playground.state.network, StudentNet) and playground.state.steps == 100
    text = readout_text(playground)
    assert "StudentNet" in text and "takes no activation or seed argument" in text


class BrokenNet(StudentNet):
    def gradient(self, x, t):
        raise IndexError("my gradient has a bug")


def test_playground_widget_shows_an_error_in_the_students_code():
    playground = W.NetworkPlayground("moons", network_class=BrokenNet)
    playground.step_button.click()  # must not raise
    assert "error: IndexError: my gradient has a bug" in playground.readout.value
    playground.play_button.click()
    wait_until(lambda: not playground.playing)
    assert playground.play_button.description == "Play"
    assert "my gradient has a bug" in playground.readout.value


def test_playground_widget_rejects_bad_input():
    with pytest.raises(ValueError, match="dataset: unknown name 'iris'"):
        W.NetworkPlayground("iris")
    with pytest.raises(TypeError, match="NoGradient lacks gradient"):
        W.NetworkPlayground(network_class=NoGradient)


@pytest.mark.parametrize("eigenvalues, kind", [
    ([2.0, 3.0], "minimum"), ([-1.0, 2.0], "saddle point"), ([-1.0, -4.0], "maximum"),
    ([0.0, 2.0], "flat"), ([1e-12, 3.0], "flat"), ([-5e-7, -1.0], "flat"), ([1e-3], "minimum"),
])
def test_stationary_kind_reads_the_hessian(eigenvalues, kind):
    assert W.stationary_kind(eigenvalues) == kind


def test_a_run_that_stops_on_a_saddle_says_so_and_is_not_green():
    # Exactly on the ridge y = 0 the walk reaches the saddle (0, 0), where the gradient vanishes.
    stepper = W.GradientDescentStepper("saddle", lr=0.1, start=[-2.0, 0.0])
    stepper.run_steps.value = 500
    stepper.run_button.click()
    run = stepper.run
    assert run.status == "stationary" and run.stationary_kind == "saddle point"
    np.testing.assert_allclose(run.path[-1], [0.0, 0.0], atol=1e-8)
    assert "(a minimum, a saddle or a plateau)" in run.message
    assert run.message.endswith("Hessian eigenvalues -1, 2: a saddle point, not a minimum")
    assert W.WARNING_COLOR in stepper.readout.value and W.MINIMUM_COLOR not in stepper.readout.value
    assert stepper.landscape_axes[0].get_title() == f"saddle: saddle point at step {run.steps}"
    run.reset([-2.0, 1e-3])  # off the ridge it leaves the saddle for a minimum
    run.run(2000)
    assert run.stationary_kind == "minimum" and abs(run.path[-1, 1]) == pytest.approx(1.0)


def test_reset_forgets_what_the_hessian_said():
    run = W.GradientDescentRun("double_well", "sgd", lr=0.1, start=[0.0])
    run.run(5)
    assert run.stationary_kind == "maximum" and "a maximum, not a minimum" in run.message
    run.reset([-2.0])
    assert run.stationary_kind is None and run.status == "running"


# --- issue 15: the details a learner sees ------------------------------------------------------

def test_readout_numbers_are_compact_and_stay_on_one_line():
    from course_lib.widgets.readout import compact, html_table
    assert compact(4.398e-09) == "4.398e-9" and compact(-2.5e10, 3) == "-2.5e10"
    assert compact(0.30000000000000004) == "0.3" and compact(12345.6) == "1.235e4"
    assert compact(7.0) == "7" and compact(0.000123456, 3) == "0.000123"
    cells = re.findall(r"<td style='([^']*)'>", html_table(["a", "b", "status"],
                                                            [["1", "(2, 3)", "a long sentence"]]))
    assert ["white-space:nowrap" in style for style in cells] == [True, True, False]
    stepper = W.GradientDescentStepper("bowl", "sgd", lr=0.5)  # one step onto the minimum
    stepper.run_steps.value = 3
    stepper.run_button.click()
    assert "e-0" not in readout_text(stepper) and "e+" not in readout_text(stepper)


def test_lr_problem_names_a_rate_that_diverges_on_the_surface():
    assert W.lr_problem("bowl", "sgd", 0.3) is None
    assert W.lr_problem("rosenbrock", "sgd", 0.3).startswith(
        "the learning rate 0.3 diverges on rosenbrock within")
    # the momentum counts: on the bowl (curvature 2) lr 1.2 diverges for SGD (lr > 2 / 2), not
    # with momentum 0.5 (stable up to 2 (1 + 0.5) / 2)
    assert W.lr_problem("bowl", "sgd", 1.2) is not None
    assert W.lr_problem("bowl", "momentum", 1.2, momentum=0.5) is None
    assert W.lr_problem("bowl", "momentum", 1.2, momentum=0.0) is not None


def test_stepper_keeps_its_settings_on_a_new_surface_unless_they_diverge_there():
    stepper = W.GradientDescentStepper("bowl", "momentum", lr=0.05, momentum=0.5)
    stepper.surface.value = "ill_conditioned"
    assert (stepper.lr.value, stepper.momentum.value) == (0.05, 0.5)
    assert stepper.run.lr == 0.05 and stepper.run.optimizer.momentum == 0.5
    assert stepper.settings_note == "" and "Note:" not in readout_text(stepper)
    stepper.surface.value = "rosenbrock"  # 0.05 diverges there at once
    assert stepper.lr.value == W.suggested_lr("rosenbrock", "momentum")
    assert stepper.momentum.value == 0.5 and stepper.run.optimizer_name == "momentum"
    assert ("Note: the learning rate 0.05 diverges on rosenbrock within 2 steps, so it was set "
            "to this surface's default.") in readout_text(stepper)
    stepper.lr.value = 0.0002  # any new setting: the note has done its job
    assert "Note:" not in readout_text(stepper)


def test_stepper_keeps_run_b_between_1d_surfaces_only():
    stepper = W.GradientDescentStepper("parabola", lr=0.3, compare_lr=0.7)
    stepper.surface.value = "double_well"
    assert stepper.state.runs["B"].lr == 0.7 and stepper.state.runs["A"].lr == 0.3
    stepper.surface.value = "bowl"
    stepper.surface.value = "parabola"  # from 2-D: B gets the surface's diverging default
    assert stepper.state.runs["B"].lr == W.diverging_lr("parabola", "sgd")


def test_log_sliders_are_fine_and_keep_a_typed_value():
    stepper = W.GradientDescentStepper("bowl", "sgd")
    assert stepper.lr.step == 0.01 and stepper.lr.layout.max_width == "760px"
    stepper.lr.value = 0.3  # what typing 0.3 into the slider's number sends
    assert stepper.lr.value == 0.3 and stepper.run.lr == 0.3
    playground = W.NetworkPlayground("xor", hidden_size=4)
    playground.lr.value = 0.0123
    assert playground.state.lr == 0.0123 and "0.0123" in readout_text(playground)


def test_a_tool_shows_its_own_current_picture_where_widgets_cannot_show():
    import base64
    stepper = W.GradientDescentStepper("parabola", lr=0.3, compare_lr=1.05)
    stepper.state.run(12)
    stepper.redraw()
    bundle = stepper._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == stepper.image.value
    stepper.step_button.click()  # the fallback is always the picture of the moment
    assert base64.b64decode(stepper._repr_mimebundle_()["image/png"]) == stepper.image.value


def test_playground_readout_names_the_optimizer_and_a_change_at_step_0_shows():
    playground = W.NetworkPlayground("xor", hidden_size=4, optimizer="adam", lr=0.02)
    text, image = readout_text(playground), playground.image.value
    assert re.search(r"optimizer\s+adam", text) and re.search(r"learning rate\s+0\.02", text)
    playground.optimizer.value = "sgd"
    assert playground.state.steps == 0
    assert re.search(r"optimizer\s+sgd", readout_text(playground))
    assert playground.boundary_axis.get_title() == "xor, sgd (lr 0.02)"
    assert playground.image.value != image
