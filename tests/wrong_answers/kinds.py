"""The kind of gap behind each wrong answer of tests/wrong_answers/ (issue 13's list).

A grader has a gap of a given kind when a wrong answer of that kind passes it. Every wrong answer
has a kind: GAPS names the ones that test a gap, chapter -> answer id -> {description: kind}; a
wrong answer it does not name is of the kind RESULT (a wrong result on ordinary inputs, which any
test of the formula catches). tests/test_wrong_answer_kinds.py checks that every description named
here exists, that every kind has wrong answers, and that each kind is also graded through the real
autograde pipeline (tests/test_wrong_answers_graded.py). A wrong answer added to a chapter's file
names its kind here.
"""

RESULT = "a wrong result on ordinary inputs"
PARAMETER = "a parameter of the signature that no test varies"
LAYOUT = "inputs of only one layout, shape or dtype"
EDGE = "edge values never reached"
STABILITY = "stability (exp, log, division) not stressed"
USE = "results not used the way real code uses them (types, copies, state, in place, calls)"
LOOSER = "a check looser than the exercise asks"
KINDS = (RESULT, PARAMETER, LAYOUT, EDGE, STABILITY, USE, LOOSER)

GAPS = {
    "01_derivatives": {
        "numerical_derivative": {
            "ignores the step h it is given": PARAMETER,
            "a far too small step": LOOSER,
            "forward difference": LOOSER,
            "backward difference": LOOSER,
        },
        "tangent_line": {
            "the secant through a - h and a + h (np.polyfit): its intercept is not the tangent's": PARAMETER,
            "a forward-difference slope": LOOSER,
            "returns only the slope": USE,
        },
        "numerical_gradient": {
            "forgets to restore x": USE,
            "restores x only when f does not raise": EDGE,
            "perturbs a copy of x (f reading x itself sees nothing)": USE,
            "only works for 1-D arrays": LAYOUT,
            "forward difference": LOOSER,
            "returns float64 for float32 input": LAYOUT,
            "swallows the error that f raises": EDGE,
        },
        "directional_derivative": {
            "does not normalise v": EDGE,
            "one direction only: float() of K slopes fails": LAYOUT,
            "divides every direction by the norm of the whole matrix": LAYOUT,
            "normalises the columns of the matrix, not its rows": LAYOUT,
            "a 1x4 matrix of directions returns a number, not an array of one slope": LAYOUT,
            "no check for a zero direction (0 / 0 gives nan)": LOOSER,
            "no shape check (a 3-D v gives a matrix of slopes)": LOOSER,
            "calls a short direction zero (a tolerance instead of exactly zero)": EDGE,
            "normalises v in place (the caller's directions change)": USE,
            "ignores the step h it is given": PARAMETER,
        },
    },
    "02_gradient_descent": {
        "gradient_descent": {
            "appends the same array, updated in place (every entry aliases the last point)": USE,
            "updates x0 itself instead of a copy": USE,
            "returns the path as a list": USE,
            "copies x0 but updates in place (an integer start cannot take the steps)": LAYOUT,
            "a preallocated path for 1-D starts only": LAYOUT,
        },
        "largest_stable_lr": {
            "2 / the largest absolute row sum (a bound, exact only for some matrices)": EDGE,
            "returns a numpy float": USE,
            "checks nothing (a number for any matrix)": LOOSER,
            "no symmetry check (eigvalsh reads one triangle only)": LOOSER,
            "positive definite judged by the diagonal entries": EDGE,
            "a zero eigenvalue let through (< 0 instead of <= 0)": EDGE,
        },
        "gradient_descent_until": {
            "tests only after a step, so it always steps once": EDGE,
            "stops on the size of the step lr * |g| instead of |g|": PARAMETER,
            "ignores max_steps (a diverging run never ends)": PARAMETER,
            "computes one gradient more than needed when max_steps ends the run": USE,
            "computes the gradient twice per step": USE,
            "returns the path as a list": USE,
            "stops when the norm is at most tol (<= instead of <)": EDGE,
            "appends the same array, updated in place": USE,
        },
    },
    "03_linear_regression": {
        "linear_mse_and_grad": {
            "the loss as a 1-element array": USE,
            "gradient divided by D instead of N": LAYOUT,
            "only works for two columns (a, b) written out": LAYOUT,
            "updates x in place while computing (changes the input)": USE,
        },
        "normal_equations": {
            "no check: returns whatever lstsq gives for dependent columns": LOOSER,
            "checks only that A has at least as many rows as columns": EDGE,
            "the wrong kind of error (AssertionError)": LOOSER,
            "a ValueError that does not say what is wrong": LOOSER,
            "the rank of A^T A compared with N instead of D": EDGE,
        },
        "fit_gradient_descent": {
            "ignores the start x0": PARAMETER,
            "moves x0 in place (changes the input)": USE,
            "losses without the start (n_steps numbers)": EDGE,
            "an integer start stays integer (steps are truncated)": LAYOUT,
            "the losses as a list": USE,
        },
        "newton_step": {
            "changes x in place": USE,
        },
    },
    "04_loss_functions": {
        "mean_squared_error_and_grad": {
            "divides by the batch size only (sum over the outputs, mean over the samples)": LAYOUT,
            "returns a numpy float, not a Python float": USE,
            "gradient in float64 for float32 arrays": LAYOUT,
            "computes the difference in place in y (changes the input)": USE,
            "the gradient divides by len(y), which fails on single numbers": LAYOUT,
        },
        "cross_entropy": {
            "returns a numpy float, not a Python float": USE,
            "one-hot rows found by the largest label (fails when it is missing)": EDGE,
            "no eps: log(0) gives inf": STABILITY,
            "ignores the eps argument (always 1e-7)": PARAMETER,
            "turns one-hot labels into indices along the wrong axis (axis=0)": LAYOUT,
            "only handles index labels": LAYOUT,
            "only handles batches, not a single sample": LAYOUT,
        },
        "softmax_cross_entropy": {
            "returns a numpy float, not a Python float": USE,
            "unstable: log of a naive softmax without the max shift (overflows)": STABILITY,
            "goes through probabilities with eps (the loss is capped at 16.1)": STABILITY,
            "one maximum for the whole batch instead of one per row": STABILITY,
            "shifts the logits in place (changes the input)": USE,
        },
        "softmax_cross_entropy_grad": {
            "the number of classes taken from the labels (t.max() + 1)": EDGE,
            "unstable softmax exp(z) / sum exp(z) (overflows for logits like 1000)": STABILITY,
            "shifts the logits in place (changes the input)": USE,
        },
    },
    "05_activations": {
        "sigmoid_forward_backward": {
            "exp(x) / (1 + exp(x)) everywhere (nan for large positive x)": STABILITY,
            "float64 constants turn a float32 input into float64": LAYOUT,
            "a result array of the input's dtype (integer inputs are truncated)": LAYOUT,
            "a loop over the first axis (fails on a single number)": LAYOUT,
            "clips x in place to avoid the overflow (changes the input)": USE,
            "keeps the first call's output for later calls": USE,
        },
        "relu_forward_backward": {
            "takes the slope 1 at the kink x = 0": EDGE,
            "sets negative inputs to 0 in place (changes x)": USE,
            "stops the gradient in dout in place (changes dout)": USE,
            "float64 results for float32 arrays": LAYOUT,
            "leaky ReLU with slope 0.01 for negative inputs": LOOSER,
        },
        "softmax": {
            "divides by the temperature after the exponential": PARAMETER,
            "multiplies by the temperature": PARAMETER,
            "no shift: overflows for large scores or a small temperature": STABILITY,
            "never checks the temperature": LOOSER,
            "lets a tiny negative temperature through (checks T > -1e-6)": EDGE,
            "unstable: exp(x) / sum without subtracting the maximum (overflows)": STABILITY,
            "one maximum for the whole batch instead of one per row": STABILITY,
            "only handles batches (axis=1)": LAYOUT,
            "shifts x in place (changes the input)": USE,
        },
    },
    "06_minibatch": {
        "count_updates": {
            "np.ceil gives a float count (469.0)": USE,
            "plain division gives a fraction of an iteration": USE,
            "rounds to the nearest whole number instead of up": EDGE,
            "drop_last ignored (every epoch keeps its last batch)": PARAMETER,
            "drop_last drops a batch even when all batches are full": EDGE,
            "drop_last with a batch larger than the data set counts 0 updates": EDGE,
            "rejects numpy integers (isinstance int only)": LAYOUT,
            "no checks at all (0 epochs counts 0 updates, True counts as 1)": LOOSER,
            "accepts True as a count (bool is a subclass of int)": LOOSER,
            "accepts whole floats such as 128.0": LOOSER,
            "the message does not name the argument": LOOSER,
        },
        "minibatches": {
            "seed=None replaced by seed 0 (the same order every epoch)": EDGE,
            "drops the last partial batch even without drop_last": EDGE,
            "drop_last ignored (the last partial batch is always kept)": PARAMETER,
            "drop_last drops a full last batch too": EDGE,
            "no checks (0 raises range's own error, a float batch size a TypeError)": LOOSER,
            "no check that x and t hold as many samples": LOOSER,
            "accepts whole floats such as 2.0 as the batch size": LOOSER,
            "a shared permutation kept between calls (epochs started together mix)": USE,
            "shuffles the caller's arrays in place": USE,
            "uses the global legacy generator np.random.seed": LOOSER,
            "ignores the seed": PARAMETER,
        },
        "train_val_test_split": {
            "rounds halves up (int(N * f + 0.5)) instead of Python's round": EDGE,
            "negative slicing takes everything when there is no test set": EDGE,
            "truncates the set sizes with int()": EDGE,
        },
        "sgd_epoch": {
            "classes counted from the labels (t.max() + 1), not from W": EDGE,
            "unstable loss: the log of the softmax (inf for scores in the thousands)": STABILITY,
            "the loss from the probabilities with chapter 04's cross_entropy (off for large scores)": STABILITY,
            "starts every call from zero weights (does not continue)": USE,
            "returns a numpy array, not a list of floats": USE,
            "divides by batch_size even for the smaller last batch": EDGE,
            "replaces the parameter arrays instead of updating them in place": USE,
        },
    },
    "07_optimizers": {
        "Momentum": {
            "the velocity is not kept from one update to the next": USE,
            "one velocity shared by all parameters": LAYOUT,
            "replaces the parameter arrays instead of updating them in place": USE,
        },
        "AdaGrad": {
            "no eps: 0 / 0 on a weight without gradient": EDGE,
        },
        "RMSProp": {
            "no eps: 0 / 0 on a weight without gradient": EDGE,
        },
        "Adam": {
            "counts t once per parameter instead of once per update": LAYOUT,
            "no eps: 0 / 0 on a weight without gradient": EDGE,
            "pairs gradients with parameters by position (zip of the two dicts)": EDGE,
            "state kept on the class, shared by every Adam optimizer": USE,
            "the paper's efficient form (its eps acts before the bias correction)": LOOSER,
            "ignores the eps it is given (a fixed 1e-8)": PARAMETER,
        },
        "StepDecay": {
            "decays one update too early": EDGE,
            "no argument checks": LOOSER,
            "refuses numpy integers (isinstance(every, int))": LAYOUT,
            "accepts True as every": EDGE,
            "accepts a factor of 0": EDGE,
            "an int factor of 1 for factor = 1 (1 ** k)": USE,
            "one message for both checks (names neither)": LOOSER,
        },
    },
    "08_backprop": {
        "relu": {
            "mask computed on the output after modification": USE,
            "forward overwrites its input x": USE,
            "backward overwrites dout": USE,
            "lets the gradient through at x = 0": EDGE,
        },
        "sigmoid": {
            "keeps x and uses exp(-x) / (1 + exp(-x))^2 (NaN for x in the thousands)": STABILITY,
            "keeps the first forward pass's output": USE,
        },
        "affine": {
            "keeps a copy of W from the first forward pass (misses the optimizer's steps)": USE,
            "forward returns its input's buffer: adds in place into a stored array": USE,
            "keeps the first batch's input (only the first forward counts)": USE,
            "dx uses W instead of W transposed (runs only for square W)": LAYOUT,
        },
        "softmax_with_loss": {
            "handles only one-hot labels": LAYOUT,
            "subtracts in place from self.y (a second backward is wrong)": USE,
        },
        "check_layer": {
            "ignores dout in the pretend loss (numerical gradient of sum(out))": PARAMETER,
            "backward called with ones instead of dout": PARAMETER,
            "compares the numerical gradient with itself": LOOSER,
            "forward differences of its own (truncation error too large)": LOOSER,
        },
        "LayerNetwork": {
            "the layers hold copies of the weights": USE,
            "forgets the forward pass in gradient (uses the last loss call's cache)": USE,
            "fills one dict in place, so the previous call's gradients change": USE,
        },
    },
    "09_mnist": {
        "network_loss": {
            "unstable: exp of the raw scores": STABILITY,
            "log of a shifted softmax plus 1e-7 (wrong for very large scores)": STABILITY,
            "one-hot rows used as indices (only class indices work)": LAYOUT,
            "one-hot rows read along the wrong axis": LAYOUT,
            "no check of the labels (-1 is read as the last class)": LOOSER,
            "only labels above the classes are caught (K is, -1 and -K are not)": LOOSER,
            "no check that t has one label per sample": LOOSER,
        },
        "DigitNetwork": {
            "copies the weights for the methods (in-place changes unseen)": USE,
            "ignores the seed": PARAMETER,
            "float32 parameters": LAYOUT,
            "predict returns the classes as floats": USE,
            "loss returns a one-element array": USE,
            "gradient also takes an SGD step (backprop that updates the weights)": USE,
        },
        "train_network": {
            "a new generator every epoch (the same order every epoch)": USE,
            "the velocity kept from one call to the next (a module-level dict)": USE,
            "drops the last, smaller batch": EDGE,
            "replaces the parameter arrays instead of changing them in place": USE,
            "ignores momentum (plain SGD)": PARAMETER,
            "a fixed momentum of 0.9, whatever is passed": PARAMETER,
            "seed=None treated as seed 0": EDGE,
        },
    },
    "11_initialization": {
        "init_rules": {
            "he returns a one-element array": USE,
        },
        "diagnose_initialization": {
            "only all-zero layers count as symmetric": EDGE,
            "no symmetry check (a zero layer is 'too small')": EDGE,
        },
        "batchnorm_forward": {
            "no eps (a constant feature divides by 0)": EDGE,
            "eps added outside the square root": LOOSER,
            "the variance as E[x^2] - E[x]^2": STABILITY,
        },
        "running_stats": {
            "updated in place": USE,
            "inference without eps": LOOSER,
        },
    },
    "12_regularization": {
        "dropout": {
            "one mask for the whole batch (the same columns dropped in every row)": LAYOUT,
            "the same mask on every call": USE,
            "backward draws a new mask": USE,
            "changes x in place": USE,
            "backward after a test-time pass uses the last training mask": USE,
        },
        "early_stopping": {
            "an equal loss counts as an improvement": EDGE,
            "the last epoch instead of None when training goes on": EDGE,
        },
        "warmup_cosine": {
            "rises again after total_steps": EDGE,
        },
        "train_regularized": {
            "too little: L2 with weight_decay 1e-3 only": LOOSER,
            "too little: dropout 0.5 only": LOOSER,
            "returns a network trained earlier in the notebook": USE,
            "trains on the notebook's images instead of its arguments": PARAMETER,
        },
    },
    "13_autograd": {
        "local_derivatives": {
            "relu lets the gradient through at x = 0": EDGE,
            "exp returns a bare number instead of a tuple of one": USE,
        },
        "topological_order": {
            "no visited set: a node used twice appears twice": EDGE,
            "no visited set, duplicates skipped on append (once per path: far too slow)": LOOSER,
            "nodes told apart by their data (equal numbers count as one node)": EDGE,
            "the visited set and the list are default arguments (kept between calls)": USE,
            "marks visited nodes with an attribute of their own": USE,
        },
        "backpropagate": {
            "= instead of += (a node keeps the share of its last use)": EDGE,
            "stores the gradients in node.grad as well": USE,
        },
        "matmul_backward": {
            "db = dout.T @ a (transposed)": LAYOUT,
            "results cast to float64": LAYOUT,
        },
        "sum_to_shape": {
            "always sums over axis 0": LAYOUT,
            "sums the leading axes only (stretched axes of size 1 ignored)": LAYOUT,
        },
    },
}


def kind_of(chapter: str, answer_id: str, description: str) -> str:
    """The kind of the wrong answer `description` of `answer_id` in `chapter`."""
    return GAPS.get(chapter, {}).get(answer_id, {}).get(description, RESULT)
