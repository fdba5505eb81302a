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
        "wrong": {
            "np.ceil gives a float count (469.0)": '''
def count_updates(n_samples, batch_size, epochs):
    iterations_per_epoch = np.ceil(n_samples / batch_size)
    return iterations_per_epoch, iterations_per_epoch * epochs
''',
            "floor division drops the last partial batch": '''
def count_updates(n_samples, batch_size, epochs):
    iterations_per_epoch = n_samples // batch_size
    return iterations_per_epoch, iterations_per_epoch * epochs
''',
            "plain division gives a fraction of an iteration": '''
def count_updates(n_samples, batch_size, epochs):
    iterations_per_epoch = n_samples / batch_size
    return iterations_per_epoch, iterations_per_epoch * epochs
''',
            "rounds to the nearest whole number instead of up": '''
def count_updates(n_samples, batch_size, epochs):
    iterations_per_epoch = round(n_samples / batch_size)
    return iterations_per_epoch, iterations_per_epoch * epochs
''',
            "counts one partial batch for all epochs together": '''
def count_updates(n_samples, batch_size, epochs):
    return math.ceil(n_samples / batch_size), math.ceil(n_samples * epochs / batch_size)
''',
        },
        "correct": {
            "negated floor division": '''
def count_updates(n_samples, batch_size, epochs):
    steps = -(-n_samples // batch_size)
    return steps, steps * epochs
''',
            "integer arithmetic (N + B - 1) // B": '''
def count_updates(n_samples, batch_size, epochs):
    per_epoch = (n_samples + batch_size - 1) // batch_size
    total = epochs * per_epoch
    return (per_epoch, total)
''',
            "counting the batch starts with range": '''
def count_updates(n_samples, batch_size, epochs):
    starts = range(0, n_samples, batch_size)
    return len(starts), len(starts) * epochs
''',
        },
    },
    "minibatches": {
        "wrong": {
            "seed=None replaced by seed 0 (the same order every epoch)": '''
def minibatches(x, t, batch_size, seed=None):
    order = np.random.default_rng(0 if seed is None else seed).permutation(len(x))
    for start in range(0, len(x), batch_size):
        rows = order[start:start + batch_size]
        yield x[rows], t[rows]
''',
            "does not shuffle": '''
def minibatches(x, t, batch_size, seed=None):
    for start in range(0, len(x), batch_size):
        yield x[start:start + batch_size], t[start:start + batch_size]
''',
            "drops the last partial batch": '''
def minibatches(x, t, batch_size, seed=None):
    order = np.random.default_rng(seed).permutation(len(x))
    for i in range(len(x) // batch_size):
        rows = order[i * batch_size:(i + 1) * batch_size]
        yield x[rows], t[rows]
''',
            "shuffles x and t with different permutations": '''
def minibatches(x, t, batch_size, seed=None):
    rng = np.random.default_rng(seed)
    order_x, order_t = rng.permutation(len(x)), rng.permutation(len(t))
    for start in range(0, len(x), batch_size):
        yield x[order_x[start:start + batch_size]], t[order_t[start:start + batch_size]]
''',
            "shuffles the caller's arrays in place": '''
def minibatches(x, t, batch_size, seed=None):
    order = np.random.default_rng(seed).permutation(len(x))
    x[...] = x[order]
    t[...] = t[order]
    for start in range(0, len(x), batch_size):
        yield x[start:start + batch_size], t[start:start + batch_size]
''',
            "uses the global legacy generator np.random.seed": '''
def minibatches(x, t, batch_size, seed=None):
    np.random.seed(seed)
    order = np.random.permutation(len(x))
    for start in range(0, len(x), batch_size):
        rows = order[start:start + batch_size]
        yield x[rows], t[rows]
''',
            "ignores the seed": '''
def minibatches(x, t, batch_size, seed=None):
    order = np.random.default_rng().permutation(len(x))
    for start in range(0, len(x), batch_size):
        rows = order[start:start + batch_size]
        yield x[rows], t[rows]
''',
        },
        "correct": {
            "shuffles an index array and returns a list": '''
def minibatches(x, t, batch_size, seed=None):
    rng = np.random.default_rng(seed)
    idx = np.arange(x.shape[0])
    rng.shuffle(idx)
    return [(x[idx[i:i + batch_size]], t[idx[i:i + batch_size]])
            for i in range(0, x.shape[0], batch_size)]
''',
            "np.split of the permutation": '''
def minibatches(x, t, batch_size, seed=None):
    order = np.random.default_rng(seed).permutation(len(x))
    for rows in np.split(order, np.arange(batch_size, len(x), batch_size)):
        yield x[rows], t[rows]
''',
            "a while loop over a shuffled copy": '''
def minibatches(x, t, batch_size, seed=None):
    order = np.random.default_rng(seed).permutation(len(x))
    x_shuffled, t_shuffled = x[order], t[order]
    start = 0
    while start < len(x):
        stop = min(start + batch_size, len(x))
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
