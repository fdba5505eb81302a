"""The training loop: mini-batches, gradients, optimizer steps, and a record of how it went.

One epoch is one pass over the training set in shuffled mini-batches. For every batch

    loss, grads = model.loss_and_gradient(x_batch, t_batch)
    optimizer.update(model.params, grads)

and after every epoch the loss and accuracy are measured on the training set and, when given,
the validation set, all with the same weights (those at the end of the epoch). For a ReLU
`TwoLayerNet` without dropout, trained without weight decay or augmentation, the same step runs as
`course_lib.network_in_place.TrainingStep`, which reuses its arrays from batch to batch: the same
numbers, faster.

Three regularizers plug in (course_lib.regularization): ``weight_decay`` adds the L2 penalty to
every batch's loss and gradient, ``augment`` changes every training batch before its step (e.g.
random shifts), and ``patience`` stops early and puts back the weights of the best epoch. A model
with a ``training`` attribute (a TwoLayerNet with dropout) is switched to training mode for the
updates and back for the measurements.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from course_lib.data.splits import batch_rows, check_pair
from course_lib.network_in_place import TrainingStep, fits
from course_lib.optimizers import get_optimizer
from course_lib.regularization import early_stopping, l2_gradient, l2_penalty
from course_lib.validation import check_class_indices, check_count, check_positive

# The per-epoch training loss and accuracy are measured on at most this many training samples
# (a fixed random subset), so that measuring costs a small part of an epoch even on MNIST.
TRAIN_EVAL_SIZE = 10_000


@dataclass
class History:
    """What happened during `fit`.

    Attributes
    ----------
    loss, accuracy : list of float, one per epoch
        On the training set (at most TRAIN_EVAL_SIZE samples of it), after the epoch.
    val_loss, val_accuracy : list of float, one per epoch
        On the validation set after the epoch; empty without validation data.
    batch_loss : list of float, one per iteration
        The loss of each mini-batch, before its update (with the L2 penalty, when there is
        one): noisy, and the only record of the course of an epoch.
    batches_per_epoch : int
        Iterations per epoch, to put batch_loss on an epoch axis (iteration / batches_per_epoch).
    best_epoch : int or None
        With early stopping: the epoch whose weights the model holds after `fit`.
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    batch_loss: list = field(default_factory=list)
    batches_per_epoch: int = 0
    best_epoch: int | None = None

    @property
    def epochs(self) -> int:
        """Number of epochs completed."""
        return len(self.loss)


def fit(model, optimizer, x_train, t_train, epochs: int, batch_size: int, x_val=None, t_val=None,
        seed: int | None = 0, progress: bool = True, callback=None, weight_decay: float = 0.0,
        augment=None, patience: int | None = None) -> History:
    """Train `model` with mini-batch gradient descent.

    Parameters
    ----------
    model : object
        Has ``params`` (dict of ndarray), ``loss(x, t)``, ``accuracy(x, t)`` and
        ``loss_and_gradient(x, t)`` (or ``gradient(x, t)``), like `TwoLayerNet`.
    optimizer : object with ``update(params, grads)``, or a name for `get_optimizer` ("adam", ...)
    x_train : ndarray, shape (N, D)
    t_train : ndarray, class indices (N,) or one-hot (N, K)
    epochs : int
        Passes over the training set.
    batch_size : int
        Samples per mini-batch; an epoch has ceil(N / batch_size) iterations.
    x_val, t_val : ndarray, optional
        Validation set, evaluated after each epoch (give both or neither).
    seed : int or None, default 0
        Fixes the shuffling of every epoch and the training subset used for the epoch metrics.
    progress : bool, default True
        Show a progress bar (tqdm; a widget in Jupyter, text in a terminal).
    callback : callable, optional
        ``callback(epoch, history)`` after each epoch (epoch counts from 1); returning True stops
        training early.
    weight_decay : float, default 0
        lambda of the L2 penalty (lambda / 2) sum W^2 added to each batch's loss, and lambda W to
        its gradient (`l2_penalty`, `l2_gradient`). The recorded epoch losses are the model's
        own loss, without the penalty, so that runs with and without it compare.
    augment : callable, optional
        ``augment(x_batch) -> x_batch`` applied to every training batch before its step, e.g.
        `RandomShift`; the measurements use the data as given.
    patience : int, optional
        Early stopping: stop once the validation loss has not improved for this many epochs
        (`early_stopping`) and give the model back the weights of its best epoch. Needs x_val.

    Returns
    -------
    History
    """
    _check_model(model)
    optimizer = _check_optimizer(optimizer)
    epochs = check_count(epochs, "epochs", 1)
    batch_size = check_count(batch_size, "batch_size", 1)
    if (x_val is None) != (t_val is None):
        raise ValueError("x_val and t_val: expected both or neither, got only "
                         f"{'x_val' if t_val is None else 't_val'}")
    weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
    if augment is not None and not callable(augment):
        raise TypeError(f"augment: expected a callable x_batch -> x_batch or None, "
                        f"got {type(augment).__name__}")
    if patience is not None:
        patience = check_count(patience, "patience", 1)
        if x_val is None:
            raise ValueError("patience: early stopping watches the validation loss; give x_val "
                             "and t_val")
    x_train, t_train = check_pair(x_train, t_train)
    rng = np.random.default_rng(seed)
    subset = rng.permutation(len(x_train))[:TRAIN_EVAL_SIZE]
    x_eval, t_eval = ((x_train, t_train) if len(x_train) <= TRAIN_EVAL_SIZE
                      else (x_train[subset], t_train[subset]))
    history = History(batches_per_epoch=-(-len(x_train) // batch_size))  # ceil(N / batch_size)
    # The same step with buffers reused across batches, where it applies (course_lib.network_in_place)
    fused_step = (TrainingStep(model, optimizer, x_train, t_train, batch_size)
                  if fits(model, weight_decay, augment) else None)
    best_params = {}  # with early stopping: the weights after the best epoch so far
    bar = tqdm(total=epochs * history.batches_per_epoch, disable=not progress, unit="batch")
    with bar:
        for epoch in range(1, epochs + 1):
            bar.set_description(f"epoch {epoch}/{epochs}")
            for rows in batch_rows(len(x_train), batch_size, seed=int(rng.integers(2**31))):
                if fused_step is not None:
                    loss = fused_step(rows)
                else:
                    loss = _step(model, optimizer, x_train[rows], t_train[rows], weight_decay,
                                 augment)
                history.batch_loss.append(float(loss))
                bar.update()
            _record(history, "", model, x_eval, t_eval)
            if x_val is not None:
                _record(history, "val_", model, x_val, t_val)
            bar.set_postfix(_latest(history), refresh=False)
            stop = callback is not None and callback(epoch, history)
            if patience is not None:
                history.best_epoch, stop_epoch = early_stopping(history.val_loss, patience)
                if history.best_epoch == epoch:
                    best_params = {key: value.copy() for key, value in model.params.items()}
                stop = stop or stop_epoch is not None
            if stop:
                break
    for key, value in best_params.items():
        model.params[key][...] = value  # in place: the model's layers hold these arrays
    return history


def confusion_matrix(t_true, t_pred, n_classes: int | None = None) -> np.ndarray:
    """Count how often each true class was predicted as each class.

        counts[i, j] = number of samples of true class i predicted as class j

    The diagonal holds the correct predictions; row i sums to the number of samples of class i.

    Parameters
    ----------
    t_true : array_like, class indices (N,) or one-hot rows (N, K)
    t_pred : array_like, class indices (N,) or one-hot rows (N, K)
    n_classes : int, optional
        K; by default one more than the largest label seen.

    Returns
    -------
    counts : ndarray of int64, shape (K, K)
    """
    t_true = np.asarray(t_true)
    if n_classes is None:
        labels = [check_class_indices(t, len(t_true), None, name) for t, name in
                  ((t_true, "t_true"), (t_pred, "t_pred"))]
        n_classes = max((int(t.max()) + 1 for t in labels if t.size), default=0)
    n_classes = check_count(n_classes, "n_classes", 1)
    true = check_class_indices(t_true, len(t_true), n_classes, "t_true")
    pred = check_class_indices(t_pred, len(t_true), n_classes, "t_pred")
    counts = np.bincount(true * n_classes + pred, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)


def _set_training(model, training: bool) -> None:
    """Switch a model with training and test modes (dropout) to one of them."""
    if hasattr(model, "training"):
        model.training = training


def _step(model, optimizer, x_batch, t_batch, weight_decay: float, augment) -> float:
    """One update on one batch, through the model's own loss_and_gradient; returns the loss."""
    if augment is not None:
        x_batch = augment(x_batch)
    _set_training(model, True)
    loss, grads = _loss_and_gradient(model, x_batch, t_batch)
    _set_training(model, False)
    if weight_decay:
        loss += l2_penalty(model.params, weight_decay)
        decay = l2_gradient(model.params, weight_decay)
        grads = {key: g + decay[key] for key, g in grads.items()}
    optimizer.update(model.params, grads)
    return loss


def _loss_and_gradient(model, x, t):
    if hasattr(model, "loss_and_gradient"):
        return model.loss_and_gradient(x, t)
    return model.loss(x, t), model.gradient(x, t)


def _record(history: History, prefix: str, model, x, t) -> None:
    """Append the model's loss and accuracy on (x, t) to history.<prefix>loss / <prefix>accuracy."""
    getattr(history, prefix + "loss").append(float(model.loss(x, t)))
    getattr(history, prefix + "accuracy").append(float(model.accuracy(x, t)))


def _latest(history: History) -> dict:
    """The last epoch's metrics, rounded, for the progress bar."""
    names = ("loss", "accuracy", "val_loss", "val_accuracy")
    return {name: f"{getattr(history, name)[-1]:.4f}" for name in names if getattr(history, name)}


def _check_optimizer(optimizer):
    """Return the optimizer, built by `get_optimizer` when given by name."""
    if isinstance(optimizer, str):
        optimizer = get_optimizer(optimizer)
    if not callable(getattr(optimizer, "update", None)):
        raise TypeError(f"optimizer: expected an object with update(params, grads) or an "
                        f"optimizer name, got {type(optimizer).__name__}")
    return optimizer


def _check_model(model) -> None:
    missing = [name for name in ("params", "loss", "accuracy") if not hasattr(model, name)]
    if not (hasattr(model, "loss_and_gradient") or hasattr(model, "gradient")):
        missing.append("loss_and_gradient (or gradient)")
    if missing:
        raise TypeError(f"model: expected an object with params, loss, accuracy and "
                        f"loss_and_gradient, got a {type(model).__name__} without "
                        f"{', '.join(missing)}")
