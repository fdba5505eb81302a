"""Record PyTorch's weight decay, learning-rate schedulers and dropout, for tests/test_regularization.py.

PyTorch is the independent reference (AdamW's trajectories are in optimizer_golden.npz, see
record_optimizer_golden.py). This script stores, without any course_lib code:

- "l2_sgd__*", "l2_adam__*": trajectories of torch.optim.SGD and torch.optim.Adam with
  ``weight_decay`` on the weight matrix only (coupled L2: ``weight_decay * w`` joins the
  gradient), on the least-squares problem of record_optimizer_golden.py;
- "schedule__<name>": the learning rate of updates 0 .. N_SCHEDULE_STEPS - 1 (base lr 1) under
  StepLR, CosineAnnealingLR, LinearLR and SequentialLR(LinearLR, CosineAnnealingLR);
- "dropout__*": torch.nn.functional.dropout on a fixed float32 input: one training output and
  the gradient of sum(out * dout) through it, the mean of many training outputs, and the
  output in eval mode.

    .venv/bin/pip install torch==2.13.0          # only for this script; never a course dependency
    .venv/bin/python scripts/record_regularization_golden.py

Output: tests/fixtures/regularization_golden.npz, with "meta" (a JSON string: torch version and
every setting used).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from record_optimizer_golden import N_STEPS, make_problems, torch_loss

OUTPUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "regularization_golden.npz"
L2_RUNS = {"l2_sgd": ("SGD", {"lr": 0.1}, 0.3), "l2_adam": ("Adam", {"lr": 0.05}, 0.3)}
N_SCHEDULE_STEPS = 30
SCHEDULES = {
    "step": {"every": 7, "factor": 0.5},
    "cosine": {"total_steps": N_SCHEDULE_STEPS, "min_factor": 0.05},
    "warmup": {"steps": 5},
    "warmup_cosine": {"steps": 5, "total_steps": N_SCHEDULE_STEPS},
}
DROPOUT = {"p": [0.2, 0.5], "shape": [6, 8], "trials": 20_000, "seed": 7}


def l2_trajectory(optimizer_name: str, options: dict, weight_decay: float) -> dict:
    problem = make_problems()["least_squares"]
    data = {k: torch.tensor(v) for k, v in problem["data"].items()}
    params = {k: torch.tensor(v, requires_grad=True) for k, v in problem["start"].items()}
    groups = [{"params": [params["W"]], "weight_decay": weight_decay},
              {"params": [params["b"]], "weight_decay": 0.0}]
    optimizer = getattr(torch.optim, optimizer_name)(groups, **options)
    path = {k: [v.detach().numpy().copy()] for k, v in params.items()}
    for _ in range(N_STEPS):
        optimizer.zero_grad()
        torch_loss("least_squares", params, data).backward()
        optimizer.step()
        for k, v in params.items():
            path[k].append(v.detach().numpy().copy())
    return {k: np.stack(v) for k, v in path.items()}


def make_scheduler(name: str, optimizer):
    lr = torch.optim.lr_scheduler
    settings = SCHEDULES[name]
    if name == "step":
        return lr.StepLR(optimizer, step_size=settings["every"], gamma=settings["factor"])
    if name == "cosine":
        return lr.CosineAnnealingLR(optimizer, T_max=settings["total_steps"],
                                    eta_min=settings["min_factor"])
    steps = settings["steps"]
    warmup = lr.LinearLR(optimizer, start_factor=1 / steps, end_factor=1.0, total_iters=steps - 1)
    if name == "warmup":
        return warmup
    cosine = lr.CosineAnnealingLR(optimizer, T_max=settings["total_steps"] - steps)
    return lr.SequentialLR(optimizer, [warmup, cosine], milestones=[steps])


def schedule_factors(name: str) -> np.ndarray:
    """The learning rate used by updates 0, 1, ... with base lr 1."""
    weight = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([weight], lr=1.0)
    scheduler = make_scheduler(name, optimizer)
    factors = []
    for _ in range(N_SCHEDULE_STEPS):
        factors.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(factors)


def dropout_arrays() -> dict:
    torch.manual_seed(DROPOUT["seed"])
    rng = np.random.default_rng(DROPOUT["seed"])
    x = rng.normal(size=DROPOUT["shape"]).astype(np.float32)
    dout = rng.normal(size=DROPOUT["shape"]).astype(np.float32)
    arrays = {"dropout__x": x, "dropout__dout": dout}
    for p in DROPOUT["p"]:
        inputs = torch.tensor(x, requires_grad=True)
        out = torch.nn.functional.dropout(inputs, p=p, training=True)
        (out * torch.tensor(dout)).sum().backward()
        many = torch.nn.functional.dropout(torch.tensor(x).expand(DROPOUT["trials"], *x.shape),
                                           p=p, training=True)
        arrays[f"dropout__p{p}__out"] = out.detach().numpy()
        arrays[f"dropout__p{p}__grad"] = inputs.grad.numpy()
        arrays[f"dropout__p{p}__mean"] = many.mean(dim=0).numpy()
        arrays[f"dropout__p{p}__eval"] = torch.nn.functional.dropout(
            torch.tensor(x), p=p, training=False).numpy()
    return arrays


def main() -> None:
    torch.use_deterministic_algorithms(True)
    arrays = {}
    for name, run in L2_RUNS.items():
        for k, v in l2_trajectory(*run).items():
            arrays[f"{name}__{k}"] = v
    for name in SCHEDULES:
        arrays[f"schedule__{name}"] = schedule_factors(name)
    arrays.update(dropout_arrays())
    meta = {"torch_version": torch.__version__, "n_steps": N_STEPS, "l2_runs": L2_RUNS,
            "schedules": SCHEDULES, "n_schedule_steps": N_SCHEDULE_STEPS, "dropout": DROPOUT}
    np.savez_compressed(OUTPUT, meta=np.array(json.dumps(meta, indent=1)), **arrays)
    print(f"wrote {len(arrays)} arrays to {OUTPUT} ({OUTPUT.stat().st_size / 1024:.1f} KiB, "
          f"torch {torch.__version__})")


if __name__ == "__main__":
    main()
