"""course_lib: the reference library of the deep-learning foundations course.

One module per idea, numpy only:

- `gradient`     numerical derivatives and gradients, relative error, gradient checks
- `activations`  step, sigmoid, tanh, ReLU, softmax and their derivatives
- `losses`       mean squared error, cross-entropy, softmax with cross-entropy
- `optimizers`   SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam, learning-rate decay, Newton's method
- `layers`       computational-graph layers with forward and backward passes
- `network`      the two-layer network
- `landscapes`   1-D and 2-D test functions with analytic gradients
- `data`         MNIST, toy 2-D sets, regression data, splits and mini-batches
- `training`     the training loop
- `plotting`     the course's plots
- `widgets`      the interactive tools
- `checks`       what the graded notebooks' test cells call
"""
__version__ = "0.1.0"
