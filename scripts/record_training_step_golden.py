"""Record PyTorch training a small ReLU network, for tests/test_network_in_place.py.

PyTorch is the independent reference for `course_lib.network_in_place.TrainingStep` (and for the
layers it stands in for). A 12-9-4 network (Linear, ReLU, Linear, cross-entropy) starts from
fixed float64 weights and takes one step per batch of a fixed sequence of batches, the last one
shorter than the others, under RMSprop, Adam and SGD. This script stores, without any course_lib
code, for each optimizer: the starting weights, the data and the batches, every batch's loss
before its step, the gradients of the first step and the weights after every step.

    .venv/bin/pip install torch==2.13.0          # only for this script; never a course dependency
    .venv/bin/python scripts/record_training_step_golden.py

Output: tests/fixtures/training_step_golden.npz, with "meta" (a JSON string: torch version and
every setting used).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUTPUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "training_step_golden.npz"
INPUT, HIDDEN, CLASSES, N_SAMPLES, BATCH_SIZE, N_EPOCHS = 12, 9, 4, 40, 16, 3
# torch.optim class and settings; course_lib's optimizers of the same names take the same ones
# (RMSProp's decay is torch's alpha).
OPTIMIZERS = {"rmsprop": ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-8}),
              "adam": ("Adam", {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8}),
              "sgd": ("SGD", {"lr": 0.1})}


def problem():
    """Data, labels, starting weights (course_lib's layout: x W + b) and the epochs' batches."""
    rng = np.random.default_rng(16)
    x = rng.standard_normal((N_SAMPLES, INPUT))
    t = rng.integers(0, CLASSES, N_SAMPLES)
    weights = {"W1": rng.standard_normal((INPUT, HIDDEN)) * 0.5, "b1": rng.standard_normal(HIDDEN) * 0.1,
               "W2": rng.standard_normal((HIDDEN, CLASSES)) * 0.5, "b2": rng.standard_normal(CLASSES) * 0.1}
    batches = [rows for _ in range(N_EPOCHS) for rows in
               np.array_split(rng.permutation(N_SAMPLES), range(BATCH_SIZE, N_SAMPLES, BATCH_SIZE))]
    return x, t, weights, batches


def record(name: str, x, t, weights, batches) -> dict:
    torch_name, settings = OPTIMIZERS[name]
    params = {k: torch.tensor(v, requires_grad=True) for k, v in weights.items()}
    optimizer = getattr(torch.optim, torch_name)(params.values(), **settings)
    x_all, t_all = torch.from_numpy(x), torch.from_numpy(t)
    losses, after = [], {k: [] for k in params}
    first_grads = {}
    for rows in batches:
        index = torch.from_numpy(rows)
        hidden = torch.relu(x_all[index] @ params["W1"] + params["b1"])
        loss = torch.nn.functional.cross_entropy(hidden @ params["W2"] + params["b2"], t_all[index])
        optimizer.zero_grad()
        loss.backward()
        if not first_grads:
            first_grads = {k: p.grad.detach().numpy().copy() for k, p in params.items()}
        optimizer.step()
        losses.append(loss.item())
        for k, p in params.items():
            after[k].append(p.detach().numpy().copy())
    out = {f"{name}__loss": np.array(losses)}
    out.update({f"{name}__grad_{k}": g for k, g in first_grads.items()})
    out.update({f"{name}__after_{k}": np.stack(v) for k, v in after.items()})
    return out


def main() -> None:
    x, t, weights, batches = problem()
    arrays = {"x": x, "t": t, "batch_lengths": np.array([len(b) for b in batches]),
              "batch_rows": np.concatenate(batches)}
    arrays.update({f"start_{k}": v for k, v in weights.items()})
    for name in OPTIMIZERS:
        arrays.update(record(name, x, t, weights, batches))
    meta = {"torch_version": torch.__version__, "optimizers": OPTIMIZERS, "sizes":
            [INPUT, HIDDEN, CLASSES], "n_samples": N_SAMPLES, "batch_size": BATCH_SIZE,
            "epochs": N_EPOCHS}
    np.savez_compressed(OUTPUT, meta=json.dumps(meta), **arrays)
    print(f"wrote {OUTPUT} ({len(arrays)} arrays, torch {torch.__version__})")


if __name__ == "__main__":
    main()
