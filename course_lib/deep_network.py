"""A fully connected network of any depth, with batch normalization if wanted.

    x -> [Affine -> (BatchNorm) -> activation] * L -> Affine -> scores -> SoftmaxWithLoss(t) -> L

The two-layer network of `course_lib.network` with as many hidden layers as `hidden_sizes`
lists, to see what the initial weights do to a deep signal (chapter 11). With
``batch_norm=True`` every hidden Affine layer is followed by a `BatchNorm` layer; its gamma and
beta are parameters, its running averages are state of the layer, not trained.

Training mode (batch statistics, running averages updated) is what `loss_and_gradient` uses,
the method `fit` trains with; `predict`, `loss` and `accuracy` use inference mode unless told
otherwise, so that evaluating a model never changes it.
"""
from __future__ import annotations

import numpy as np

from course_lib.layers import Affine
from course_lib.network import ACTIVATION_LAYERS, TwoLayerNet
from course_lib.normalization import BatchNorm
from course_lib.validation import check_count, check_labels


class DeepNet(TwoLayerNet):
    """A classifier with L hidden layers (TwoLayerNet's interface: `fit` trains it).

    Parameters
    ----------
    input_size : int
        D, features per sample.
    hidden_sizes : sequence of int
        The width of each hidden layer, e.g. [100] * 5; may be empty (softmax regression).
    output_size : int
        K, the number of classes.
    activation : {"relu", "sigmoid", "tanh"}, default "relu"
    weight_init_std : {"he", "xavier"} or float, default "he"
        See `course_lib.initialization.init_weight_std`; the same rule for every layer.
    batch_norm : bool, default False
        Put a BatchNorm layer between each hidden Affine layer and its activation.
    momentum : float, default 0.1
        Of the BatchNorm layers' running averages (PyTorch's convention).
    dtype : {np.float32, np.float64}, default np.float32
    seed : int or None, default 0

    Attributes
    ----------
    params : dict of ndarray
        "W1" (D, H1), "b1" (H1,), ..., "W{L+1}" (H_L, K), "b{L+1}" (K,); with batch norm also
        "gamma{l}" and "beta{l}" (H_l,) for l = 1 .. L.
    norm_layers : list of BatchNorm
        One per hidden layer with batch norm (empty without); they keep the running averages.
    hidden_outputs : list of ndarray
        The output of each hidden layer's activation in the last forward pass, shape (N, H_l).
    """

    def __init__(self, input_size: int, hidden_sizes, output_size: int, activation: str = "relu",
                 weight_init_std="he", batch_norm: bool = False, momentum: float = 0.1,
                 dtype=np.float32, seed: int | None = 0):
        sizes = [check_count(input_size, "input_size"),
                 *(check_count(h, f"hidden_sizes[{i}]") for i, h in enumerate(hidden_sizes)),
                 check_count(output_size, "output_size")]
        self._init_layers(sizes, activation, weight_init_std, dtype, seed)
        self.n_hidden = len(sizes) - 2
        self.batch_norm = bool(batch_norm)
        self.norm_layers = []
        for i, width in enumerate(sizes[1:-1] if self.batch_norm else [], start=1):
            self.params[f"gamma{i}"] = np.ones(width, dtype=self.dtype)
            self.params[f"beta{i}"] = np.zeros(width, dtype=self.dtype)
            self.norm_layers.append(BatchNorm(self.params[f"gamma{i}"], self.params[f"beta{i}"],
                                              momentum=momentum))
        self.hidden_outputs = []

    @property
    def output_size(self) -> int:
        return self.params[f"W{self.n_hidden + 1}"].shape[1]

    def predict(self, x, train: bool = False) -> np.ndarray:
        """Class scores (N, K); `train` uses the batch's statistics in the BatchNorm layers."""
        return self._forward(self._check_input(x), train)

    def loss(self, x, t, train: bool = False) -> float:
        """Mean softmax cross-entropy; in training mode with batch statistics (see `predict`)."""
        x = self._check_input(x)
        t = check_labels(t, len(x), self.output_size, name="t")
        return self.loss_layer.forward(self._forward(x, train), t)

    def loss_and_gradient(self, x, t) -> tuple[float, dict]:
        """The training-mode loss and its gradient with respect to every parameter (backprop).

        Returns
        -------
        loss : float
        grads : dict of ndarray, the keys, shapes and dtype of `params`
        """
        loss = self.loss(x, t, train=True)
        dout = self.loss_layer.backward(1.0)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {}
        affines = [layer for layer in self.layers if isinstance(layer, Affine)]
        for i, affine in enumerate(affines, start=1):
            grads[f"W{i}"], grads[f"b{i}"] = affine.dW, affine.db
        for i, norm in enumerate(self.norm_layers, start=1):
            grads[f"gamma{i}"], grads[f"beta{i}"] = norm.dgamma, norm.dbeta
        return loss, grads

    def numerical_gradient(self, x, t, h: float = 1e-4) -> dict:
        """Gradient of the training-mode loss by central differences (see TwoLayerNet).

        The running averages are put back afterwards: the 2P forward passes must not count as
        training.
        """
        saved = [(norm.running_mean.copy(), norm.running_var.copy()) for norm in self.norm_layers]
        try:
            return super().numerical_gradient(x, t, h)
        finally:
            for norm, (mean, var) in zip(self.norm_layers, saved, strict=True):
                norm.running_mean, norm.running_var = mean, var

    def _forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        """Run the layers on x (already checked) and return the scores (N, K)."""
        p = self.params
        self.layers, self.hidden_outputs = [], []
        out = x
        for i in range(1, self.n_hidden + 2):
            affine = Affine(p[f"W{i}"], p[f"b{i}"], input_grad=i > 1)
            self.layers.append(affine)
            out = affine.forward(out)
            if i == self.n_hidden + 1:
                break
            if self.batch_norm:
                norm = self.norm_layers[i - 1]
                norm.gamma, norm.beta = p[f"gamma{i}"], p[f"beta{i}"]  # replaced arrays count
                self.layers.append(norm)
                out = norm.forward(out, train)
            activation = ACTIVATION_LAYERS[self.activation]()
            self.layers.append(activation)
            out = activation.forward(out)
            self.hidden_outputs.append(out)
        return self._check_scores(out)
