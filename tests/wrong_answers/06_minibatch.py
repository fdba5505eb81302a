"""Typical wrong answers and differently written correct answers for 06_minibatch."""

from grading_tools import with_mistake

# Correct answers that several wrong answers below change in one place each.
TRAIN_VAL_TEST_SPLIT = '''
def train_val_test_split(x, t, val_fraction, test_fraction, seed):
    n = len(x)
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    n_train = n - n_val - n_test
    order = np.random.default_rng(seed).permutation(n)
    train, val, test = order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]
    return (x[train], t[train]), (x[val], t[val]), (x[test], t[test])
'''

COUNT_UPDATES = '''
def count_updates(n_samples, batch_size, epochs, drop_last=False):
    for name, value in (("n_samples", n_samples), ("batch_size", batch_size), ("epochs", epochs)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, not {value!r}")
    if drop_last and batch_size > n_samples:
        raise ValueError("drop_last: the batch is larger than the data set, no update is left")
    per_epoch = n_samples // batch_size if drop_last else math.ceil(n_samples / batch_size)
    return per_epoch, per_epoch * epochs
'''

MINIBATCHES = '''
def minibatches(x, t, batch_size, seed=None, drop_last=False):
    if len(x) != len(t):
        raise ValueError(f"x has {len(x)} samples, t has {len(t)}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, not {batch_size!r}")
    order = np.random.default_rng(seed).permutation(len(x))
    n_batches = len(x) // batch_size if drop_last else -(-len(x) // batch_size)
    for i in range(n_batches):
        rows = order[i * batch_size:(i + 1) * batch_size]
        yield x[rows], t[rows]
'''

SGD_EPOCH = '''
def sgd_epoch(params, x, t, batch_size, lr, seed):
    batch_losses = []
    for xb, tb in data.minibatches(x, t, batch_size, seed=seed):
        scores = xb @ params["W"] + params["b"]
        batch_losses.append(losses.softmax_cross_entropy(scores, tb))
        dscores = losses.softmax_cross_entropy_grad(scores, tb)
        params["W"] -= lr * xb.T @ dscores
        params["b"] -= lr * dscores.sum(axis=0)
    return batch_losses
'''

ANSWERS = {
    "count_updates": {
        "tests": ["test_count_updates", "test_count_updates_checks"],
        "wrong": {
            "np.ceil gives a float count (469.0)": with_mistake(
                COUNT_UPDATES, "math.ceil(n_samples / batch_size)", "np.ceil(n_samples / batch_size)"),
            "floor division drops the last partial batch even without drop_last": with_mistake(
                COUNT_UPDATES, "math.ceil(n_samples / batch_size)", "n_samples // batch_size"),
            "drop_last ignored (every epoch keeps its last batch)": with_mistake(
                COUNT_UPDATES, "n_samples // batch_size if drop_last else ", ""),
            "drop_last drops a batch even when all batches are full": with_mistake(
                COUNT_UPDATES, "n_samples // batch_size if drop_last", "math.ceil(n_samples / batch_size) - 1 if drop_last"),
            "plain division gives a fraction of an iteration": with_mistake(
                COUNT_UPDATES, "math.ceil(n_samples / batch_size)", "n_samples / batch_size"),
            "rounds to the nearest whole number instead of up": with_mistake(
                COUNT_UPDATES, "math.ceil(n_samples / batch_size)", "round(n_samples / batch_size)"),
            "counts one partial batch for all epochs together": with_mistake(
                COUNT_UPDATES, "return per_epoch, per_epoch * epochs",
                "return per_epoch, per_epoch * epochs if drop_last else math.ceil(n_samples * epochs / batch_size)"),
            "no checks at all (0 epochs counts 0 updates, True counts as 1)": '''
def count_updates(n_samples, batch_size, epochs, drop_last=False):
    per_epoch = n_samples // batch_size if drop_last else math.ceil(n_samples / batch_size)
    return per_epoch, per_epoch * epochs
''',
            "rejects numpy integers (isinstance int only)": with_mistake(
                COUNT_UPDATES, "not isinstance(value, (int, np.integer))", "not isinstance(value, int)"),
            "accepts True as a count (bool is a subclass of int)": with_mistake(
                COUNT_UPDATES, "isinstance(value, bool) or ", ""),
            "accepts whole floats such as 128.0": with_mistake(
                COUNT_UPDATES, "not isinstance(value, (int, np.integer))",
                "not isinstance(value, (int, float, np.integer)) or value != int(value)"),
            "the message does not name the argument": with_mistake(
                COUNT_UPDATES, 'f"{name} must be a whole number >= 1, not {value!r}"', '"expected a whole number >= 1"'),
            "drop_last with a batch larger than the data set counts 0 updates": with_mistake(
                COUNT_UPDATES, "if drop_last and batch_size > n_samples:", "if False:"),
        },
        "correct": {
            "negated floor division and check_count from the course library": '''
from course_lib.validation import check_count


def count_updates(n_samples, batch_size, epochs, drop_last=False):
    n, b, e = (check_count(n_samples, "n_samples"), check_count(batch_size, "batch_size"),
               check_count(epochs, "epochs"))
    if drop_last and b > n:
        raise ValueError(f"batch_size {b} > n_samples {n}: drop_last leaves no batch")
    steps = n // b if drop_last else -(-n // b)
    return steps, steps * e
''',
            "integer arithmetic (N + B - 1) // B and one check per argument": '''
def count_updates(n_samples, batch_size, epochs, drop_last=False):
    def whole(value, name):
        if type(value) is bool or not isinstance(value, (int, np.integer)) or value <= 0:
            raise ValueError("%s should be a positive integer, got %r" % (name, value))
    whole(n_samples, "n_samples")
    whole(batch_size, "batch_size")
    whole(epochs, "epochs")
    if drop_last:
        per_epoch = n_samples // batch_size
        if per_epoch == 0:
            raise ValueError("drop_last would drop the only batch: batch_size > n_samples")
    else:
        per_epoch = (n_samples + batch_size - 1) // batch_size
    total = epochs * per_epoch
    return (int(per_epoch), int(total))
''',
            "counting the batch starts with range": '''
import numbers


def count_updates(n_samples, batch_size, epochs, drop_last=False):
    for value, name in [(n_samples, "n_samples"), (batch_size, "batch_size"), (epochs, "epochs")]:
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"count_updates: {name}={value!r} is not a count >= 1")
    stop = n_samples - n_samples % batch_size if drop_last else n_samples
    starts = range(0, stop, batch_size)
    if len(starts) == 0:
        raise ValueError(f"drop_last: no full batch of {batch_size} in {n_samples} samples")
    return len(starts), len(starts) * epochs
''',
        },
    },
    "minibatches": {
        "tests": ["test_minibatches", "test_minibatches_checks"],
        "wrong": {
            "seed=None replaced by seed 0 (the same order every epoch)": with_mistake(
                MINIBATCHES, "default_rng(seed)", "default_rng(0 if seed is None else seed)"),
            "does not shuffle": with_mistake(
                MINIBATCHES, "np.random.default_rng(seed).permutation(len(x))", "np.arange(len(x))"),
            "drops the last partial batch even without drop_last": with_mistake(
                MINIBATCHES, "len(x) // batch_size if drop_last else -(-len(x) // batch_size)",
                "len(x) // batch_size"),
            "drop_last ignored (the last partial batch is always kept)": with_mistake(
                MINIBATCHES, "len(x) // batch_size if drop_last else -(-len(x) // batch_size)",
                "-(-len(x) // batch_size)"),
            "drop_last drops a full last batch too": with_mistake(
                MINIBATCHES, "len(x) // batch_size if drop_last", "-(-len(x) // batch_size) - 1 if drop_last"),
            "shuffles x and t with different permutations": '''
def minibatches(x, t, batch_size, seed=None, drop_last=False):
    if len(x) != len(t):
        raise ValueError(f"x has {len(x)} samples, t has {len(t)}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, not {batch_size!r}")
    rng = np.random.default_rng(seed)
    order_x, order_t = rng.permutation(len(x)), rng.permutation(len(t))
    stop = len(x) - len(x) % batch_size if drop_last else len(x)
    for start in range(0, stop, batch_size):
        yield x[order_x[start:start + batch_size]], t[order_t[start:start + batch_size]]
''',
            "shuffles the caller's arrays in place": '''
def minibatches(x, t, batch_size, seed=None, drop_last=False):
    if len(x) != len(t):
        raise ValueError(f"x has {len(x)} samples, t has {len(t)}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, not {batch_size!r}")
    order = np.random.default_rng(seed).permutation(len(x))
    x[...] = x[order]
    t[...] = t[order]
    stop = len(x) - len(x) % batch_size if drop_last else len(x)
    for start in range(0, stop, batch_size):
        yield x[start:start + batch_size], t[start:start + batch_size]
''',
            "uses the global legacy generator np.random.seed": with_mistake(
                MINIBATCHES, "order = np.random.default_rng(seed).permutation(len(x))",
                "np.random.seed(seed)\n    order = np.random.permutation(len(x))"),
            "ignores the seed": with_mistake(MINIBATCHES, "default_rng(seed)", "default_rng()"),
            "no checks (0 raises range's own error, a float batch size a TypeError)": '''
def minibatches(x, t, batch_size, seed=None, drop_last=False):
    order = np.random.default_rng(seed).permutation(len(x))
    stop = len(x) - len(x) % batch_size if drop_last else len(x)
    for start in range(0, stop, batch_size):
        rows = order[start:start + batch_size]
        yield x[rows], t[rows]
''',
            "no check that x and t hold as many samples": with_mistake(
                MINIBATCHES, "if len(x) != len(t):", "if False:"),
            "accepts whole floats such as 2.0 as the batch size": with_mistake(
                MINIBATCHES, "not isinstance(batch_size, (int, np.integer))", "batch_size != int(batch_size)"),
            "a shared permutation kept between calls (epochs started together mix)": '''
_state = {}


def minibatches(x, t, batch_size, seed=None, drop_last=False):
    if len(x) != len(t):
        raise ValueError(f"x has {len(x)} samples, t has {len(t)}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, not {batch_size!r}")
    _state["order"] = np.random.default_rng(seed).permutation(len(x))
    stop = len(x) - len(x) % batch_size if drop_last else len(x)
    for start in range(0, stop, batch_size):
        rows = _state["order"][start:start + batch_size]
        yield x[rows], t[rows]
''',
        },
        "correct": {
            "shuffles an index array and returns a list": '''
def minibatches(x, t, batch_size, seed=None, drop_last=False):
    if x.shape[0] != t.shape[0]:
        raise ValueError("x and t differ in length: %d != %d" % (x.shape[0], t.shape[0]))
    if type(batch_size) is bool or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
        raise ValueError(f"bad batch_size {batch_size!r}")
    rng = np.random.default_rng(seed)
    idx = np.arange(x.shape[0])
    rng.shuffle(idx)
    batches = [(x[idx[i:i + batch_size]], t[idx[i:i + batch_size]])
               for i in range(0, x.shape[0], batch_size)]
    if drop_last and batches and len(batches[-1][0]) < batch_size:
        batches.pop()
    return batches
''',
            "np.split of the permutation, checked with the course library": '''
from course_lib.validation import check_count


def minibatches(x, t, batch_size, seed=None, drop_last=False):
    check_count(batch_size, "batch_size")
    if len(x) != len(t):
        raise ValueError("x and t must have one row per sample each")
    order = np.random.default_rng(seed).permutation(len(x))
    for rows in np.split(order, np.arange(batch_size, len(x), batch_size)):
        if len(rows) == batch_size or (len(rows) and not drop_last):
            yield x[rows], t[rows]
''',
            "a while loop over a shuffled copy": '''
import numbers


def minibatches(x, t, batch_size, seed=None, drop_last=False):
    if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"minibatches: batch_size={batch_size!r} is not a count >= 1")
    if len(x) != len(t):
        raise ValueError(f"minibatches: {len(x)} inputs but {len(t)} targets")
    order = np.random.default_rng(seed).permutation(len(x))
    x_shuffled, t_shuffled = x[order], t[order]
    start = 0
    while start < len(x):
        stop = min(start + batch_size, len(x))
        if drop_last and stop - start < batch_size:
            break
        yield x_shuffled[start:stop], t_shuffled[start:stop]
        start = stop
''',
        },
    },
    "train_val_test_split": {
        "wrong": {
            "rounds halves up (int(N * f + 0.5)) instead of Python's round": '''
def train_val_test_split(x, t, val_fraction, test_fraction, seed):
    n = len(x)
    n_val, n_test = int(n * val_fraction + 0.5), int(n * test_fraction + 0.5)
    order = np.random.default_rng(seed).permutation(n)
    train, val, test = order[:n - n_val - n_test], order[n - n_val - n_test:n - n_test], order[n - n_test:]
    return (x[train], t[train]), (x[val], t[val]), (x[test], t[test])
''',
            "the test set overlaps the training set": with_mistake(
                TRAIN_VAL_TEST_SPLIT, "order[n_train + n_val:]", "order[:n_test]"),
            "the training set keeps every sample": '''
def train_val_test_split(x, t, val_fraction, test_fraction, seed):
    n = len(x)
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    order = np.random.default_rng(seed).permutation(n)
    val, test = order[:n_val], order[n_val:n_val + n_test]
    return (x[order], t[order]), (x[val], t[val]), (x[test], t[test])
''',
            "does not shuffle": '''
def train_val_test_split(x, t, val_fraction, test_fraction, seed):
    n = len(x)
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    n_train = n - n_val - n_test
    return ((x[:n_train], t[:n_train]), (x[n_train:n_train + n_val], t[n_train:n_train + n_val]),
            (x[n_train + n_val:], t[n_train + n_val:]))
''',
            "draws validation and test samples independently": '''
def train_val_test_split(x, t, val_fraction, test_fraction, seed):
    n = len(x)
    rng = np.random.default_rng(seed)
    val = rng.choice(n, round(n * val_fraction), replace=False)
    test = rng.choice(n, round(n * test_fraction), replace=False)
    train = np.setdiff1d(np.arange(n), np.concatenate([val, test]))
    return (x[train], t[train]), (x[val], t[val]), (x[test], t[test])
''',
            "permutes x and t separately": '''
def train_val_test_split(x, t, val_fraction, test_fraction, seed):
    n = len(x)
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    n_train = n - n_val - n_test
    rng = np.random.default_rng(seed)
    xs, ts = x[rng.permutation(n)], t[rng.permutation(n)]
    cut = [n_train, n_train + n_val]
    (x1, x2, x3), (t1, t2, t3) = np.split(xs, cut), np.split(ts, cut)
    return (x1, t1), (x2, t2), (x3, t3)
''',
            "negative slicing takes everything when there is no test set": '''
def train_val_test_split(x, t, val_fraction, test_fraction, seed):
    n = len(x)
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    order = np.random.default_rng(seed).permutation(n)
    train = order[:n - n_val - n_test]
    val = order[n - n_val - n_test:n - n_test]
    test = order[-n_test:]
    return (x[train], t[train]), (x[val], t[val]), (x[test], t[test])
''',
            "truncates the set sizes with int()": with_mistake(
                TRAIN_VAL_TEST_SPLIT,
                "round(n * val_fraction), round(n * test_fraction)",
                "int(n * val_fraction), int(n * test_fraction)"),
        },
        "correct": {
            "np.split at the two cut points": '''
def train_val_test_split(x, t, val_fraction, test_fraction, seed):
    n = x.shape[0]
    n_val = round(n * val_fraction)
    n_test = round(n * test_fraction)
    order = np.random.default_rng(seed).permutation(n)
    parts = np.split(order, [n - n_val - n_test, n - n_test])
    return tuple((x[p], t[p]) for p in parts)
''',
            "shuffles once, then slices the shuffled arrays": '''
def train_val_test_split(x, t, val_fraction, test_fraction, seed):
    n = len(x)
    idx = np.arange(n)
    np.random.default_rng(seed).shuffle(idx)
    xs, ts = x[idx], t[idx]
    n_test = round(n * test_fraction)
    n_val = round(n * val_fraction)
    a, b = n - n_val - n_test, n - n_test
    return (xs[:a], ts[:a]), (xs[a:b], ts[a:b]), (xs[b:], ts[b:])
''',
        },
    },
    "sgd_epoch": {
        "tests": ["test_sgd_epoch", "test_sgd_epoch_calls"],
        "wrong": {
            "classes counted from the labels (t.max() + 1), not from W": with_mistake(
                SGD_EPOCH, "dscores = losses.softmax_cross_entropy_grad(scores, tb)",
                "k = int(tb.max()) + 1\n"
                "        dscores = (softmax(scores)[:, :k] - losses.one_hot(tb, k)) / len(tb)\n"
                "        dscores = np.pad(dscores, ((0, 0), (0, scores.shape[1] - k)))"),
            "unstable loss: the log of the softmax (inf for scores in the thousands)": with_mistake(
                SGD_EPOCH, "batch_losses.append(losses.softmax_cross_entropy(scores, tb))",
                "p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)\n"
                "        batch_losses.append(float(-np.mean(np.log(p[np.arange(len(tb)), tb]))))"),
            "the loss from the probabilities with chapter 04's cross_entropy (off for large scores)": '''
def sgd_epoch(params, x, t, batch_size, lr, seed):
    batch_losses = []
    for xb, tb in data.minibatches(x, t, batch_size, seed=seed):
        p = softmax(xb @ params["W"] + params["b"])
        batch_losses.append(losses.cross_entropy(p, tb))
        grad_scores = p.copy()
        grad_scores[np.arange(len(tb)), tb] -= 1
        grad_scores /= len(tb)
        params["W"] -= lr * np.dot(xb.T, grad_scores)
        params["b"] -= lr * np.sum(grad_scores, axis=0)
    return batch_losses
''',
            "starts every call from zero weights (does not continue)": with_mistake(
                SGD_EPOCH, "    batch_losses = []\n",
                "    batch_losses = []\n    params[\"W\"][...] = 0\n    params[\"b\"][...] = 0\n"),
            "returns a numpy array, not a list of floats": with_mistake(
                SGD_EPOCH, "    return batch_losses", "    return np.array(batch_losses)"),
            "the gradient is summed over the batch, not averaged": '''
def sgd_epoch(params, x, t, batch_size, lr, seed):
    batch_losses = []
    for xb, tb in data.minibatches(x, t, batch_size, seed=seed):
        scores = xb @ params["W"] + params["b"]
        p = softmax(scores)
        batch_losses.append(float(-np.mean(np.log(p[np.arange(len(tb)), tb]))))
        dscores = p - losses.one_hot(tb, scores.shape[1])
        params["W"] -= lr * xb.T @ dscores
        params["b"] -= lr * dscores.sum(axis=0)
    return batch_losses
''',
            "the loss is summed over the batch, not averaged": with_mistake(
                SGD_EPOCH,
                "softmax_cross_entropy(scores, tb))",
                "softmax_cross_entropy(scores, tb) * len(tb))"),
            "divides by batch_size even for the smaller last batch": '''
def sgd_epoch(params, x, t, batch_size, lr, seed):
    batch_losses = []
    for xb, tb in data.minibatches(x, t, batch_size, seed=seed):
        scores = xb @ params["W"] + params["b"]
        p = softmax(scores)
        batch_losses.append(float(-np.sum(np.log(p[np.arange(len(tb)), tb])) / batch_size))
        dscores = (p - losses.one_hot(tb, scores.shape[1])) / batch_size
        params["W"] -= lr * xb.T @ dscores
        params["b"] -= lr * dscores.sum(axis=0)
    return batch_losses
''',
            "does not shuffle": with_mistake(SGD_EPOCH, "seed=seed", "shuffle=False"),
            "records the loss after the update": '''
def sgd_epoch(params, x, t, batch_size, lr, seed):
    batch_losses = []
    for xb, tb in data.minibatches(x, t, batch_size, seed=seed):
        scores = xb @ params["W"] + params["b"]
        dscores = losses.softmax_cross_entropy_grad(scores, tb)
        params["W"] -= lr * xb.T @ dscores
        params["b"] -= lr * dscores.sum(axis=0)
        batch_losses.append(losses.softmax_cross_entropy(xb @ params["W"] + params["b"], tb))
    return batch_losses
''',
            "forgets to update the bias": with_mistake(
                SGD_EPOCH,
                "        dscores = losses.softmax_cross_entropy_grad(scores, tb)\n"
                '        params["W"] -= lr * xb.T @ dscores\n'
                '        params["b"] -= lr * dscores.sum(axis=0)\n',
                '        params["W"] -= lr * xb.T @ losses.softmax_cross_entropy_grad(scores, tb)\n'),
            "replaces the parameter arrays instead of updating them in place": with_mistake(
                SGD_EPOCH,
                'params["W"] -= lr * xb.T @ dscores\n'
                '        params["b"] -= lr * dscores.sum(axis=0)',
                'params["W"] = params["W"] - lr * xb.T @ dscores\n'
                '        params["b"] = params["b"] - lr * dscores.sum(axis=0)'),
        },
        "correct": {
            "course_lib losses and an SGD optimizer": '''
from course_lib.optimizers import SGD as _SGD

def sgd_epoch(params, x, t, batch_size, lr, seed):
    optimizer, batch_losses = _SGD(lr=lr), []
    for xb, tb in data.minibatches(x, t, batch_size, seed=seed):
        scores = xb @ params["W"] + params["b"]
        batch_losses.append(losses.softmax_cross_entropy(scores, tb))
        d = losses.softmax_cross_entropy_grad(scores, tb)
        optimizer.update(params, {"W": xb.T @ d, "b": d.sum(axis=0)})
    return batch_losses
''',
            "log-sum-exp loss and np.eye one-hot rows": '''
def sgd_epoch(params, x, t, batch_size, lr, seed):
    W, b = params["W"], params["b"]
    out = []
    for xb, tb in data.minibatches(x, t, batch_size, seed=seed):
        n = xb.shape[0]
        s = xb.dot(W) + b
        s = s - s.max(axis=1, keepdims=True)
        log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        y = np.eye(W.shape[1])[tb]
        out.append(-(log_p * y).sum() / n)
        g = (np.exp(log_p) - y) / n
        W -= lr * xb.T.dot(g)
        b -= lr * g.sum(axis=0)
    return out
''',
        },
    },
}
