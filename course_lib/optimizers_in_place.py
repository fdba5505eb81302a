"""The updates of `course_lib.optimizers` once more, written in place for speed.

Each optimizer class writes its update as the formula (its `formula` method); `Optimizer.update`
runs the function of the same name here instead, unless the optimizer is made with
``in_place=False``. Both compute the same numbers up to rounding, which tests/test_optimizers.py
checks for every optimizer against PyTorch's trajectories.

Why a second form: on a layer of 400,000 weights a temporary array costs about as much time as the
arithmetic done in it, and the formulas make several. Measured once on an Intel Xeon (one core,
784 x 512 float32, the first layer of chapter 09's network): RMSProp's formula took 2.2 ms a
step and the in-place form 1.3 ms, Adam's 3.8 and 1.9 ms, which per training step is as much as a
large part of the matrix products. Each function below keeps at most one temporary array (`step`)
and changes `w` and the state arrays in place.
"""
from __future__ import annotations

import math

import numpy as np


def sgd(w, g, lr):
    """w <- w - lr g."""
    w -= lr * g


def momentum(w, g, velocity, lr, mu):
    """v <- mu v - lr g;  w <- w + v."""
    velocity *= mu
    velocity -= lr * g
    w += velocity


def nesterov(w, g, velocity, lr, mu):
    """v <- mu v - lr g;  w <- w + mu v - lr g."""
    velocity *= mu
    step = lr * g
    velocity -= step
    w -= step
    step = np.multiply(velocity, mu, out=step)
    w += step


def adagrad(w, g, sum_sq_grad, lr, eps):
    """r <- r + g^2;  w <- w - lr g / (sqrt(r) + eps)."""
    step = g * g
    sum_sq_grad += step
    w -= _scaled_by_rms(g, sum_sq_grad, lr, eps, out=step)


def rmsprop(w, g, mean_sq_grad, lr, decay, eps):
    """r <- rho r + (1 - rho) g^2;  w <- w - lr g / (sqrt(r) + eps)."""
    step = g * g
    _moving_average(mean_sq_grad, step, decay)
    w -= _scaled_by_rms(g, mean_sq_grad, lr, eps, out=step)


def adam(w, g, mean_grad, mean_sq_grad, lr, beta1, beta2, eps, t):
    """Adam's update at step t (1, 2, ...), with the bias correction moved onto the step.

    With c1 = 1 - b1^t and c2 = 1 - b2^t, as Kingma and Ba suggest,

        lr m_hat / (sqrt(r_hat) + eps) = (lr sqrt(c2) / c1) m / (sqrt(r) + eps sqrt(c2))

    so neither m_hat nor r_hat is ever made.
    """
    step = g.copy()
    _moving_average(mean_grad, step, beta1)
    _moving_average(mean_sq_grad, np.multiply(g, g, out=step), beta2)
    sqrt_c2, c1 = math.sqrt(1 - beta2 ** t), 1 - beta1 ** t
    w -= _scaled_by_rms(mean_grad, mean_sq_grad, lr * sqrt_c2 / c1, eps * sqrt_c2, out=step)


def _moving_average(average, sample, decay):
    """average <- decay average + (1 - decay) sample; `sample` is overwritten (scratch)."""
    sample *= 1 - decay
    average *= decay
    average += sample


def _scaled_by_rms(numerator, mean_square, lr, eps, out):
    """out <- lr numerator / (sqrt(mean_square) + eps); returns `out`."""
    np.sqrt(mean_square, out=out)
    out += eps
    np.divide(numerator, out, out=out)
    out *= lr
    return out
