"""The two-layer network: a classifier built from computational-graph layers.

    x -> Affine(W1, b1) -> activation [-> Dropout(p)] -> Affine(W2, b2) -> scores
      -> SoftmaxWithLoss(t) -> L

``gradient`` runs the layers forward, then backward in reverse order (backpropagation);
``numerical_gradient`` gets the same numbers by central differences, one parameter at a time,
which is far slower and serves only to check backpropagation.

The network computes in one dtype (float32 by default), end to end: inputs are cast to it, and
parameters, activations and gradients all have it.
"""
from __future__ import annotations

import math

import numpy as np

from course_lib import gradient as numerical
from course_lib.initialization import init_weights
from course_lib.layers import Affine, Dropout, Relu, Sigmoid, SoftmaxWithLoss, Tanh
from course_lib.validation import (
    as_float_array,
    check_choice,
    check_class_indices,
    check_count,
    check_labels,
)

# The hidden ReLU works in place: the arrays it receives are temporaries of one pass.
ACTIVATION_LAYERS = {"relu": lambda: Relu(inplace=True), "sigmoid": Sigmoid, "tanh": Tanh}


class TwoLayerNet:
    """A fully connected network with one hidden layer, for classification into K classes.

    Parameters
    ----------
    input_size : int
        D, the number of features per sample (784 for a flattened 28x28 image).
    hidden_size : int
        H, the number of hidden units.
    output_size : int
        K, the number of classes.
    activation : {"relu", "sigmoid", "tanh"}, default "relu"
        The hidden layer's activation.
    weight_init_std : {"he", "xavier"} or float, default "he"
        How to draw the initial weights, from a normal distribution with mean 0 (see
        `course_lib.initialization.init_weight_std`). Biases start at 0.
    dtype : {np.float32, np.float64}, default np.float32
        The dtype of every parameter and every computation.
    seed : int or None, default 0
        Seed of the initial weights (and of the dropout masks): the same seed gives the same
        network.
    dropout : float in [0, 1), default 0
        Probability of dropping each hidden unit's output while training (inverted dropout,
        `course_lib.layers.Dropout`); 0 means no dropout layer.

    Attributes
    ----------
    params : dict of ndarray
        "W1" (D, H), "b1" (H,), "W2" (H, K), "b2" (K,). Optimizers update these arrays in place.
    layers : list
        [Affine, activation, Affine] (with Dropout before the second Affine when dropout > 0) of
        the last forward pass; loss_layer is its SoftmaxWithLoss.
    training : bool, default False
        Whether the network is being trained: dropout drops only then. `fit` sets it to True
        for its updates and back to False to measure.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 activation: str = "relu", weight_init_std="he", dtype=np.float32,
                 seed: int | None = 0, dropout: float = 0.0):
        sizes = [check_count(size, name, 1) for size, name in
                 ((input_size, "input_size"), (hidden_size, "hidden_size"),
                  (output_size, "output_size"))]
        self._init_layers(sizes, activation, weight_init_std, dtype, seed)
        if dropout:
            self.dropout_layer = Dropout(dropout, seed)

    def _init_layers(self, sizes, activation, weight_init_std, dtype, seed) -> None:
        """Check the settings and draw W{i} (sizes[i-1], sizes[i]) and b{i} for each layer i."""
        self.activation = check_choice(activation, ACTIVATION_LAYERS, "activation")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype: expected float32 or float64, got {self.dtype}")
        rng = np.random.default_rng(seed)
        self.params = {}
        for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:], strict=False), start=1):
            self.params[f"W{i}"] = init_weights(fan_in, fan_out, weight_init_std, rng, self.dtype)
            self.params[f"b{i}"] = np.zeros(fan_out, dtype=self.dtype)
        self.layers = []
        self.loss_layer = SoftmaxWithLoss()
        self.dropout_layer = None  # TwoLayerNet(dropout=p) sets one
        self.training = False

    @property
    def input_size(self) -> int:
        return self.params["W1"].shape[0]

    @property
    def output_size(self) -> int:
        return self.params["W2"].shape[1]

    def predict(self, x) -> np.ndarray:
        """Class scores (logits), before the softmax.

        Parameters
        ----------
        x : array_like, shape (N, D) (or (N, ...) with D values per sample, flattened)

        Returns
        -------
        scores : ndarray, shape (N, K), in the network's dtype
        """
        return self._forward(self._check_input(x))

    def loss(self, x, t) -> float:
        """Mean softmax cross-entropy  L = -(1/N) sum_n log softmax(scores_n)[t_n].

        Parameters
        ----------
        x : array_like, shape (N, D)
        t : array_like, class indices (N,) in [0, K) or one-hot rows (N, K)

        Returns
        -------
        float
        """
        x = self._check_input(x)
        t = check_labels(t, len(x), self.output_size, name="t")
        return self.loss_layer.forward(self._forward(x), t)

    def accuracy(self, x, t) -> float:
        """Fraction of samples whose highest score is the correct class, in [0, 1].

        Parameters
        ----------
        x : array_like, shape (N, D)
        t : array_like, class indices (N,) or one-hot rows (N, K)
        """
        scores = self.predict(x)
        labels = check_class_indices(t, len(scores), self.output_size, name="t")
        return float(np.mean(scores.argmax(axis=1) == labels))

    def loss_and_gradient(self, x, t) -> tuple[float, dict]:
        """The loss and its gradient with respect to every parameter, from one forward pass.

        Backpropagation: the forward pass stores in each layer what its backward pass needs; the
        backward pass starts from dL/dL = 1 and applies the layers' backward in reverse order.

        Returns
        -------
        loss : float
        grads : dict of ndarray
            Same keys, shapes and dtype as `params`.
        """
        loss = self.loss(x, t)
        dout = self.loss_layer.backward(1.0)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        first, second = self.layers[0], self.layers[-1]
        return loss, {"W1": first.dW, "b1": first.db, "W2": second.dW, "b2": second.db}

    def gradient(self, x, t) -> dict:
        """Gradient of the loss with respect to every parameter, by backpropagation.

        Returns
        -------
        dict of ndarray
            "W1" (D, H), "b1" (H,), "W2" (H, K), "b2" (K,), in the network's dtype.
        """
        return self.loss_and_gradient(x, t)[1]

    def numerical_gradient(self, x, t, h: float = 1e-4) -> dict:
        """Gradient of the loss by central differences, one parameter element at a time.

        Costs two forward passes per parameter: fine for checking backpropagation on a tiny
        network, hopeless for training one. Use float64 for checks; float32 round-off is large,
        and training=False with dropout (a new dropout mask in every pass has no gradient).

        Returns
        -------
        dict of ndarray
            Same keys, shapes and dtype as `params`.
        """
        x = self._check_input(x)
        t = check_labels(t, len(x), self.output_size, name="t")

        def loss_at(_):
            # numerical_gradient moves one element of a parameter array in place; the layers
            # read these same arrays.
            return self.loss_layer.forward(self._forward(x), t)

        return {key: numerical.numerical_gradient(loss_at, value, h)
                for key, value in self.params.items()}

    def _check_input(self, x) -> np.ndarray:
        """Return x as an array of the network's dtype, with a clear error for a wrong width."""
        x = as_float_array(x, "x")
        if x.ndim < 2 or math.prod(x.shape[1:]) != self.input_size:
            raise ValueError(f"x: expected shape (N, {self.input_size}) (input_size = "
                             f"{self.input_size} values per sample), got shape {x.shape}")
        return x.astype(self.dtype, copy=False)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        """Run the layers on x (already checked) and return the scores (N, K)."""
        p = self.params
        # Layers are made afresh from self.params on every pass, so a parameter array that was
        # replaced (not only updated in place) is never missed. The first Affine skips dx: no one
        # needs the gradient with respect to the data.
        self.layers = [Affine(p["W1"], p["b1"], input_grad=False),
                       ACTIVATION_LAYERS[self.activation](),
                       Affine(p["W2"], p["b2"])]
        if self.dropout_layer is not None:
            self.layers.insert(2, self.dropout_layer)  # on the hidden values, before Affine 2
        out = x
        for layer in self.layers:
            out = (layer.forward(out, training=self.training) if layer is self.dropout_layer
                   else layer.forward(out))
        return self._check_scores(out)

    @staticmethod
    def _check_scores(out: np.ndarray) -> np.ndarray:
        """Return the scores, or raise FloatingPointError when some are NaN or inf."""
        # x is finite (checked), so a NaN or inf here comes from the parameters.
        finite = np.isfinite(out)
        if not finite.all():
            raise FloatingPointError(
                f"scores: {out.size - finite.sum()} of the network's {out.size} scores are NaN or "
                f"inf: the parameters hold NaN or inf, or are so large that they overflow (is the "
                f"learning rate too large?)")
        return out
