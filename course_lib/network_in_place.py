"""The training step of `course_lib.network.TwoLayerNet`, written once more for speed.

`TwoLayerNet.loss_and_gradient` runs the layers of `course_lib.layers` as the chapters write them:
each batch makes new layers, and each layer makes new arrays for its output and its gradients.
`TrainingStep` computes the same numbers for a ReLU network without dropout, with everything an
epoch needs made once and reused for every batch:

- the batch is gathered from the training set straight into one buffer (`np.take` with ``out=``),
  in the network's dtype, so the matrix products always get contiguous rows;
- the forward and backward passes write into buffers of the batch's size (``out=`` of
  `np.matmul` and of the ufuncs); ReLU, the bias additions and the softmax work in place;
- the data are checked once, when the step is made, instead of once per batch.

The optimizer's update is the optimizer's own (`Optimizer.update`, so in place by default,
`course_lib.optimizers_in_place`). `course_lib.training.fit` trains with a `TrainingStep`
whenever `fits` says it can; tests/test_network_in_place.py checks that it gives the same
losses, gradients and weights as the layers and as PyTorch.
"""
from __future__ import annotations

import numpy as np

from course_lib.network import TwoLayerNet
from course_lib.validation import check_class_indices


def fits(model, weight_decay: float = 0.0, augment=None) -> bool:
    """Whether `TrainingStep` computes what ``fit`` would compute with the layers of `model`.

    It does for a `TwoLayerNet` with ReLU and without dropout, trained without weight decay and
    without augmentation (both of which change each batch before its gradient).
    """
    return (type(model) is TwoLayerNet and model.activation == "relu"
            and model.dropout_layer is None and not weight_decay and augment is None)


class TrainingStep:
    """One mini-batch step of a ReLU `TwoLayerNet`: forward, backward and the optimizer's update.

    Parameters
    ----------
    net : TwoLayerNet
        With activation "relu" and no dropout (see `fits`). Its ``params`` are updated in place.
    optimizer : object with ``update(params, grads)``
    x : array_like, shape (N, D)
        The training set. It is checked, and cast to the network's dtype, once here.
    t : array_like, class indices (N,) or one-hot rows (N, K)
    batch_size : int
        The largest batch that `__call__` will be given.

    Attributes
    ----------
    grads : dict of ndarray
        The gradients of the last step, with the keys and shapes of ``net.params``. The same
        arrays are overwritten by every step.
    """

    def __init__(self, net, optimizer, x, t, batch_size: int):
        if not fits(net):
            raise ValueError("net: TrainingStep needs a TwoLayerNet with activation 'relu' and "
                             "no dropout; train other networks with their loss_and_gradient")
        self.net, self.optimizer = net, optimizer
        x = net._check_input(x)
        self.x = np.ascontiguousarray(x.reshape(len(x), -1))
        self.labels = check_class_indices(t, len(self.x), net.output_size, name="t")
        params = net.params
        (d, h), k = params["W1"].shape, params["W2"].shape[1]
        dtype = net.dtype
        self.x_batch = np.empty((batch_size, d), dtype)
        self.hidden = np.empty((batch_size, h), dtype)
        self.scores = np.empty((batch_size, k), dtype)
        self.d_hidden = np.empty((batch_size, h), dtype)
        self.grads = {"W1": np.empty((d, h), dtype), "b1": np.empty(h, dtype),
                      "W2": np.empty((h, k), dtype), "b2": np.empty(k, dtype)}

    def __call__(self, rows) -> float:
        """Train on the samples ``x[rows]``: one update of the parameters.

        Parameters
        ----------
        rows : ndarray of int, shape (B,), B <= batch_size
            Indices of the batch's samples in the training set.

        Returns
        -------
        loss : float
            The batch's mean cross-entropy before the update, as ``net.loss`` computes it.
        """
        b = len(rows)
        x = self.x_batch[:b]
        # mode="clip" lets numpy write straight into `out` (mode="raise" goes through a buffer);
        # rows are indices the caller drew from range(N).
        np.take(self.x, rows, axis=0, out=x, mode="clip")
        hidden, d_hidden = self.forward(x), self.d_hidden[:b]
        loss, d_scores = self._loss_and_d_scores(self.scores[:b], self.labels[rows])
        p, g = self.net.params, self.grads
        np.matmul(hidden.T, d_scores, out=g["W2"])
        np.sum(d_scores, axis=0, out=g["b2"])
        np.matmul(d_scores, p["W2"].T, out=d_hidden)
        np.multiply(d_hidden, hidden > 0, out=d_hidden)  # ReLU's backward
        np.matmul(x.T, d_hidden, out=g["W1"])
        np.sum(d_hidden, axis=0, out=g["b1"])
        self.optimizer.update(p, g)
        return loss

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The hidden values relu(x W1 + b1) into the hidden buffer, the scores into theirs."""
        p, b = self.net.params, len(x)
        hidden, scores = self.hidden[:b], self.scores[:b]
        np.matmul(x, p["W1"], out=hidden)
        hidden += p["b1"]
        np.maximum(hidden, 0, out=hidden)
        np.matmul(hidden, p["W2"], out=scores)
        scores += p["b2"]
        self.net._check_scores(scores)
        return hidden

    @staticmethod
    def _loss_and_d_scores(scores: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
        """The mean cross-entropy of softmax(scores), and dL/dscores = (y - onehot) / B in place.

        As `course_lib.layers.SoftmaxWithLoss`: each row is shifted by its maximum, and the loss
        is log(sum exp) - shifted score of the label (log-sum-exp, finite where y underflows).
        """
        rows = np.arange(len(scores))
        scores -= scores.max(axis=1, keepdims=True)
        label_scores = scores[rows, labels]
        np.exp(scores, out=scores)
        total = scores.sum(axis=1)
        loss = float(np.mean(np.log(total) - label_scores))
        scores /= total[:, None]
        scores[rows, labels] -= 1
        scores /= len(scores)
        return loss, scores

