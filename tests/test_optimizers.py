"""course_lib.optimizers: trajectories against PyTorch, update formulas, schedules, Newton, bad input.

The golden trajectories in fixtures/optimizer_golden.npz were recorded with torch.optim by
scripts/record_optimizer_golden.py; these tests replay them with numpy only (no torch import).
"""
import json
from pathlib import Path

import numpy as np
import pytest

from course_lib.landscapes import get_landscape
from course_lib.optimizers import (
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    Momentum,
    Nesterov,
    Optimizer,
    RMSProp,
    StepDecay,
    Warmup,
    get_optimizer,
    newton_step,
)
from course_lib.optimizers_in_place import BLOCK

GOLDEN = np.load(Path(__file__).parent / "fixtures" / "optimizer_golden.npz")
META = json.loads(str(GOLDEN["meta"]))
SCHEDULES = {cls.__name__: cls for cls in (StepDecay, ExponentialDecay, InverseTimeDecay, CosineDecay,
                                            Warmup)}


def _course_form_differs(case) -> bool:
    """Momentum and Nesterov use the velocity form v <- mu v - lr g, PyTorch b <- mu b + g, w -= lr b:
    equal for a constant learning rate, different once a schedule changes it."""
    return case["optimizer"] in ("momentum", "nesterov") and case["schedule"] is not None


SAME_AS_TORCH = [c for c in META["cases"] if not _course_form_differs(c)]
DIFFERENT_FROM_TORCH = [c for c in META["cases"] if _course_form_differs(c)]


# ---------------------------------------------------------------- replaying the golden problems

def _param_names(case) -> list[str]:
    prefix = case["id"] + "__"
    return [key[len(prefix):] for key in GOLDEN.files if key.startswith(prefix)]


def _start(case) -> dict:
    return {k: GOLDEN[f"{case['problem']}__{k}"].astype(case["dtype"]) for k in _param_names(case)}


def _gradient_function(case):
    if case["problem"] == "rosenbrock":
        rosenbrock = get_landscape("rosenbrock")
        return lambda params: {"p": rosenbrock.grad(params["p"])}
    x, y = (GOLDEN[f"least_squares__{k}"].astype(case["dtype"]) for k in ("X", "Y"))

    def least_squares_gradient(params):
        # f = mean(r^2) with r = X W + b - Y  =>  df/dW = 2 X^T r / r.size, df/db = 2 sum_n r_n / r.size
        r = x @ params["W"] + params["b"] - y
        return {"W": 2 * x.T @ r / r.size, "b": 2 * r.sum(axis=0) / r.size}
    return least_squares_gradient


def _schedule(case):
    return _built_schedule(case["schedule"])


def _built_schedule(spec):
    """The course schedule a golden case describes; Warmup's `then` is itself a description."""
    if spec is None:
        return None
    spec = dict(spec)
    if "then" in spec:
        spec["then"] = _built_schedule(spec["then"])
    return SCHEDULES[spec.pop("name")](**spec)


def _trajectory(case, step) -> dict:
    """Run `step(params, grads)` (which changes params in place) for the case's number of steps."""
    params, gradient = _start(case), _gradient_function(case)
    path = {k: [w.copy()] for k, w in params.items()}
    for _ in range(META["n_steps"]):
        step(params, gradient(params))
        for k, w in params.items():
            path[k].append(w.copy())
    return {k: np.stack(v) for k, v in path.items()}


def _course_trajectory(case, in_place: bool = True) -> dict:
    optimizer = get_optimizer(case["optimizer"], **case["kwargs"], schedule=_schedule(case),
                              in_place=in_place)
    return _trajectory(case, optimizer.update)


def _golden(case) -> dict:
    return {k: GOLDEN[f"{case['id']}__{k}"] for k in _param_names(case)}


def _tolerances(case) -> dict:
    return {"rtol": 1e-10, "atol": 1e-12} if case["dtype"] == "float64" else {"rtol": 2e-5, "atol": 2e-6}


def test_golden_file_covers_every_optimizer_problem_schedule_and_dtype():
    cases = META["cases"]
    for name in OPTIMIZERS:
        for problem in ("rosenbrock", "least_squares"):
            settings = [c for c in cases if c["optimizer"] == name and c["problem"] == problem
                        and c["schedule"] is None and c["dtype"] == "float64"]
            assert len(settings) >= 2, (name, problem)
        assert any(c["optimizer"] == name and c["schedule"] for c in cases), name
        assert any(c["optimizer"] == name and c["dtype"] == "float32" for c in cases), name
    assert META["n_steps"] >= 10
    assert set(_golden(cases[-1])) == {"W", "b"}  # the least-squares problem has two arrays


@pytest.mark.parametrize("form", ["in place", "formula"])
@pytest.mark.parametrize("case", SAME_AS_TORCH, ids=lambda c: c["id"])
def test_optimizer_follows_the_torch_trajectory(case, form):
    """Both forms of each update: the one `update` runs and the blackboard formula."""
    ours, torchs = _course_trajectory(case, in_place=form == "in place"), _golden(case)
    for k in torchs:
        assert ours[k].dtype == np.dtype(case["dtype"])
        np.testing.assert_allclose(ours[k], torchs[k], **_tolerances(case),
                                   err_msg=f"{case['id']} {k} vs {case['torch']}")
    # The trajectory must really move, or the comparison proves nothing.
    assert all(np.abs(torchs[k][-1] - torchs[k][0]).max() > 1e-3 for k in torchs)


def _lr_factor_by_hand(spec, t: int) -> float:
    if spec["name"] == "StepDecay":
        return spec["factor"] ** (t // spec["every"])
    if spec["name"] == "ExponentialDecay":
        return spec["rate"] ** t
    return 1 / (1 + spec["k"] * t)


def _momentum_by_hand(case, form: str):
    """Momentum / Nesterov written out, in the course's velocity form or in PyTorch's buffer form."""
    mu, lr0 = case["kwargs"]["momentum"], case["kwargs"]["lr"]
    nesterov = case["optimizer"] == "nesterov"
    buffers, t = {}, [0]

    def step(params, grads):
        lr = lr0 * _lr_factor_by_hand(case["schedule"], t[0])
        for k, g in grads.items():
            if form == "course":   # v <- mu v - lr g;  w <- w + v   (Nesterov: w <- w + mu v - lr g)
                v = buffers[k] = mu * buffers.get(k, 0.0) - lr * g
                params[k] += mu * v - lr * g if nesterov else v
            else:                  # b <- mu b + g;  w <- w - lr b   (Nesterov: w <- w - lr (g + mu b))
                b = buffers[k] = mu * buffers.get(k, 0.0) + g
                params[k] -= lr * (g + mu * b if nesterov else b)
        t[0] += 1
    return step


@pytest.mark.parametrize("case", DIFFERENT_FROM_TORCH, ids=lambda c: c["id"])
def test_velocity_form_differs_from_torch_once_the_schedule_changes_lr(case):
    """The course's Momentum/Nesterov keep the velocity v = -lr b. When lr shrinks, v still carries the
    old, larger steps, while PyTorch multiplies its whole buffer b by the new lr. So: the course
    optimizer equals an independent loop of its own formula, that loop in PyTorch's form reproduces
    the golden trajectory, and the two agree exactly until the learning rate first changes."""
    ours, torchs = _course_trajectory(case), _golden(case)
    by_hand = _trajectory(case, _momentum_by_hand(case, "course"))
    torch_form_by_hand = _trajectory(case, _momentum_by_hand(case, "torch"))
    first_change = next(t for t in range(1, META["n_steps"]) if _lr_factor_by_hand(case["schedule"], t) != 1)
    for k in torchs:
        np.testing.assert_allclose(ours[k], by_hand[k], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(torch_form_by_hand[k], torchs[k], rtol=1e-10, atol=1e-12)
        # rows 0..first_change are the results of updates taken with the initial lr
        np.testing.assert_allclose(ours[k][:first_change + 1], torchs[k][:first_change + 1], rtol=1e-10)
        assert np.abs(ours[k][-1] - torchs[k][-1]).max() > 1e-4


# ---------------------------------------------------------------- update rules by hand

def _two_steps(optimizer, g1, g2, w0=(1.0, -2.0)):
    params = {"w": np.array(w0)}
    optimizer.update(params, {"w": np.array(g1)})
    w1 = params["w"].copy()
    optimizer.update(params, {"w": np.array(g2)})
    return w1, params["w"]


def test_momentum_adds_the_velocity_once():
    """Seed 003's pseudo-code adds the velocity and then momentum * velocity again; the right rule
    v <- mu v - lr g; w <- w + v makes the first step a plain SGD step."""
    lr, mu, g1, g2 = 0.1, 0.9, np.array([1.0, 2.0]), np.array([-3.0, 0.5])
    w1, w2 = _two_steps(Momentum(lr=lr, momentum=mu), g1, g2)
    np.testing.assert_allclose(w1, np.array([1.0, -2.0]) - lr * g1, rtol=1e-15)
    np.testing.assert_allclose(w2, w1 + mu * (-lr * g1) - lr * g2, rtol=1e-15)


def test_nesterov_looks_ahead_by_mu_v():
    lr, mu, g1, g2 = 0.1, 0.5, np.array([1.0, 2.0]), np.array([-3.0, 0.5])
    w1, w2 = _two_steps(Nesterov(lr=lr, momentum=mu), g1, g2)
    v1 = -lr * g1
    v2 = mu * v1 - lr * g2
    np.testing.assert_allclose(w1, np.array([1.0, -2.0]) + mu * v1 - lr * g1, rtol=1e-15)
    np.testing.assert_allclose(w2, w1 + mu * v2 - lr * g2, rtol=1e-15)


def test_adagrad_steps_shrink_like_one_over_sqrt_t_under_a_constant_gradient():
    optimizer, params = AdaGrad(lr=0.1, eps=1e-12), {"w": np.zeros(2)}
    steps = []
    for _ in range(4):
        before = params["w"].copy()
        optimizer.update(params, {"w": np.array([3.0, -0.5])})
        steps.append(params["w"] - before)
    expected = [-0.1 / np.sqrt(t) * np.array([1.0, -1.0]) for t in (1, 2, 3, 4)]
    np.testing.assert_allclose(steps, expected, rtol=1e-10)


def test_rmsprop_step_is_lr_over_sqrt_of_one_minus_rho_to_the_t():
    # with a constant g: r_t = (1 - rho^t) g^2, so the step is lr / sqrt(1 - rho^t) in size
    rho, optimizer, params = 0.9, RMSProp(lr=0.01, decay=0.9, eps=1e-12), {"w": np.zeros(1)}
    for t in (1, 2, 3):
        before = params["w"].copy()
        optimizer.update(params, {"w": np.array([2.0])})
        np.testing.assert_allclose(params["w"] - before, [-0.01 / np.sqrt(1 - rho ** t)], rtol=1e-10)


def test_adam_bias_correction_makes_the_first_step_lr_sized():
    # m_hat = g and r_hat = g^2 after one step, so the step is lr g / (|g| + eps), whatever |g| is
    params = {"w": np.array([0.0, 0.0, 0.0])}
    Adam(lr=0.01, eps=1e-12).update(params, {"w": np.array([1e-3, -50.0, 7.0])})
    np.testing.assert_allclose(params["w"], [-0.01, 0.01, -0.01], rtol=1e-8)


# ---------------------------------------------------------------- the interface

def _all_optimizers():
    return [pytest.param(cls, id=name) for name, cls in OPTIMIZERS.items()]


@pytest.mark.parametrize("optimizer_class", _all_optimizers())
def test_update_changes_the_given_arrays_in_place(optimizer_class):
    w, b = np.ones((2, 3)), np.zeros(3)
    params = {"W": w, "b": b}
    optimizer_class(lr=0.1).update(params, {"W": np.full((2, 3), 0.5), "b": np.full(3, -1.0)})
    assert params["W"] is w and params["b"] is b
    assert np.all(w < 1) and np.all(b > 0)


@pytest.mark.parametrize("optimizer_class", _all_optimizers())
def test_update_leaves_the_gradients_unchanged(optimizer_class):
    # the updates compute in place, in scratch arrays: never in the caller's gradients
    optimizer = optimizer_class(lr=0.1)
    params = {"W": np.ones((2, 3))}
    grads = {"W": np.linspace(-1.0, 1.0, 6).reshape(2, 3)}
    given = grads["W"].copy()
    for _ in range(2):
        optimizer.update(params, grads)
    np.testing.assert_array_equal(grads["W"], given)


@pytest.mark.parametrize("optimizer_class", _all_optimizers())
def test_state_is_created_lazily_per_key_and_reset_forgets_it(optimizer_class):
    optimizer = optimizer_class(lr=0.1)
    assert optimizer.state == {} and optimizer.step == 0
    params = {"W": np.ones((2, 3))}
    optimizer.update(params, {"W": np.ones((2, 3))})
    params["c"] = np.ones(4)
    optimizer.update(params, {"W": np.ones((2, 3)), "c": np.ones(4)})
    assert optimizer.step == 2
    if optimizer_class is SGD:
        assert optimizer.state == {}  # plain SGD has nothing to remember
    else:
        assert set(optimizer.state) == {"W", "c"}
        assert all(slot.shape == params[k].shape for k in ("W", "c") for slot in optimizer.state[k].values())
    optimizer.reset()
    assert optimizer.state == {} and optimizer.step == 0


@pytest.mark.parametrize("optimizer_class", _all_optimizers())
def test_float32_parameters_stay_float32_and_follow_the_float64_path(optimizer_class):
    rng = np.random.default_rng(0)
    start = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    runs = {}
    for dtype in (np.float32, np.float64):
        optimizer = optimizer_class(lr=0.05, schedule=ExponentialDecay(0.9))
        params = {k: v.astype(dtype) for k, v in start.items()}
        for _ in range(5):
            # float64 gradients on purpose: they must not turn float32 parameters into float64
            optimizer.update(params, {k: 2 * v.astype(np.float64) for k, v in params.items()})
        assert all(v.dtype == dtype for v in params.values())
        assert all(slot.dtype == dtype for slots in optimizer.state.values() for slot in slots.values())
        runs[dtype] = params
    for k in start:
        np.testing.assert_allclose(runs[np.float32][k], runs[np.float64][k], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_in_place_update_is_the_formula(name, dtype):
    """On a layer-sized problem, with a schedule, for 20 steps: the same parameters and state,
    to rounding, whichever form runs (the in-place one is what `update` uses)."""
    rng = np.random.default_rng(7)
    # W: several blocks of the in-place updates, the last one shorter; b: one block; F: a
    # Fortran-ordered array, updated whole
    start = {"W": rng.standard_normal((400, 300)).astype(dtype),
             "b": rng.standard_normal(300).astype(dtype),
             "F": np.asfortranarray(rng.standard_normal((300, 250)).astype(dtype))}
    assert BLOCK < start["W"].size < 2 * BLOCK and start["F"].size > BLOCK
    grads = [{k: rng.standard_normal(w.shape).astype(dtype) for k, w in start.items()}
             for _ in range(20)]
    results = {}
    for form in (True, False):
        optimizer = get_optimizer(name, lr=0.05, schedule=StepDecay(every=7, factor=0.5),
                                  in_place=form)
        params = {k: w.copy(order="K") for k, w in start.items()}
        for g in grads:
            optimizer.update(params, g)
        results[form] = params, optimizer.state
    tolerance = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12,
                                                                          "atol": 1e-14}
    (fast, fast_state), (plain, plain_state) = results[True], results[False]
    for k in start:
        assert fast[k].dtype == dtype and plain[k].dtype == dtype
        np.testing.assert_allclose(fast[k], plain[k], **tolerance, err_msg=f"{name} {k}")
        assert np.abs(fast[k] - start[k]).max() > 1e-3  # the parameters moved
        for slot in fast_state.get(k, {}):
            np.testing.assert_allclose(fast_state[k][slot], plain_state[k][slot], **tolerance)
    assert fast_state.keys() == plain_state.keys()


def test_every_registered_name_builds_its_class_with_its_hyperparameters():
    examples = {"sgd": {"lr": 0.5}, "momentum": {"lr": 0.5, "momentum": 0.8},
                "nesterov": {"lr": 0.5, "momentum": 0.7}, "adagrad": {"lr": 0.5, "eps": 1e-6},
                "rmsprop": {"lr": 0.5, "decay": 0.9, "eps": 1e-6},
                "adam": {"lr": 0.5, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
                "adamw": {"lr": 0.5, "weight_decay": 0.1, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}}
    assert set(examples) == set(OPTIMIZERS)
    for name, kwargs in examples.items():
        optimizer = get_optimizer(name.upper(), **kwargs)
        assert type(optimizer) is OPTIMIZERS[name] and isinstance(optimizer, Optimizer)
        assert all(getattr(optimizer, k) == v for k, v in kwargs.items())
        assert repr(optimizer).startswith(f"{type(optimizer).__name__}(lr=0.5")


def test_defaults_are_the_documented_ones():
    assert (SGD().lr, Momentum().lr, Momentum().momentum, Nesterov().momentum) == (0.01, 0.01, 0.9, 0.9)
    assert (AdaGrad().lr, AdaGrad().eps) == (0.01, 1e-8)
    assert (RMSProp().lr, RMSProp().decay, RMSProp().eps) == (0.001, 0.99, 1e-8)
    adam = Adam()
    assert (adam.lr, adam.beta1, adam.beta2, adam.eps) == (0.001, 0.9, 0.999, 1e-8)
    adamw = AdamW()  # torch.optim.AdamW's defaults
    assert (adamw.lr, adamw.weight_decay, adamw.beta1, adamw.beta2, adamw.eps) == (0.001, 0.01, 0.9, 0.999,
                                                                                   1e-8)


def test_unknown_optimizer_name_lists_the_valid_names():
    with pytest.raises(ValueError, match="name: unknown name 'lamb'; expected one of adagrad, adam, "
                                         "adamw, momentum, nesterov, rmsprop, sgd"):
        get_optimizer("lamb")


def test_unknown_hyperparameter_is_named_with_the_accepted_ones():
    with pytest.raises(ValueError, match=r"sgd: unknown hyper-parameter\(s\) momentum; "
                                         r"expected some of lr, schedule, in_place"):
        get_optimizer("sgd", lr=0.1, momentum=0.9)


@pytest.mark.parametrize("name, kwargs, message", [
    ("sgd", {"lr": 0}, r"lr: expected a finite number > 0, got 0"),
    ("adam", {"lr": -0.01}, r"lr: expected a finite number > 0, got -0.01"),
    ("rmsprop", {"lr": float("nan")}, r"lr: expected a finite number > 0, got nan"),
    ("momentum", {"momentum": 1.0}, r"momentum: expected a number in \[0, 1\), got 1.0"),
    ("momentum", {"momentum": -0.1}, r"momentum: expected a finite number >= 0, got -0.1"),
    ("nesterov", {"momentum": 1.5}, r"momentum: expected a number in \[0, 1\), got 1.5"),
    ("adagrad", {"eps": 0.0}, r"eps: expected a finite number > 0, got 0.0"),
    ("rmsprop", {"decay": 1}, r"decay: expected a number in \[0, 1\), got 1"),
    ("adam", {"beta1": 1.0}, r"beta1: expected a number in \[0, 1\), got 1.0"),
    ("adam", {"beta2": 1.2}, r"beta2: expected a number in \[0, 1\), got 1.2"),
    ("adam", {"eps": -1e-8}, r"eps: expected a finite number > 0, got -1e-08"),
    ("adamw", {"weight_decay": -0.1}, r"weight_decay: expected a finite number >= 0, got -0.1"),
    ("adamw", {"beta1": 1.0}, r"beta1: expected a number in \[0, 1\), got 1.0"),
])
def test_bad_hyperparameters_are_rejected_by_name(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        get_optimizer(name, **kwargs)


def test_a_non_numeric_learning_rate_is_a_type_error():
    with pytest.raises(TypeError, match="lr: expected a number, got 'fast'"):
        SGD(lr="fast")


def test_shape_mismatch_names_the_parameter_and_both_shapes_and_changes_nothing():
    params = {"W": np.ones((2, 3)), "b": np.ones(3)}
    optimizer = Adam()
    with pytest.raises(ValueError, match=r"params\['b'\] and grads\['b'\]: expected the same shape, "
                                         r"got \(3,\) and \(1, 3\)"):
        optimizer.update(params, {"W": np.ones((2, 3)), "b": np.ones((1, 3))})
    assert np.all(params["W"] == 1) and optimizer.step == 0 and optimizer.state == {}


def test_nan_gradient_is_rejected_and_changes_nothing():
    params = {"W": np.ones((2, 2)), "b": np.ones(2)}
    with pytest.raises(ValueError, match=r"grads\['b'\]: expected finite numbers, got 1 NaN and 0 inf"):
        Momentum().update(params, {"W": np.ones((2, 2)), "b": np.array([0.0, np.nan])})
    assert np.all(params["W"] == 1) and np.all(params["b"] == 1)


def test_missing_gradient_is_named():
    with pytest.raises(ValueError, match=r"grads: expected a gradient for every key of params "
                                         r"\['W', 'b'\], missing \['b'\]"):
        SGD().update({"W": np.ones(2), "b": np.ones(2)}, {"W": np.ones(2)})


@pytest.mark.parametrize("param, given", [(np.arange(3), "ndarray of dtype int64"), ([1.0, 2.0], "list")])
def test_parameters_must_be_float_arrays_that_can_change_in_place(param, given):
    message = rf"params\['w'\]: expected a float32 or float64 ndarray .*got {given}"
    with pytest.raises(TypeError, match=message):
        SGD().update({"w": param}, {"w": np.ones(len(param))})


def test_params_and_grads_must_be_dicts():
    with pytest.raises(TypeError, match="grads: expected a dict of name -> ndarray, got list"):
        SGD().update({"w": np.ones(2)}, [np.ones(2)])


def test_a_parameter_whose_shape_changes_needs_a_reset():
    optimizer = Momentum()
    optimizer.update({"w": np.ones(2)}, {"w": np.ones(2)})
    with pytest.raises(ValueError, match=r"params\['w'\]: shape changed from \(2,\) to \(3,\).*reset\(\)"):
        optimizer.update({"w": np.ones(3)}, {"w": np.ones(3)})


# ---------------------------------------------------------------- learning-rate decay

def test_schedules_give_the_documented_factors():
    steps = range(7)
    assert [StepDecay(every=3, factor=0.5)(t) for t in steps] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]
    np.testing.assert_allclose([ExponentialDecay(rate=0.9)(t) for t in steps], 0.9 ** np.arange(7))
    np.testing.assert_allclose([InverseTimeDecay(k=0.5)(t) for t in steps], 1 / (1 + 0.5 * np.arange(7)))
    assert InverseTimeDecay(k=0)(100) == 1
    cosine = [CosineDecay(total_steps=4, min_factor=0.2)(t) for t in steps]
    np.testing.assert_allclose(cosine, [1, 0.2 + 0.8 * (1 + np.sqrt(0.5)) / 2, 0.6,
                                        0.2 + 0.8 * (1 - np.sqrt(0.5)) / 2, 0.2, 0.2, 0.2])
    assert [Warmup(steps=4)(t) for t in steps] == [0.25, 0.5, 0.75, 1, 1, 1, 1]
    # after the warm-up, the next schedule starts at its own step 0
    assert [Warmup(steps=2, then=StepDecay(every=2, factor=0.5))(t) for t in steps] == \
        [0.5, 1, 1, 1, 0.5, 0.5, 0.25]


@pytest.mark.parametrize("make, message", [
    (lambda: StepDecay(every=0, factor=0.5), r"every: expected a whole number of steps >= 1, got 0"),
    (lambda: StepDecay(every=2.5, factor=0.5), r"every: expected a whole number of steps >= 1, got 2.5"),
    (lambda: StepDecay(every=2, factor=1.5), r"factor: expected a number in \(0, 1\], got 1.5"),
    (lambda: StepDecay(every=2, factor=0), r"factor: expected a finite number > 0, got 0"),
    (lambda: ExponentialDecay(rate=-0.9), r"rate: expected a finite number > 0, got -0.9"),
    (lambda: ExponentialDecay(rate=2), r"rate: expected a number in \(0, 1\], got 2"),
    (lambda: InverseTimeDecay(k=-1), r"k: expected a finite number >= 0, got -1"),
    (lambda: CosineDecay(total_steps=0), r"total_steps: expected an integer >= 1, got 0"),
    (lambda: CosineDecay(total_steps=10, min_factor=1.5), r"min_factor: expected a number in \[0, 1\], got 1.5"),
    (lambda: Warmup(steps=2.5), r"steps: expected an integer >= 1, got 2.5"),
])
def test_bad_schedule_arguments_are_rejected_by_name(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_warmup_needs_a_schedule_after_it():
    with pytest.raises(TypeError, match="then: expected a schedule .* or None, got float"):
        Warmup(steps=3, then=0.5)


def test_a_cosine_decay_that_reaches_zero_stops_the_optimizer_with_a_message():
    optimizer, params = SGD(lr=0.1, schedule=CosineDecay(total_steps=2)), {"w": np.zeros(1)}
    optimizer.update(params, {"w": np.ones(1)})
    optimizer.update(params, {"w": np.ones(1)})
    with pytest.raises(ValueError, match=r"schedule\(2\): expected a finite number > 0, got 0.0"):
        optimizer.update(params, {"w": np.ones(1)})


def test_adamw_decays_weight_matrices_but_not_biases():
    """With a zero gradient Adam's step is 0, so AdamW only shrinks: w <- (1 - lr wd) w."""
    params = {"W": np.full((2, 3), 2.0), "b": np.full(3, 2.0)}
    optimizer = AdamW(lr=0.1, weight_decay=0.5, schedule=lambda step: 0.5)
    for _ in range(3):
        optimizer.update(params, {"W": np.zeros((2, 3)), "b": np.zeros(3)})
    np.testing.assert_allclose(params["W"], 2.0 * (1 - 0.05 * 0.5) ** 3, rtol=1e-14)
    np.testing.assert_array_equal(params["b"], 2.0)


def test_adamw_with_zero_decay_is_adam():
    rng = np.random.default_rng(3)
    start = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    runs = []
    for optimizer in (AdamW(lr=0.05, weight_decay=0.0), Adam(lr=0.05)):
        params = {k: v.copy() for k, v in start.items()}
        for _ in range(5):
            optimizer.update(params, {k: 2 * v + 1 for k, v in params.items()})
        runs.append(params)
    for k in start:
        np.testing.assert_array_equal(runs[0][k], runs[1][k])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_any_optimizer_takes_a_schedule_as_a_learning_rate_factor(name):
    """A constant factor 0.25 must act exactly like lr / 4; a step decay must change the path."""
    def path(**kwargs):
        optimizer, params = get_optimizer(name, **kwargs), {"p": np.array([-2.0, 1.5])}
        bowl = get_landscape("bowl")
        for _ in range(6):
            optimizer.update(params, {"p": bowl.grad(params["p"])})
        return params["p"]
    np.testing.assert_allclose(path(lr=0.2, schedule=lambda step: 0.25), path(lr=0.05), rtol=1e-13)
    assert not np.allclose(path(lr=0.2, schedule=StepDecay(every=2, factor=0.5)), path(lr=0.2))


def test_current_lr_follows_the_schedule_and_a_bad_factor_is_reported():
    optimizer, params = SGD(lr=0.1, schedule=StepDecay(every=2, factor=0.5)), {"w": np.zeros(1)}
    seen = []
    for _ in range(5):
        seen.append(optimizer.current_lr)
        optimizer.update(params, {"w": np.ones(1)})
    np.testing.assert_allclose(seen, [0.1, 0.1, 0.05, 0.05, 0.025])
    np.testing.assert_allclose(params["w"], [-sum(seen)])
    with pytest.raises(ValueError, match=r"schedule\(0\): expected a finite number > 0, got -1"):
        SGD(lr=0.1, schedule=lambda step: -1).update(params, {"w": np.ones(1)})
    with pytest.raises(TypeError, match="schedule: expected a callable step -> factor or None, got float"):
        SGD(lr=0.1, schedule=0.5)


# ---------------------------------------------------------------- Newton's method

@pytest.mark.parametrize("seed", range(5))
def test_newton_step_solves_a_quadratic_in_one_step(seed):
    # f(x) = 1/2 x^T A x - b^T x with A symmetric positive definite: grad = A x - b, Hessian A
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(4, 4))
    a, b, x0 = m @ m.T + 0.1 * np.eye(4), rng.normal(size=4), rng.normal(size=4)
    x1 = newton_step(x0, a @ x0 - b, a)
    np.testing.assert_allclose(a @ x1, b, rtol=1e-9, atol=1e-10)
    assert not np.allclose(x0, x1)


def test_newton_step_fits_linear_regression_like_the_normal_equations():
    rng = np.random.default_rng(1)
    x = rng.uniform(-2, 2, size=50)
    y = 3.0 * x - 1.0 + 0.3 * rng.normal(size=50)
    design = np.column_stack([x, np.ones_like(x)])          # rows (x_n, 1): prediction a x_n + b
    theta = np.zeros(2)
    gradient = 2 * design.T @ (design @ theta - y) / len(x)  # of mean((a x + b - y)^2)
    hessian = 2 * design.T @ design / len(x)
    expected = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(newton_step(theta, gradient, hessian), expected, rtol=1e-10)
    assert np.all(theta == 0)  # the input is not changed


def test_newton_step_jumps_to_the_minimum_of_the_ill_conditioned_bowl():
    bowl = get_landscape("ill_conditioned")
    start = bowl.start.astype(np.float32)
    new = newton_step(start, bowl.grad(start), bowl.hessian(start))
    assert new.dtype == np.float32
    np.testing.assert_allclose(new, [0.0, 0.0], atol=1e-6)


def test_repeated_newton_steps_reach_the_rosenbrock_minimum():
    rosenbrock, p = get_landscape("rosenbrock"), get_landscape("rosenbrock").start
    for _ in range(8):
        p = newton_step(p, rosenbrock.grad(p), rosenbrock.hessian(p))
    np.testing.assert_allclose(p, [1.0, 1.0], rtol=1e-10)


def test_newton_step_on_a_number():
    # f(x) = (x - 3)^2 at x = 1: f' = -4, f'' = 2  ->  x = 3
    assert newton_step(1.0, -4.0, 2.0) == pytest.approx(3.0)
    assert newton_step(1.0, -4.0, [[2.0]]) == pytest.approx(3.0)


@pytest.mark.parametrize("hessian", [[[1.0, 1.0], [1.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]],
                                     [[1.0, 0.0], [0.0, 1e-20]]])
def test_newton_step_with_a_singular_hessian_says_so(hessian):
    with pytest.raises(ValueError, match="hessian: expected an invertible matrix, got a singular one"):
        newton_step(np.zeros(2), np.ones(2), hessian)


def test_newton_step_checks_shapes():
    with pytest.raises(ValueError, match=r"hessian: expected shape \(2, 2\) for x of shape \(2,\), "
                                         r"got \(3, 3\)"):
        newton_step(np.zeros(2), np.ones(2), np.eye(3))
    with pytest.raises(ValueError, match=r"x and grad: expected the same shape, got \(2,\) and \(3,\)"):
        newton_step(np.zeros(2), np.ones(3), np.eye(2))


# ---------------------------------------------------------------- behaviour on landscapes

def _descend(optimizer, landscape, n_steps, start=None):
    params = {"p": np.array(landscape.start if start is None else start, dtype=np.float64)}
    path = [params["p"].copy()]
    for _ in range(n_steps):
        optimizer.update(params, {"p": landscape.grad(params["p"])})
        path.append(params["p"].copy())
    return np.array(path)


@pytest.mark.parametrize("name, lr", [("sgd", 0.1), ("momentum", 0.05), ("nesterov", 0.05),
                                      ("adagrad", 1.0), ("rmsprop", 0.05), ("adam", 0.1),
                                      ("adamw", 0.1)])
def test_every_optimizer_goes_down_the_bowl(name, lr):
    bowl = get_landscape("bowl")
    losses = bowl.f(_descend(get_optimizer(name, lr=lr), bowl, 200))
    assert losses[-1] < 1e-3 * losses[0]


def test_momentum_crosses_the_ill_conditioned_valley_faster_than_sgd():
    valley = get_landscape("ill_conditioned")

    def steps_to_reach(optimizer, level=1e-4):
        losses = valley.f(_descend(optimizer, valley, 2000))
        return int(np.argmax(losses < level)) if np.any(losses < level) else np.inf
    sgd, momentum = steps_to_reach(SGD(lr=0.1)), steps_to_reach(Momentum(lr=0.1, momentum=0.9))
    assert momentum < sgd / 3, (momentum, sgd)


def test_sgd_with_too_large_a_learning_rate_diverges_on_the_parabola():
    # x <- x - lr 2x = (1 - 2 lr) x: |1 - 2 lr| > 1 for lr > 1
    parabola = get_landscape("parabola")
    too_large = np.abs(_descend(SGD(lr=1.1), parabola, 20)[:, 0])
    assert np.all(np.diff(too_large) > 0) and too_large[-1] > 30 * too_large[0]
    just_right = np.abs(_descend(SGD(lr=0.9), parabola, 20)[:, 0])
    assert np.all(np.diff(just_right) < 0) and just_right[-1] < 0.02 * just_right[0]
