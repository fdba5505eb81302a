"""Tests of course_lib.training: the training loop, its History, the progress bar, confusion_matrix."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import training
from course_lib.data import make_moons
from course_lib.losses import softmax_cross_entropy, softmax_cross_entropy_grad
from course_lib.network import TwoLayerNet
from course_lib.optimizers import SGD, Adam
from course_lib.training import History, confusion_matrix, fit


@pytest.fixture
def moons():
    x, t = make_moons(n_samples=200, noise=0.1, seed=0)
    return x[:150], t[:150], x[150:], t[150:]


def new_net(dtype=np.float32, seed=0):
    return TwoLayerNet(2, 16, 2, dtype=dtype, seed=seed)


# --- History -------------------------------------------------------------------------------------

def test_history_has_one_entry_per_epoch_and_per_iteration(moons):
    x, t, x_val, t_val = moons
    history = fit(new_net(), Adam(lr=0.01), x, t, epochs=4, batch_size=32, x_val=x_val, t_val=t_val,
                  progress=False)
    assert isinstance(history, History)
    assert history.epochs == 4
    assert history.batches_per_epoch == 5  # ceil(150 / 32)
    assert len(history.batch_loss) == 20
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        values = getattr(history, name)
        assert len(values) == 4 and all(type(v) is float for v in values), name
    assert all(0 <= a <= 1 for a in history.accuracy + history.val_accuracy)


def test_without_validation_data_the_validation_lists_stay_empty(moons):
    x, t, _, _ = moons
    history = fit(new_net(), Adam(lr=0.01), x, t, epochs=2, batch_size=50, progress=False)
    assert history.val_loss == [] and history.val_accuracy == []
    assert len(history.loss) == 2


def test_epoch_metrics_are_the_models_after_the_epoch(moons):
    x, t, x_val, t_val = moons
    net = new_net(dtype=np.float64)
    history = fit(net, Adam(lr=0.01), x, t, epochs=3, batch_size=16, x_val=x_val, t_val=t_val,
                  progress=False)
    assert history.loss[-1] == pytest.approx(net.loss(x, t))
    assert history.accuracy[-1] == pytest.approx(net.accuracy(x, t))
    assert history.val_loss[-1] == pytest.approx(net.loss(x_val, t_val))
    assert history.val_accuracy[-1] == pytest.approx(net.accuracy(x_val, t_val))


def test_training_lowers_the_loss_and_learns_the_moons(moons):
    x, t, x_val, t_val = moons
    history = fit(new_net(), Adam(lr=0.02), x, t, epochs=40, batch_size=16, x_val=x_val,
                  t_val=t_val, progress=False)
    assert history.loss[-1] < 0.5 * history.loss[0]
    assert np.mean(history.batch_loss[-10:]) < np.mean(history.batch_loss[:10])
    assert history.val_accuracy[-1] >= 0.95


def test_full_batch_loss_is_recorded_before_each_update(moons):
    x, t, _, _ = moons
    net, twin = new_net(np.float64), new_net(np.float64)
    history = fit(net, SGD(lr=0.5), x, t, epochs=3, batch_size=len(x), progress=False)
    # The same three steps by hand: the batch is the whole (shuffled) set, so its loss is the loss.
    optimizer = SGD(lr=0.5)
    expected = []
    for _ in range(3):
        expected.append(twin.loss(x, t))
        optimizer.update(twin.params, twin.gradient(x, t))
    assert history.batch_loss == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(net.params["W1"], twin.params["W1"], rtol=1e-12)


def test_the_seed_fixes_the_shuffling(moons):
    x, t, _, _ = moons

    def run(seed):
        return fit(new_net(np.float64), SGD(lr=0.1), x, t, epochs=2, batch_size=10, seed=seed,
                   progress=False).batch_loss

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_float32_training_keeps_float32_parameters(moons):
    x, t, _, _ = moons
    net = new_net(np.float32)
    fit(net, Adam(lr=0.01), x.astype(np.float64), t, epochs=1, batch_size=32, progress=False)
    assert all(value.dtype == np.float32 for value in net.params.values())


def test_one_hot_labels_and_optimizer_names_work(moons):
    x, t, _, _ = moons
    history = fit(new_net(), "adam", x, np.eye(2)[t], epochs=2, batch_size=32, progress=False)
    assert history.epochs == 2 and np.isfinite(history.batch_loss).all()


def test_training_metrics_use_a_subset_of_a_large_training_set(moons, monkeypatch):
    x, t, _, _ = moons
    monkeypatch.setattr(training, "TRAIN_EVAL_SIZE", 40)
    seen = []

    class RecordingNet(TwoLayerNet):
        def accuracy(self, x, t):
            seen.append(len(x))
            return super().accuracy(x, t)

    fit(RecordingNet(2, 8, 2), Adam(), x, t, epochs=2, batch_size=50, progress=False)
    assert seen == [40, 40]


class SoftmaxRegression:
    """A linear classifier with only `gradient` (no `loss_and_gradient`): fit must cope."""

    def __init__(self, n_features, n_classes):
        self.params = {"W": np.zeros((n_features, n_classes)), "b": np.zeros(n_classes)}

    def scores(self, x):
        return x @ self.params["W"] + self.params["b"]

    def loss(self, x, t):
        return softmax_cross_entropy(self.scores(x), t)

    def accuracy(self, x, t):
        return float(np.mean(self.scores(x).argmax(axis=1) == t))

    def gradient(self, x, t):
        dscores = softmax_cross_entropy_grad(self.scores(x), t)
        return {"W": x.T @ dscores, "b": dscores.sum(axis=0)}


def test_a_model_with_only_gradient_is_trained(moons):
    x, t, _, _ = moons
    model = SoftmaxRegression(2, 2)
    history = fit(model, SGD(lr=0.5), x, t, epochs=5, batch_size=30, progress=False)
    assert history.batch_loss[0] == pytest.approx(np.log(2))  # zero weights: uniform guess
    assert history.accuracy[-1] > 0.8


# --- callback and progress bar -------------------------------------------------------------------

def test_callback_sees_every_epoch_and_can_stop_training(moons):
    x, t, _, _ = moons
    calls = []

    def stop_after_two(epoch, history):
        calls.append((epoch, history.epochs))
        return epoch == 2

    history = fit(new_net(), Adam(), x, t, epochs=5, batch_size=50, progress=False,
                  callback=stop_after_two)
    assert calls == [(1, 1), (2, 2)]
    assert history.epochs == 2 and len(history.batch_loss) == 6


def test_progress_bar_counts_iterations_and_can_be_switched_off(moons, capsys):
    x, t, x_val, t_val = moons
    fit(new_net(), Adam(), x, t, epochs=2, batch_size=50, x_val=x_val, t_val=t_val, progress=True)
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "6/6" in err and "val_accuracy=" in err
    fit(new_net(), Adam(), x, t, epochs=2, batch_size=50, progress=False)
    assert capsys.readouterr() == ("", "")


# --- bad input -----------------------------------------------------------------------------------

def test_bad_arguments_are_named(moons):
    x, t, x_val, t_val = moons
    net = new_net()
    with pytest.raises(ValueError, match=r"epochs: expected an integer >= 1, got 0"):
        fit(net, Adam(), x, t, epochs=0, batch_size=10)
    with pytest.raises(ValueError, match=r"batch_size: expected an integer >= 1, got 2.5"):
        fit(net, Adam(), x, t, epochs=1, batch_size=2.5)
    with pytest.raises(ValueError, match=r"x_val and t_val: expected both or neither, got only x_val"):
        fit(net, Adam(), x, t, epochs=1, batch_size=10, x_val=x_val)
    with pytest.raises(ValueError, match=r"x and t: expected the same number of samples, got 150 and 149"):
        fit(net, Adam(), x, t[:-1], epochs=1, batch_size=10, progress=False)
    with pytest.raises(TypeError, match=r"optimizer: expected an object with update\(params, grads\) "
                                        r"or an optimizer name, got float"):
        fit(net, 0.01, x, t, epochs=1, batch_size=10)
    with pytest.raises(ValueError, match=r"name: unknown name 'lamb'"):
        fit(net, "lamb", x, t, epochs=1, batch_size=10)
    with pytest.raises(TypeError, match=r"model: expected an object with params, loss, accuracy and "
                                        r"loss_and_gradient, got a dict without params, loss, accuracy"):
        fit({}, Adam(), x, t, epochs=1, batch_size=10)


def test_bad_labels_stop_training_with_the_networks_message(moons):
    x, t, _, _ = moons
    with pytest.raises(ValueError, match=r"t: expected class indices in \[0, 2\), got values from 0 to 7"):
        fit(new_net(), Adam(), x, np.where(t == 1, 7, t), epochs=1, batch_size=200, progress=False)


# --- confusion matrix ----------------------------------------------------------------------------

def test_confusion_matrix_by_hand():
    t_true = np.array([0, 0, 1, 1, 1, 2])
    t_pred = np.array([0, 1, 1, 1, 2, 0])
    expected = np.array([[1, 1, 0],
                         [0, 2, 1],
                         [1, 0, 0]])
    cm = confusion_matrix(t_true, t_pred, 3)
    np.testing.assert_array_equal(cm, expected)
    assert cm.dtype.kind == "i"
    np.testing.assert_array_equal(confusion_matrix(np.eye(3)[t_true], t_pred, 3), expected)
    np.testing.assert_array_equal(confusion_matrix(t_true, t_pred), expected)  # K inferred
    np.testing.assert_array_equal(confusion_matrix(t_true, t_pred, 4)[:3, :3], expected)


@settings(max_examples=50)
@given(pairs=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=40))
def test_confusion_matrix_counts_every_pair(pairs):
    t_true, t_pred = np.array(pairs).T
    cm = confusion_matrix(t_true, t_pred, 5)
    expected = np.zeros((5, 5), dtype=int)
    for i, j in pairs:
        expected[i, j] += 1
    np.testing.assert_array_equal(cm, expected)
    assert cm.sum() == len(pairs)
    assert np.trace(cm) == np.sum(t_true == t_pred)
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(t_true, minlength=5))


def test_confusion_matrix_rejects_bad_labels():
    with pytest.raises(ValueError, match=r"t_pred: expected class indices in \[0, 3\), got values from 0 to 3"):
        confusion_matrix(np.array([0, 1, 2]), np.array([0, 3, 1]), 3)
    with pytest.raises(ValueError, match=r"t_pred: expected 3 labels \(one per sample\), got 2"):
        confusion_matrix(np.array([0, 1, 2]), np.array([0, 1]), 3)
    with pytest.raises(ValueError, match=r"n_classes: expected an integer >= 1, got 0"):
        confusion_matrix(np.array([0]), np.array([0]), 0)
