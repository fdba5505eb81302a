"""course_lib.checks: correct answers pass, and each kind of mistake gets its plain-words message."""
from __future__ import annotations

import time

import numpy as np
import pytest

from course_lib.checks import (
    call_student,
    case,
    check_array,
    check_examples,
    check_function,
    check_gradient,
    check_result,
    fresh_case,
)


def failure(check, *args, **kwargs) -> str:
    """The AssertionError message of a check that must fail."""
    with pytest.raises(AssertionError) as info:
        check(*args, **kwargs)
    return str(info.value)


def mean_rows(x):
    """Reference: the mean of each row, shape (N,)."""
    return x.mean(axis=1)


BATCH = [case("a batch of 3 samples with 4 features", np.arange(12.0).reshape(3, 4) + 1)]


# -- passing -------------------------------------------------------------------------------------

def test_correct_answers_written_differently_pass():
    check_function(lambda x: np.sum(x, axis=1) / x.shape[1], mean_rows, BATCH)
    check_function(lambda x: np.array([row.mean() for row in x]), mean_rows, BATCH)
    check_array(0.1 + 0.2, 0.3, "a sum")                 # round-off is inside the tolerance
    check_array([1.0, 2.0], np.array([1.0, 2.0]), "a list is fine where an array is expected")
    check_result((1.0, {"W": np.ones(2)}), (1.0, {"W": np.ones(2)}), "nested results")
    check_result(None, None, "an in-place update")


def test_float32_answers_pass_within_a_float32_tolerance():
    x = np.linspace(0, 1, 5, dtype=np.float32)
    check_array(np.exp(x), np.exp(x.astype(np.float64)), "exp in float32", rtol=1e-6)


# -- the student's function misbehaves ------------------------------------------------------------

def test_unimplemented_stub_says_not_implemented_yet():
    def stub(x):
        # YOUR CODE HERE
        raise NotImplementedError()
    message = failure(check_function, stub, mean_rows, BATCH, name="mean_rows")
    assert message == ("mean_rows is not implemented yet: replace `raise NotImplementedError()` "
                       "with your code.")


def test_an_exception_is_named_with_the_case_and_the_student_line():
    def broken(x):
        rows = x.shape[0]
        return x.sum(axis=1) / x.shape[2] * rows
    message = failure(check_function, broken, mean_rows, BATCH, name="mean_rows")
    assert message.startswith("mean_rows raised IndexError: tuple index out of range")
    assert "on a batch of 3 samples with 4 features" in message
    assert "in broken, line" in message and "x.shape[2]" in message


def test_returning_none_asks_for_a_return():
    message = failure(check_function, lambda x: None, mean_rows, BATCH, name="mean_rows")
    assert "got      None" in message and "forget to `return`" in message


def test_wrong_signature_is_reported_before_calling():
    message = failure(check_function, lambda x, y: x, mean_rows, BATCH, name="mean_rows")
    assert "cannot be called the way the exercise describes" in message
    assert "missing a required argument: 'y'" in message


def test_not_a_function():
    assert "expected a function, got NoneType" in failure(check_function, None, mean_rows, BATCH)


def test_an_endless_loop_is_stopped_by_the_time_limit():
    def spins(x):
        while True:
            pass
    start = time.perf_counter()
    message = failure(check_function, spins, mean_rows, BATCH, name="mean_rows", time_limit=0.3)
    assert time.perf_counter() - start < 5
    assert "did not finish within 0.3 s on a batch of 3 samples" in message
    assert "endless loop" in message


def swallows_exceptions(x):
    """A student's loop that catches Exception and, left alone, returns the right answer in 3 s."""
    end = time.monotonic() + 3
    while time.monotonic() < end:
        try:
            time.sleep(0.01)
        except Exception:
            pass
    return mean_rows(x)


def swallows_everything_and_returns(x):
    """Catches even BaseException once, then returns the right answer."""
    try:
        while True:
            time.sleep(0.01)
    except BaseException:
        return mean_rows(x)


def swallows_everything_and_raises(x):
    try:
        while True:
            time.sleep(0.01)
    except BaseException:
        raise ValueError("gave up") from None


@pytest.mark.parametrize("student", [swallows_exceptions, swallows_everything_and_returns,
                                     swallows_everything_and_raises])
def test_the_time_limit_cannot_be_caught_by_the_student(student):
    # each of these would pass (or raise its own error) if catching the time limit worked
    message = failure(check_function, student, mean_rows, BATCH, name="mean_rows", time_limit=0.3)
    assert "did not finish within 0.3 s" in message


def test_call_student_expects_an_error_when_asked():
    def raises(x):
        raise ValueError("no")
    error = call_student(raises, 1, name="g", description="a bad input", expected_error=ValueError)
    assert isinstance(error, ValueError)
    message = failure(call_student, lambda x: x, 1, name="g", description="a bad input",
                      expected_error=ValueError)
    assert message == "g should have raised ValueError on a bad input, but it returned normally."


# -- wrong type, shape, dtype, values ----------------------------------------------------------------

def test_transposed_shape():
    message = failure(check_array, np.zeros((4, 3)), np.zeros((3, 4)), "dW")
    assert "expected an array of shape (3, 4)" in message and "shape (4, 3)" in message
    assert "transposed" in message


def test_axis_reduced_away_or_wrong_axis():
    x = np.arange(12.0).reshape(3, 4)
    message = failure(check_function, lambda x: x.mean(axis=0), mean_rows,
                      [case("a batch of 3 samples with 4 features", x)])
    # a length that differs is said in whole numbers, with no guess at the cause
    assert "expected an array of shape (3,)" in message and "(one element too many)" in message
    assert "Hint" not in message
    message = failure(check_array, x.sum(axis=1), x.sum(axis=1, keepdims=True), "sums")
    assert "one axis was summed or averaged away" in message and "keepdims" in message
    message = failure(check_array, x.ravel(), x, "flat")
    assert "right number of values in another shape" in message


def test_a_number_where_an_array_is_expected_and_back():
    assert "you returned one number" in failure(check_array, 1.0, np.ones(3), "per sample")
    message = failure(check_array, np.array([2.5]), 2.5, "a loss")
    assert "expected a single number" in message and "`.item()`" in message


def test_wrong_type():
    message = failure(check_array, "0.5", 0.5, "a loss")
    assert "expected a number" in message and "got      a str" in message


def test_dtype_is_checked_on_request():
    x32 = np.ones(3, dtype=np.float32)
    check_array(x32.astype(np.float64), x32, "no dtype check")
    message = failure(check_array, x32.astype(np.float64), x32, "softmax", check_dtype=True)
    assert "expected dtype float32" in message and "got      dtype float64" in message


def test_nan_and_inf_point_at_overflow():
    got = np.array([0.2, np.nan, 0.3])
    message = failure(check_array, got, np.array([0.2, 0.5, 0.3]), "softmax of large scores")
    assert "1 of 3 values are NaN or inf" in message and "index (1,)" in message
    assert "subtract the maximum" in message
    check_array(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), "NaN expected is NaN allowed")


def test_worst_element_is_reported_with_its_index():
    expected = np.zeros((2, 3))
    got = expected.copy()
    got[1, 2], got[0, 1] = 5.0, 0.5
    message = failure(check_array, got, expected, "grads")
    assert "2 of 6 values differ; the worst at index (1, 2): expected 0, got 5" in message


def test_missing_division_by_the_batch_size_is_named():
    x = np.arange(12.0).reshape(3, 4)
    message = failure(check_function, lambda x: x.sum(axis=1), mean_rows,
                      [case("a batch of 3 samples with 4 features", x)])
    assert "every value is 4 times too large, and 4 is the number of columns of `x`" in message

    def summed_loss(y, t):
        return np.sum((y - t) ** 2) / 2

    y, t = np.arange(8.0).reshape(4, 2), np.zeros((4, 2))
    message = failure(check_function, summed_loss, lambda y, t: np.sum((y - t) ** 2) / 2 / len(y),
                      [case("a batch of 4 samples with 2 outputs", y, t)], name="loss")
    assert ("the result is 4 times too large, and 4 is the number of rows (the batch size) of "
            "`y`: did you forget to divide by it?") in message


def test_factor_sign_offset_and_zero_hints():
    expected = np.array([1.0, -2.0, 3.0])
    assert "2 times too large" in failure(check_array, 2 * expected, expected, "g")
    assert "3 times too small" in failure(check_array, expected / 3, expected, "g")
    assert "wrong sign" in failure(check_array, -expected, expected, "g")
    assert "same factor 1.7" in failure(check_array, 1.7 * expected, expected, "g")
    assert "same amount 0.25" in failure(check_array, expected + 0.25, expected, "g")
    assert "every value is 0" in failure(check_array, 0 * expected, expected, "g")
    assert "same factor 1e-08" in failure(check_array, 1e-8 * expected, expected, "g")


def test_close_but_not_accurate_enough():
    message = failure(check_array, 6.0001, 6.0, "a derivative")
    assert "expected 6, got 6.0001" in message and "close, but not accurate enough" in message
    assert "rtol=1e-06" in message


def test_transpose_of_a_square_matrix():
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert "transpose of the expected" in failure(check_array, m.T, m, "W")


def test_a_custom_hint_is_appended():
    message = failure(check_array, 1.0, 2.0, "x", hint="look at the learning rate.")
    assert message.endswith("Hint: look at the learning rate.")


def test_tuples_and_dicts():
    assert "reverse order" in failure(check_result, (2.0, 1.0), (1.0, 2.0), "tangent")
    message = failure(check_result, 1.0, (1.0, 2.0), "tangent")
    assert "expected 2 returned values" in message and "one value" in message
    message = failure(check_result, {"W1": np.ones(2)}, {"W1": np.ones(2), "b1": np.ones(2)}, "grads")
    assert "expected the keys ['W1', 'b1']" in message
    message = failure(check_result, {"W1": np.ones(2)}, {"W1": np.zeros(2)}, "grads")
    assert "grads, entry 'W1'" in message
    assert "works in place and returns nothing" in failure(check_result, 1.0, None, "update")


# -- inputs --------------------------------------------------------------------------------------------

def test_a_modified_input_is_named():
    def scales_in_place(x):
        x *= 2
        return x.mean(axis=1) / 2
    message = failure(check_function, scales_in_place, mean_rows, BATCH, name="mean_rows")
    assert message.startswith("mean_rows changed its input `x` on a batch of 3 samples")
    assert "12 of 12 values differ" in message and "put the old value back" in message
    check_function(scales_in_place, mean_rows, BATCH, inputs_unchanged=False)


def test_a_modified_array_inside_a_dict_is_named():
    def update(params, grads):
        params["W"] -= grads["W"]
    params = {"W": np.ones(2)}
    message = failure(check_function, update, lambda params, grads: None,
                      [case("one step", params, {"W": np.ones(2)})], name="update")
    assert "changed its input `params['W']`" in message


def test_the_reference_and_the_student_never_share_arguments():
    student_saw, reference_saw = [], []

    def records(x):
        student_saw.append(x)
        return x.mean(axis=1)

    def reference_records(x):
        reference_saw.append(x)
        return mean_rows(x)
    check_function(records, reference_records, BATCH)
    assert len(student_saw) == len(reference_saw) == 1
    student_x, reference_x, case_x = student_saw[0], reference_saw[0], BATCH[0].args[0]
    assert student_x is not reference_x and not np.shares_memory(student_x, reference_x)
    assert not np.shares_memory(student_x, case_x) and not np.shares_memory(reference_x, case_x)


def test_fresh_case_keeps_a_closure_linked_to_its_array():
    def make():
        w = np.array([1.0, 2.0])
        return (lambda unused: float(np.sum(w ** 2))), w

    def gradient_through_the_closure(f, x, h=1e-4):
        grad = np.zeros_like(x)
        for i in range(x.size):
            keep = x[i]
            x[i] = keep + h
            up = f(x)
            x[i] = keep - h
            down = f(x)
            x[i] = keep
            grad[i] = (up - down) / (2 * h)
        return grad
    check_examples(gradient_through_the_closure, [(fresh_case("a closure", make), [2.0, 4.0])],
                   name="numerical_gradient")
    message = failure(check_examples, lambda f, x: np.zeros_like(x),
                      [(fresh_case("a closure", make), [2.0, 4.0])], name="numerical_gradient")
    assert "every value is 0" in message


def test_hidden_inputs_are_never_printed():
    secret = np.array([123.456, 789.012])
    message = failure(check_function, lambda x: x * 3, lambda x: x * 2,
                      [case("a vector of 2 values", secret)], name="f")
    assert "123.456" not in message and "789.012" not in message
    assert "a vector of 2 values" in message


# -- gradients --------------------------------------------------------------------------------------------

def test_check_gradient_accepts_the_true_gradient_and_names_a_wrong_one():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    check_gradient(2 * x, lambda x: float(np.sum(x ** 2)), x, "d/dx sum(x^2)")
    message = failure(check_gradient, x, lambda x: float(np.sum(x ** 2)), x, "d/dx sum(x^2)")
    assert "compared with a numerical gradient" in message and "2 times too small" in message
    np.testing.assert_array_equal(x, [[0.5, -1.0], [2.0, 0.25]])  # x is restored


def test_check_gradient_applies_the_students_standard():
    """Graders and students agree: what gradient_check passes, check_gradient passes, and back."""
    from course_lib.gradient import gradient_check
    scales = np.array([1.0, 1e-4, 1e-8])  # a correct element far smaller than the rest passes
    x = np.array([0.3, -0.7, 1.1])
    f = lambda v: float(np.sum(scales * np.sin(v)))  # noqa: E731
    check_gradient(scales * np.cos(x), f, x, "d/dx sum(c sin x)")
    for wrong in (scales * np.cos(x) * (1 + np.array([0, 0, 1e-2])),  # 1 % off at 1e-8: noise level
                  scales * np.cos(x) * (1 + np.array([1e-2, 0, 0])),
                  -scales * np.cos(x)):
        passed = bool(gradient_check(f, x, wrong))
        try:
            check_gradient(wrong, f, x, "d/dx sum(c sin x)")
            graded = True
        except AssertionError:
            graded = False
        assert graded == passed
    message = failure(check_gradient, -2 * x, lambda v: float(np.sum(v ** 2)), x, "d/dx sum(x^2)")
    assert "Gradient check FAIL" in message and "wrong sign" in message


def test_check_gradient_reports_shape_nan_and_kinks_in_plain_words():
    x = np.array([0.0, 0.5, -0.5])
    relu_sum = lambda v: float(np.sum(np.maximum(v, 0)))  # noqa: E731
    assert "expected an array of shape (3,)" in failure(check_gradient, np.ones(2), relu_sum, x, "dx")
    assert "NaN or inf" in failure(check_gradient, np.array([np.nan, 1.0, 0.0]), relu_sum, x, "dx")
    assert "did you forget to `return`" in failure(check_gradient, None, relu_sum, x, "dx")
    message = failure(check_gradient, (x > 0) * 1.0, relu_sum, x, "dx of ReLU")
    assert "SUSPICIOUS" in message and "kink" in message and "Hint" not in message


def test_a_correct_tuple_with_mixed_items_passes_and_a_wrong_one_fails_with_a_message():
    check_result((np.array([1.0, 2.0]), 3), (np.array([1.0, 2.0]), 3), "fit")
    with pytest.raises(AssertionError, match="returned value 1"):
        check_result((np.array([1.0, 5.0]), 3), (np.array([1.0, 2.0]), 3), "fit")


def test_equal_values_are_not_reported_in_reverse_order_but_swapped_ones_are():
    check_result((100, 100), (100, 100), "counts")
    with pytest.raises(AssertionError, match="reverse order"):
        check_result((3, np.array([1.0])), (np.array([1.0]), 3), "pair")


def test_a_number_left_over_from_a_cancellation_is_reported_as_zero():
    with pytest.raises(AssertionError, match="the result is 0") as error:
        check_array(-2.1e-16, 0.75, "loss")
    assert "times the expected" not in str(error.value)


# -- hints: each one fires on the mistake it names and stays silent on a near miss ----------------

def hints_of(message: str) -> list[str]:
    return [line for line in message.splitlines() if line.startswith("Hint: ")]


def test_a_hint_is_given_only_when_it_explains_every_differing_element():
    expected = np.array([1.0, -2.0, 3.0, 0.5])
    # each hint on its mistake ...
    mistakes = {
        "2 times too large": 2 * expected,
        "3 times too small": expected / 3,
        "wrong sign": -expected,
        "same factor 1.7": 1.7 * expected,
        "same amount 0.25": expected + 0.25,
        "every value is 0": 0 * expected,
        "close, but not accurate enough": expected * (1 + 1e-4 * np.array([1, -2, 1, 3])),
    }
    for words, got in mistakes.items():
        assert words in failure(check_array, got, expected, "g"), words
    # ... and none on a near miss: the same mistake in all elements but one
    for words, got in mistakes.items():
        near_miss = got.copy()
        near_miss[2] = expected[2] + 0.8
        assert hints_of(failure(check_array, near_miss, expected, "g")) == [], words
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert "transpose" in failure(check_array, m.T, m, "W")
    almost_transposed = m.T.copy()
    almost_transposed[0, 0] = 9.0
    assert hints_of(failure(check_array, almost_transposed, m, "W")) == []


def test_one_number_off_by_some_factor_gets_no_guess_unless_the_factor_is_a_named_size():
    message = failure(check_array, 0.002, 3.0, "a loss")  # 1500 times too small, a copy-paste slip
    assert "expected 3, got 0.002" in message and hints_of(message) == []
    assert "wrong sign" not in failure(check_array, -3.0, 3.0, "a loss")  # one number: no guess
    sized = failure(check_array, 12.0, 3.0, "a loss", sizes={4: "the batch size"})
    assert "4 times too large, and 4 is the batch size" in sized
    near_miss = failure(check_array, 12.3, 3.0, "a loss", sizes={4: "the batch size"})
    assert hints_of(near_miss) == []


def test_a_hint_must_explain_every_failing_case_of_the_check():
    def reference(x):
        return 2 * x

    cases = [case("the vector (1, 2)", np.array([1.0, 2.0])),
             case("the vector (3, 5)", np.array([3.0, 5.0]))]
    doubled_everywhere = failure(check_function, lambda x: 4 * x, reference, cases, name="f")
    assert "every value is 2 times too large" in doubled_everywhere
    # right factor in the first case, another one in the second: no diagnosis explains both
    def inconsistent(x):
        return 4 * x if x[0] == 1.0 else 3 * x
    message = failure(check_function, inconsistent, reference, cases, name="f")
    assert "on the vector (1, 2)" in message and hints_of(message) == []
    # scalars: the same factor in every failing case is evidence even for single numbers
    scalar_cases = [case("x = 1", 1.0), case("x = 3", 3.0)]
    message = failure(check_function, lambda x: -2 * x, reference, scalar_cases, name="f")
    assert "in every failing case the result is of the wrong sign" in message
    one_case = failure(check_function, lambda x: -2 * x if x == 1.0 else 2 * x, reference,
                       scalar_cases, name="f")
    assert hints_of(one_case) == []
    # a later case that fails in another way: no value hint either
    def crashes_later(x):
        if x[0] == 3.0:
            raise ValueError("boom")
        return 4 * x
    assert hints_of(failure(check_function, crashes_later, reference, cases, name="f")) == []


def test_each_case_off_by_its_own_batch_size_is_named():
    def mean_loss(y):
        return float(np.sum(y ** 2) / len(y))

    cases = [case("a batch of 4 samples", np.arange(8.0).reshape(4, 2)),
             case("a batch of 6 samples", np.arange(12.0).reshape(6, 2))]
    message = failure(check_function, lambda y: float(np.sum(y ** 2)), mean_loss, cases,
                      name="loss")
    assert "times too large, and n is the number of rows (the batch size) of `y`" in message


def test_integers_get_integer_language():
    message = failure(check_array, np.int64(1501), np.int64(1500), "the number of steps")
    assert "expected 1500, got 1501" in message and "(1 too large)" in message
    assert "close" not in message and "relative error" not in message
    assert "off-by-one" in message
    labels = np.array([3, 0, 2, 2])
    assert "every value that differs is one too small" in failure(
        check_array, np.where(labels > 0, labels - 1, labels), labels, "labels")
    near_miss = failure(check_array, labels + np.array([1, 0, 2, 0]), labels, "labels")
    assert "off-by-one" not in near_miss and "close" not in near_miss
    assert "whole numbers are expected" in failure(check_array, labels + 0.5, labels, "labels")


def test_a_path_of_the_wrong_length_is_counted_not_blamed_on_an_axis():
    path = np.zeros((5, 2))
    message = failure(check_array, np.zeros((6, 2)), path, "the path")
    assert "(one element too many along axis 0)" in message and "axis`" not in message
    assert "(2 elements too few)" in failure(check_array, np.zeros(3), np.zeros(5), "the losses")


# -- argument names: the student's, also when the function is a handle of the trusted judge ------

@pytest.fixture
def remote_of():
    """`remote_of(function)`: the function as the trusted judge holds it, a handle whose calls
    the kernel's end of a socket pair computes (course_lib.grading.judge.wire)."""
    import socket
    import threading

    from course_lib.grading.judge.agent import STUDENT_SIDE_OPS
    from course_lib.grading.judge.trusted import JUDGE_SIDE_OPS
    from course_lib.grading.judge.wire import Endpoint

    judge_sock, kernel_sock = socket.socketpair()
    kernel = Endpoint(kernel_sock, STUDENT_SIDE_OPS, judge=False)
    kernel.namespace = {}
    server = threading.Thread(target=kernel.serve, daemon=True)
    server.start()
    judge = Endpoint(judge_sock, JUDGE_SIDE_OPS, judge=True)

    def remote(function):
        kernel.namespace[function.__name__] = function
        return judge.request("get", name=function.__name__)["value"]

    yield remote
    judge.request("done")
    server.join(5)
    judge_sock.close()
    kernel_sock.close()


def test_a_handle_of_the_judge_has_the_students_signature(remote_of):
    import inspect

    def momentum_step(x0, v, A, lr=0.1, *, beta=0.9):
        return x0
    handle = remote_of(momentum_step)
    parameters = inspect.signature(handle).parameters
    assert list(parameters) == ["x0", "v", "A", "lr", "beta"]
    assert parameters["lr"].default is not inspect.Parameter.empty
    assert parameters["beta"].kind is inspect.Parameter.KEYWORD_ONLY
    message = failure(call_student, handle, 1.0, name="momentum_step", description="one call")
    assert "cannot be called the way the exercise describes" in message and "'v'" in message


def test_messages_name_the_students_parameters_through_the_judge(remote_of):
    def descend(x0, v, A):
        x0 -= 0.5 * v           # changes its input
        return A @ x0

    x0, v, A = np.ones(2), np.ones(2), np.eye(2)
    for student in (descend, remote_of(descend)):
        message = failure(check_examples, student, [(case("a 2-D step", x0, v, A), A @ x0)],
                          name="descend")
        assert "changed its input `x0`" in message, message
        assert "args" not in message and "argument" not in message

    def scaled(points, weights):  # reference named differently: the student's names win
        return weights.sum(axis=0)

    def student_sum(P, W):
        return W.sum(axis=0) * 3  # 3 is the number of rows of W

    W = np.arange(6.0).reshape(3, 2)
    for student in (student_sum, remote_of(student_sum)):
        message = failure(check_function, student, scaled,
                          [case("three weighted rows", np.zeros((2, 2)), W)], name="sum")
        assert "3 is the number of rows (the batch size) of `W`" in message, message


def test_every_failure_is_a_plain_assertion_error():
    """The grader shows the class name: it must read AssertionError, whichever check failed."""
    expected = np.array([1.0, 2.0])
    for check, args in [(check_array, (2 * expected, expected, "g")),
                        (check_result, ((2 * expected,), (expected,), "g")),
                        (check_function, (lambda x: 2 * x, lambda x: x, [case("x", expected)]))]:
        with pytest.raises(AssertionError) as info:
            check(*args)
        assert type(info.value) is AssertionError, check.__name__


def test_calls_that_share_state_are_caught():
    from course_lib.checks import check_calls_independent

    first, second = case("x = (1, 2)", np.array([1.0, 2.0])), case("x = (3, 4)", np.array([3.0, 4.0]))
    buffer = np.zeros(2)

    def into_a_buffer(x):
        buffer[:] = 2 * x
        return buffer

    remembered = {}

    def remembers_the_first_call(x):
        return remembered.setdefault("y", 2 * x)

    def doubled(x):
        return 2 * x

    check_calls_independent(doubled, doubled, first, second, name="double")
    message = failure(check_calls_independent, into_a_buffer, doubled, first, second, name="double")
    assert "changed when the function was called again" in message and "buffer" in message
    message = failure(check_calls_independent, remembers_the_first_call, doubled, first, second,
                      name="double")
    assert "called after x = (1, 2)" in message and "keeps something" in message


@pytest.mark.parametrize("got, expected, words", [
    (np.zeros(()), np.zeros(3), "you returned one number"),
    (np.zeros((4, 3)), np.zeros((3, 4)), "the shape is transposed"),
    (np.zeros(3), np.zeros((3, 4)), "one axis was summed or averaged away"),
    (np.zeros(12), np.zeros((3, 4)), "the right number of values in another shape"),
])
def test_each_shape_hint_on_its_mistake_and_not_on_a_near_miss(got, expected, words):
    assert words in failure(check_array, got, expected, "r")
    near_miss = np.zeros(got.size + 2 if got.ndim else (2,))  # two values more: no guess at a cause
    message = failure(check_array, near_miss, expected, "r")
    assert words not in message and "Hint" not in message


def test_dtype_nonfinite_and_order_hints_need_their_mistake():
    x32 = np.ones(3, dtype=np.float32)
    assert "keep the input's dtype" in failure(check_array, x32.astype(np.float64), x32, "y",
                                                check_dtype=True)
    assert "keep the input's dtype" not in failure(check_array, 2 * x32, x32, "y", check_dtype=True)
    assert "overflow" in failure(check_array, np.array([np.inf, 1.0]), np.ones(2), "y")
    assert "overflow" not in failure(check_array, np.array([3.0, 1.0]), np.ones(2), "y")
    assert "reverse order" in failure(check_result, (2.0, 1.0), (1.0, 2.0), "pair")
    assert "reverse order" not in failure(check_result, (2.5, 1.0), (1.0, 2.0), "pair")
