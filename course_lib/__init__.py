"""course_lib: the reference library of the deep-learning foundations course.

The teaching library, one module per idea, numpy only (what the notebooks import):

- `gradient`        numerical derivatives and gradients, relative error, gradient checks
- `activations`     step, sigmoid, tanh, ReLU, softmax and their derivatives
- `losses`          mean squared error, cross-entropy, softmax with cross-entropy
- `optimizers`      SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW, learning-rate schedules
- `layers`          computational-graph layers with forward and backward passes
- `network`         the two-layer network; `deep_network` the deeper one of chapter 11
- `initialization`  weight initializations; `normalization` batch normalization
- `regularization`  weight decay, early stopping, augmentation
- `autograd`        a scalar automatic-differentiation engine (chapter 13)
- `landscapes`      1-D and 2-D test functions with analytic gradients
- `data`            MNIST, toy 2-D sets, regression data, splits and mini-batches
- `training`        the training loop
- `plotting`        the course's plots; `widgets`, `init_explorer` the interactive tools
- `checks`          what the graded notebooks' test cells call; `failure_display` how they fail
- `language`        the language the checks speak (English, or Korean in a `_ko` edition)
- `glossary`        the English-Korean terms every notebook's table is generated from
- `validation`      the argument checks the public functions make once, at the top

`course_lib.grading` is the other house: the grading system instructors run (nbgrader plugins,
sandbox, trusted judge, commands, reports). No teaching module imports it.
"""
__version__ = "0.1.0"
