"""The updates of `course_lib.optimizers` once more, written in place for speed.

Each optimizer class writes its update as the formula (its `formula` method); `Optimizer.update`
runs the function of the same name here instead, unless the optimizer is made with
``in_place=False``. Both compute the same numbers up to rounding, which tests/test_optimizers.py
checks for every optimizer, on arrays of one block and of several, against each other and against
PyTorch's trajectories.

Why a second form: on a layer of 400,000 weights a temporary array costs about as much time as the
arithmetic done in it, and the formulas make several. Here each update keeps one scratch array
(`step`) and changes `w` and the state arrays in place, and it works through large arrays in
blocks of `BLOCK` elements, so that the arrays of one block stay in the processor's cache while all
the update's operations run over them, instead of streaming each whole array from memory once per
operation. Measured once on an Intel Xeon (one core, OpenBLAS; 784 x 512 float32, the first layer of
chapter 09's network; CPU time of one `update`, input checks included): RMSProp 1.23 ms as the
formula, 0.77 ms in place on whole arrays, 0.58 ms in place in blocks; Adam 1.90, 1.05 and 0.73 ms.
"""
from __future__ import annotations

import math

import numpy as np

BLOCK = 1 << 16  # elements: 256 kB of float32, a few arrays of which fit a core's L2 cache


def sgd(w, g, lr):
    """w <- w - lr g."""
    w -= lr * g


def momentum(w, g, velocity, lr, mu):
    """v <- mu v - lr g;  w <- w + v."""
    for w_part, g_part, v_part, step in _blocks(w, g, velocity):
        v_part *= mu
        v_part -= np.multiply(g_part, lr, out=step)
        w_part += v_part


def nesterov(w, g, velocity, lr, mu):
    """v <- mu v - lr g;  w <- w + mu v - lr g."""
    for w_part, g_part, v_part, step in _blocks(w, g, velocity):
        np.multiply(g_part, lr, out=step)
        v_part *= mu
        v_part -= step
        w_part -= step
        w_part += np.multiply(v_part, mu, out=step)


def adagrad(w, g, sum_sq_grad, lr, eps):
    """r <- r + g^2;  w <- w - lr g / (sqrt(r) + eps)."""
    for w_part, g_part, r_part, step in _blocks(w, g, sum_sq_grad):
        r_part += np.multiply(g_part, g_part, out=step)
        w_part -= _scaled_by_rms(g_part, r_part, lr, eps, out=step)


def rmsprop(w, g, mean_sq_grad, lr, decay, eps):
    """r <- rho r + (1 - rho) g^2;  w <- w - lr g / (sqrt(r) + eps)."""
    for w_part, g_part, r_part, step in _blocks(w, g, mean_sq_grad):
        _moving_average(r_part, np.multiply(g_part, g_part, out=step), decay)
        w_part -= _scaled_by_rms(g_part, r_part, lr, eps, out=step)


def adam(w, g, mean_grad, mean_sq_grad, lr, beta1, beta2, eps, t):
    """Adam's update at step t (1, 2, ...), with the bias correction moved onto the step.

    With c1 = 1 - b1^t and c2 = 1 - b2^t, as Kingma and Ba suggest,

        lr m_hat / (sqrt(r_hat) + eps) = (lr sqrt(c2) / c1) m / (sqrt(r) + eps sqrt(c2))

    so neither m_hat nor r_hat is ever made.
    """
    sqrt_c2, c1 = math.sqrt(1 - beta2 ** t), 1 - beta1 ** t
    for w_part, g_part, m_part, r_part, step in _blocks(w, g, mean_grad, mean_sq_grad):
        step[...] = g_part
        _moving_average(m_part, step, beta1)
        _moving_average(r_part, np.multiply(g_part, g_part, out=step), beta2)
        w_part -= _scaled_by_rms(m_part, r_part, lr * sqrt_c2 / c1, eps * sqrt_c2, out=step)


def _blocks(w, *others):
    """(w, *others, scratch) block by block: views of at most BLOCK elements of the flattened
    arrays, and a scratch array of the same size. Arrays that are not all C-contiguous are taken
    whole (a reshape of them would be a copy, and the update must change them in place).
    """
    arrays = (w, *others)
    if not all(a.flags.c_contiguous for a in arrays) or w.size <= BLOCK:
        yield (*arrays, np.empty_like(w))
        return
    flat = [a.reshape(-1) for a in arrays]
    scratch = np.empty(BLOCK, dtype=w.dtype)
    for start in range(0, w.size, BLOCK):
        views = [a[start:start + BLOCK] for a in flat]
        yield (*views, scratch[:len(views[0])])


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
