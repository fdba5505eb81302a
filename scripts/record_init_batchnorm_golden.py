"""Record PyTorch reference values for chapter 11, for tests/test_initialization.py and
tests/test_normalization.py.

PyTorch is the independent reference: `torch.nn.BatchNorm1d` (training steps that update the
running averages, a backward pass by torch.autograd, inference with the running averages) and
`torch.nn.init.xavier_normal_` / `kaiming_normal_`. The tests replay course_lib on the same inputs
and compare, without importing torch.

    .venv/bin/pip install torch==2.13.0          # only for this script; never a course dependency
    .venv/bin/python scripts/record_init_batchnorm_golden.py

Output: tests/fixtures/init_batchnorm_golden.npz with
- "meta": a JSON string {"torch_version", "batchnorm": [{"id", "n", "d", "momentum", "eps",
  "dtype", "steps"}, ...], "init": [{"id", "rule", "fan_in", "fan_out"}, ...]};
- per batch-norm case "{id}__gamma", "{id}__beta", "{id}__x{k}" (the training batches),
  "{id}__out{k}", "{id}__running_mean{k}", "{id}__running_var{k}" after step k, "{id}__dout",
  "{id}__dx", "{id}__dgamma", "{id}__dbeta" (backward of the last training step), "{id}__x_eval",
  "{id}__out_eval" (inference);
- per init case "{id}__std": the standard deviation of the weights torch drew (a (fan_out,
  fan_in) tensor, torch's layout) and "{id}__mean" their mean.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUTPUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "init_batchnorm_golden.npz"

BATCHNORM_CASES = [
    {"id": "bn_f64", "n": 8, "d": 5, "momentum": 0.1, "eps": 1e-5, "dtype": "float64", "steps": 3},
    {"id": "bn_two_samples", "n": 2, "d": 3, "momentum": 0.3, "eps": 1e-3, "dtype": "float64", "steps": 2},
    {"id": "bn_f32", "n": 16, "d": 4, "momentum": 0.1, "eps": 1e-5, "dtype": "float32", "steps": 4},
]
INIT_CASES = [
    {"id": "xavier_500_300", "rule": "xavier", "fan_in": 500, "fan_out": 300},
    {"id": "xavier_50_800", "rule": "xavier", "fan_in": 50, "fan_out": 800},
    {"id": "he_500_300", "rule": "he", "fan_in": 500, "fan_out": 300},
    {"id": "he_64_2000", "rule": "he", "fan_in": 64, "fan_out": 2000},
]


def record_batchnorm(case: dict, rng: np.random.Generator, arrays: dict) -> None:
    dtype = {"float64": torch.float64, "float32": torch.float32}[case["dtype"]]
    n, d, key = case["n"], case["d"], case["id"]
    layer = torch.nn.BatchNorm1d(d, eps=case["eps"], momentum=case["momentum"], dtype=dtype)
    gamma, beta = rng.uniform(0.5, 2.0, size=d), rng.normal(size=d)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(gamma))
        layer.bias.copy_(torch.tensor(beta))
    arrays[f"{key}__gamma"], arrays[f"{key}__beta"] = gamma.astype(case["dtype"]), beta.astype(case["dtype"])
    layer.train()
    for k in range(case["steps"]):
        x_np = (rng.normal(loc=rng.normal(size=d), scale=rng.uniform(0.2, 3.0, size=d), size=(n, d))
                .astype(case["dtype"]))
        x = torch.tensor(x_np, requires_grad=True)
        out = layer(x)
        arrays[f"{key}__x{k}"] = x_np
        arrays[f"{key}__out{k}"] = out.detach().numpy()
        arrays[f"{key}__running_mean{k}"] = layer.running_mean.numpy().copy()
        arrays[f"{key}__running_var{k}"] = layer.running_var.numpy().copy()
    dout = rng.normal(size=(n, d)).astype(case["dtype"])
    out.backward(torch.tensor(dout))
    arrays[f"{key}__dout"] = dout
    arrays[f"{key}__dx"] = x.grad.numpy()
    arrays[f"{key}__dgamma"] = layer.weight.grad.numpy()
    arrays[f"{key}__dbeta"] = layer.bias.grad.numpy()
    layer.eval()
    x_eval = rng.normal(size=(3, d)).astype(case["dtype"])
    arrays[f"{key}__x_eval"] = x_eval
    with torch.no_grad():
        arrays[f"{key}__out_eval"] = layer(torch.tensor(x_eval)).numpy()


def record_init(case: dict, arrays: dict) -> None:
    weights = torch.empty(case["fan_out"], case["fan_in"], dtype=torch.float64)  # torch: (out, in)
    if case["rule"] == "xavier":
        torch.nn.init.xavier_normal_(weights)
    else:
        torch.nn.init.kaiming_normal_(weights, nonlinearity="relu")  # mode="fan_in"
    arrays[f"{case['id']}__std"] = np.array(weights.std(unbiased=False).item())
    arrays[f"{case['id']}__mean"] = np.array(weights.mean().item())


def main() -> None:
    torch.manual_seed(11)
    rng = np.random.default_rng(11)
    arrays: dict[str, np.ndarray] = {}
    for case in BATCHNORM_CASES:
        record_batchnorm(case, rng, arrays)
    for case in INIT_CASES:
        record_init(case, arrays)
    meta = {"torch_version": torch.__version__, "batchnorm": BATCHNORM_CASES, "init": INIT_CASES}
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUTPUT, meta=np.array(json.dumps(meta)), **arrays)
    print(f"wrote {OUTPUT} ({len(arrays)} arrays, torch {torch.__version__})")


if __name__ == "__main__":
    main()
