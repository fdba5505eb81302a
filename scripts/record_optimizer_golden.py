"""Record golden optimizer trajectories with PyTorch's optimizers, for tests/test_optimizers.py.

PyTorch is the independent reference: this script runs torch.optim.{SGD, Adagrad, RMSprop, Adam,
AdamW} (gradients from torch.autograd) on two problems and stores every iterate, so that the tests
can replay course_lib.optimizers on the same problems and compare, without importing torch.

    .venv/bin/pip install torch==2.13.0          # only for this script; never a course dependency
    .venv/bin/python scripts/record_optimizer_golden.py

Problems:
- "rosenbrock": one parameter p of shape (2,), f = (1 - x)^2 + 100 (y - x^2)^2, from (-1.2, 1).
- "least_squares": two parameters W (3, 2) and b (2,), f = mean((X W + b - Y)^2) on fixed data.

Output: tests/fixtures/optimizer_golden.npz with
- "meta": a JSON string: {"torch_version", "n_steps", "cases": [{"id", "optimizer", "kwargs",
  "schedule", "problem", "dtype", "torch"}, ...]}; "kwargs" are course_lib hyper-parameters,
  "schedule" is null or {"name": "StepDecay", ...the course schedule's arguments}, "torch" says
  what was run.
- "{problem}__{name}": the data and start values, e.g. "least_squares__X", "rosenbrock__p".
- "{case id}__{name}": the trajectory of parameter `name`, shape (n_steps + 1, *param.shape),
  row 0 the start.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUTPUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "optimizer_golden.npz"
N_STEPS = 12


def make_problems() -> dict[str, dict]:
    rng = np.random.default_rng(2024)
    x = rng.normal(size=(8, 3))
    y = x @ rng.normal(size=(3, 2)) + 0.5 + 0.1 * rng.normal(size=(8, 2))
    return {
        "rosenbrock": {"data": {}, "start": {"p": np.array([-1.2, 1.0])}},
        "least_squares": {"data": {"X": x, "Y": y},
                          "start": {"W": rng.normal(size=(3, 2)), "b": np.zeros(2)}},
    }


def torch_loss(problem: str, params: dict, data: dict) -> torch.Tensor:
    if problem == "rosenbrock":
        x, y = params["p"]
        return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
    return torch.mean((data["X"] @ params["W"] + params["b"] - data["Y"]) ** 2)


def _described(name: str, options: dict) -> str:
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in options.items())})"


def torch_optimizer(case: dict, tensors: list) -> tuple[torch.optim.Optimizer, str]:
    """The torch optimizer equal (for a constant learning rate) to the course optimizer of `case`."""
    name, kwargs, schedule = case["optimizer"], case["kwargs"], case["schedule"]
    if name in ("sgd", "momentum", "nesterov"):
        options = {"lr": kwargs["lr"], "momentum": kwargs.get("momentum", 0.0),
                   "nesterov": name == "nesterov"}
        return torch.optim.SGD(tensors, **options), _described("SGD", options)
    if name == "adagrad":
        options = {"lr": kwargs["lr"], "eps": kwargs["eps"]}
        if schedule is not None and schedule["name"] == "InverseTimeDecay":
            options["lr_decay"] = schedule["k"]  # Adagrad's own decay: lr / (1 + (step - 1) lr_decay)
        return torch.optim.Adagrad(tensors, **options), _described("Adagrad", options)
    if name == "rmsprop":
        options = {"lr": kwargs["lr"], "alpha": kwargs["decay"], "eps": kwargs["eps"]}
        return torch.optim.RMSprop(tensors, **options), _described("RMSprop", options)
    options = {"lr": kwargs["lr"], "betas": (kwargs["beta1"], kwargs["beta2"]), "eps": kwargs["eps"]}
    if name == "adam":
        return torch.optim.Adam(tensors, **options), _described("Adam", options)
    # course_lib's AdamW decays weight matrices only: two parameter groups
    groups = [{"params": [w for w in tensors if w.ndim >= 2], "weight_decay": kwargs["weight_decay"]},
              {"params": [w for w in tensors if w.ndim < 2], "weight_decay": 0.0}]
    return (torch.optim.AdamW([g for g in groups if g["params"]], **options),
            _described("AdamW", {**options, "weight_decay": f"{kwargs['weight_decay']} on matrices only"}))


def torch_scheduler(schedule: dict | None, optimizer: torch.optim.Optimizer):
    """The torch scheduler multiplying the learning rate of update t (0, 1, ...) by the course factor."""
    if schedule is None:
        return None, ""
    if isinstance(optimizer, torch.optim.Adagrad) and schedule["name"] == "InverseTimeDecay":
        return None, ""  # done by Adagrad's own lr_decay, see torch_optimizer
    if schedule["name"] == "CosineDecay":
        return torch_cosine(schedule, optimizer)
    if schedule["name"] == "Warmup":
        steps = schedule["steps"]
        warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1 / steps, end_factor=1.0,
                                                   total_iters=steps - 1)
        described = f" + LinearLR(start_factor=1/{steps}, total_iters={steps - 1})"
        if schedule["then"] is None:
            return warmup, described
        after, after_described = torch_cosine(schedule["then"], optimizer)
        return (torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, after], milestones=[steps]),
                f" + SequentialLR([{described[3:]}, {after_described[3:]}], milestones=[{steps}])")
    if schedule["name"] == "StepDecay":
        options = {"step_size": schedule["every"], "gamma": schedule["factor"]}
        return torch.optim.lr_scheduler.StepLR(optimizer, **options), " + " + _described("StepLR", options)
    if schedule["name"] == "ExponentialDecay":
        options = {"gamma": schedule["rate"]}
        return (torch.optim.lr_scheduler.ExponentialLR(optimizer, **options),
                " + " + _described("ExponentialLR", options))
    k = schedule["k"]
    return (torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 / (1 + k * step)),
            f" + LambdaLR(lambda step: 1 / (1 + {k} * step))")


def torch_cosine(schedule: dict, optimizer: torch.optim.Optimizer):
    """CosineAnnealingLR for the course's CosineDecay (eta_min is a learning rate, not a factor)."""
    options = {"T_max": schedule["total_steps"],
               "eta_min": schedule["min_factor"] * optimizer.param_groups[0]["lr"]}
    return (torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, **options),
            " + " + _described("CosineAnnealingLR", options))


def run_case(case: dict, problem: dict) -> tuple[dict[str, np.ndarray], str]:
    dtype = getattr(torch, case["dtype"])
    data = {k: torch.tensor(v, dtype=dtype) for k, v in problem["data"].items()}
    params = {k: torch.tensor(v, dtype=dtype, requires_grad=True) for k, v in problem["start"].items()}
    optimizer, described = torch_optimizer(case, list(params.values()))
    scheduler, schedule_described = torch_scheduler(case["schedule"], optimizer)
    path = {k: [v.detach().numpy().copy()] for k, v in params.items()}
    for _ in range(N_STEPS):
        optimizer.zero_grad()
        torch_loss(case["problem"], params, data).backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        for k, v in params.items():
            path[k].append(v.detach().numpy().copy())
    return {k: np.stack(v) for k, v in path.items()}, described + schedule_described


def make_cases() -> list[dict]:
    """Several settings per optimizer and problem, schedules, and float32 runs."""
    settings = {
        "rosenbrock": {
            "sgd": [{"lr": 1e-3}, {"lr": 2e-4}],
            "momentum": [{"lr": 1e-3, "momentum": 0.9}, {"lr": 5e-4, "momentum": 0.5}],
            "nesterov": [{"lr": 1e-3, "momentum": 0.9}, {"lr": 5e-4, "momentum": 0.5}],
            "adagrad": [{"lr": 0.5, "eps": 1e-8}, {"lr": 0.1, "eps": 1e-3}],
            "rmsprop": [{"lr": 0.01, "decay": 0.99, "eps": 1e-8}, {"lr": 0.05, "decay": 0.9, "eps": 1e-6}],
            "adam": [{"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                     {"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "eps": 1e-4}],
            # p is a vector, which AdamW does not decay: these runs must equal Adam's
            "adamw": [{"lr": 0.1, "weight_decay": 0.5, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                      {"lr": 0.05, "weight_decay": 0.01, "beta1": 0.5, "beta2": 0.9, "eps": 1e-4}],
        },
        "least_squares": {
            "sgd": [{"lr": 0.05}, {"lr": 0.2}],
            "momentum": [{"lr": 0.05, "momentum": 0.9}, {"lr": 0.1, "momentum": 0.3}],
            "nesterov": [{"lr": 0.05, "momentum": 0.9}, {"lr": 0.1, "momentum": 0.3}],
            "adagrad": [{"lr": 0.3, "eps": 1e-8}, {"lr": 1.0, "eps": 1e-2}],
            "rmsprop": [{"lr": 0.01, "decay": 0.99, "eps": 1e-8}, {"lr": 0.03, "decay": 0.8, "eps": 1e-5}],
            "adam": [{"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                     {"lr": 0.2, "beta1": 0.0, "beta2": 0.5, "eps": 1e-6}],
            "adamw": [{"lr": 0.05, "weight_decay": 0.5, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                      {"lr": 0.2, "weight_decay": 2.0, "beta1": 0.0, "beta2": 0.5, "eps": 1e-6}],
        },
    }
    cases = [{"optimizer": name, "kwargs": kwargs, "schedule": None, "problem": problem, "dtype": "float64"}
             for problem, by_name in settings.items() for name, options in by_name.items()
             for kwargs in options]
    schedules = [
        ("sgd", {"name": "StepDecay", "every": 4, "factor": 0.5}),
        ("momentum", {"name": "StepDecay", "every": 4, "factor": 0.5}),
        ("nesterov", {"name": "ExponentialDecay", "rate": 0.8}),
        ("adagrad", {"name": "InverseTimeDecay", "k": 0.3}),
        ("rmsprop", {"name": "ExponentialDecay", "rate": 0.9}),
        ("adam", {"name": "StepDecay", "every": 5, "factor": 0.3}),
        ("adam", {"name": "InverseTimeDecay", "k": 0.5}),
        ("sgd", {"name": "CosineDecay", "total_steps": N_STEPS, "min_factor": 0.1}),
        ("adamw", {"name": "Warmup", "steps": 3,
                   "then": {"name": "CosineDecay", "total_steps": N_STEPS - 3, "min_factor": 0.0}}),
        ("adam", {"name": "Warmup", "steps": 4, "then": None}),
    ]
    cases += [{"optimizer": name, "kwargs": settings["least_squares"][name][0], "schedule": schedule,
               "problem": "least_squares", "dtype": "float64"} for name, schedule in schedules]
    cases += [{"optimizer": name, "kwargs": options[0], "schedule": None, "problem": "least_squares",
               "dtype": "float32"} for name, options in settings["least_squares"].items()]
    for i, case in enumerate(cases):
        case["id"] = f"case{i:02d}_{case['optimizer']}"
    return cases


def main() -> None:
    torch.use_deterministic_algorithms(True)
    problems = make_problems()
    arrays = {}
    for problem_name, problem in problems.items():
        for k, v in {**problem["data"], **problem["start"]}.items():
            arrays[f"{problem_name}__{k}"] = v
    cases = make_cases()
    for case in cases:
        path, case["torch"] = run_case(case, problems[case["problem"]])
        for k, v in path.items():
            arrays[f"{case['id']}__{k}"] = v
    meta = {"torch_version": torch.__version__, "n_steps": N_STEPS, "cases": cases}
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUTPUT, meta=np.array(json.dumps(meta, indent=1)), **arrays)
    print(f"wrote {len(cases)} trajectories of {N_STEPS} steps to {OUTPUT} "
          f"({OUTPUT.stat().st_size / 1024:.1f} KiB, torch {torch.__version__})")


if __name__ == "__main__":
    main()
