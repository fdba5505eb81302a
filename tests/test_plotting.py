"""course_lib.plotting: what each plot draws, checked through the data of its artists.

Figures are made with matplotlib.figure.Figure (the Agg canvas), as the widgets do; only the
ax=None tests go through pyplot, and they close what they open.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_lib import plotting  # noqa: E402
from course_lib.data import make_moons, read_idx  # noqa: E402
from course_lib.landscapes import get_landscape  # noqa: E402
from course_lib.network import TwoLayerNet  # noqa: E402
from course_lib.training import confusion_matrix, fit  # noqa: E402


def new_ax(**kwargs):
    return Figure().add_subplot(**kwargs)


@pytest.fixture(autouse=True)
def no_pyplot_leaks():
    """Plots drawn into a given Axes must not open pyplot figures (the widgets rely on it)."""
    before = set(plt.get_fignums())
    yield
    opened = set(plt.get_fignums()) - before
    for number in opened:
        plt.close(number)
    assert not opened, "a plot drawn into a given Axes opened a pyplot figure"


# --- landscapes ---------------------------------------------------------------------------------

def test_grid_points_rows_run_along_y():
    xs, ys, points = plotting.grid_points(((0.0, 1.0), (10.0, 12.0)), 5)
    assert points.shape == (5, 5, 2)
    np.testing.assert_allclose(points[2, 3], [xs[3], ys[2]])
    np.testing.assert_allclose(xs, np.linspace(0, 1, 5))
    np.testing.assert_allclose(ys, np.linspace(10, 12, 5))


def test_contour_levels_follow_the_quantiles():
    # Rosenbrock's values are mostly small with a long tail: evenly spaced levels would put
    # nearly all lines on the walls; quantile levels put half of them below the median.
    land = get_landscape("rosenbrock")
    _, _, points = plotting.grid_points(land.bounds, 100)
    z = land.f(points)
    levels = plotting.contour_levels(z, 21)
    assert np.all(np.diff(levels) > 0)
    assert levels[0] == pytest.approx(z.min()) and levels[-1] == pytest.approx(z.max())
    assert np.sum(levels <= np.median(z)) == 11
    evenly = np.linspace(z.min(), z.max(), 21)
    assert np.sum(evenly <= np.median(z)) <= 2


def test_plot_landscape_2d_draws_contours_minima_and_named_paths():
    land = get_landscape("rosenbrock")
    path = np.array([[-1.2, 1.0], [-0.5, 0.4], [0.3, 0.1]])
    ax = plotting.plot_landscape(land, new_ax(), paths={"sgd": path, "adam": path[:2]})
    assert ax.get_xlim() == land.bounds[0] and ax.get_ylim() == land.bounds[1]
    assert len(ax.collections) >= 2  # filled bands and their lines
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_allclose(lines["sgd"].get_xydata(), path)
    np.testing.assert_allclose(lines["adam"].get_xydata(), path[:2])
    assert lines["sgd"].get_color() != lines["adam"].get_color()
    stars = [line for line in ax.get_lines() if line.get_marker() == "*"]
    np.testing.assert_allclose(stars[0].get_xydata(), [[1.0, 1.0]])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sgd", "adam"]


def test_plot_landscape_1d_puts_paths_on_the_curve():
    land = get_landscape("double_well")
    ax = plotting.plot_landscape("double_well", new_ax(), paths={"run": [[-2.0], [0.5]]})
    curve = ax.get_lines()[0]
    x, y = curve.get_data()
    np.testing.assert_allclose(y, land.f(x[:, None]))
    run = next(line for line in ax.get_lines() if line.get_label() == "run")
    np.testing.assert_allclose(run.get_xydata(), [[-2.0, land.f([-2.0])], [0.5, land.f([0.5])]])


def test_path_outside_the_bounds_does_not_move_the_limits():
    ax = plotting.plot_landscape("bowl", new_ax())
    line = plotting.plot_path(ax, "bowl", [[0.0, 0.0]])
    plotting.update_path(line, "bowl", np.array([[0.0, 0.0], [50.0, -80.0]]))
    assert ax.get_xlim() == (-3.0, 3.0) and ax.get_ylim() == (-3.0, 3.0)
    np.testing.assert_allclose(line.get_xydata()[-1], [50.0, -80.0])


def test_path_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError,
                       match=r"path: expected points of shape \(T, 2\).*'bowl'.*\(4, 3\)"):
        plotting.path_xy("bowl", np.zeros((4, 3)))
    with pytest.raises(ValueError, match="unknown name 'nope'"):
        plotting.plot_landscape("nope", new_ax())


def test_plot_surface_3d_draws_the_surface_and_paths_at_their_height():
    land = get_landscape("bowl")
    ax = plotting.plot_surface_3d(land, new_ax(projection="3d"),
                                  paths={"p": [[1.0, 2.0], [0.5, 0.5]]}, resolution=20)
    assert ax.name == "3d"
    x, y, z = ax.get_lines()[0].get_data_3d()
    np.testing.assert_allclose(z, [5.0, 0.5])
    with pytest.raises(ValueError, match="landscape: expected a 2-D landscape.*'parabola'"):
        plotting.plot_surface_3d("parabola", new_ax(projection="3d"))
    with pytest.raises(ValueError, match="ax: expected a 3-D Axes"):
        plotting.plot_surface_3d(land, new_ax())


# --- curves -------------------------------------------------------------------------------------

def test_plot_curves_skips_what_a_log_axis_cannot_show():
    ax = plotting.plot_curves({"a": [4.0, 2.0, 0.0, np.nan, 0.5, np.inf]}, new_ax(), log=True)
    x, y = ax.get_lines()[0].get_data()
    np.testing.assert_allclose(x, [0, 1, 4])
    np.testing.assert_allclose(y, [4.0, 2.0, 0.5])
    assert ax.get_yscale() == "log"


def test_update_curves_moves_lines_by_label_and_rescales():
    ax = plotting.plot_curves({"a": [1.0], "b": [2.0]}, new_ax(), start=1)
    plotting.update_curves(ax, {"a": [1.0, 3.0, 9.0]}, start=1)
    a, b = ax.get_lines()
    np.testing.assert_allclose(a.get_xydata(), [[1, 1.0], [2, 3.0], [3, 9.0]])
    np.testing.assert_allclose(b.get_xydata(), [[1, 2.0]])
    assert ax.get_ylim()[1] >= 9.0 and ax.get_xlim()[1] >= 3


def test_grow_only_limits_round_out_and_never_shrink():
    ax = plotting.plot_curves({"gap": [3.0]}, new_ax(), log=True)
    plotting.update_curves(ax, {"gap": [3.0, 0.02, 500.0]}, grow_only=True)
    assert ax.get_ylim() == pytest.approx((0.01, 1000.0))
    assert ax.get_xlim() == (0.0, 8.0)
    plotting.update_curves(ax, {"gap": np.full(10, 0.5)}, grow_only=True)
    assert ax.get_xlim() == (0.0, 16.0)
    assert ax.get_ylim() == pytest.approx((0.01, 1000.0))  # data inside: limits unchanged


def test_learning_curves_of_a_real_training_run():
    x, t = make_moons(n_samples=120, seed=1)
    net = TwoLayerNet(2, 8, 2, seed=0)
    history = fit(net, "adam", x, t, epochs=3, batch_size=40, x_val=x[:40], t_val=t[:40],
                  progress=False)
    loss_ax, accuracy_ax = plotting.plot_learning_curves(history, [new_ax(), new_ax()])
    loss_lines = {line.get_label(): line for line in loss_ax.get_lines()}
    assert set(loss_lines) == {"batch loss", "training loss", "validation loss"}
    np.testing.assert_allclose(loss_lines["training loss"].get_xydata(),
                               np.column_stack([[1, 2, 3], history.loss]))
    # 3 batches per epoch: the batches end at epochs 1/3, 2/3, 1, ...
    np.testing.assert_allclose(loss_lines["batch loss"].get_xdata(), np.arange(1, 10) / 3)
    legend = {text.get_text(): handle for text, handle in
              zip(loss_ax.get_legend().get_texts(), loss_ax.get_legend().legend_handles,
                   strict=True)}
    assert legend["batch loss"].get_color() == "gray"
    accuracy_lines = {line.get_label(): line for line in accuracy_ax.get_lines()}
    np.testing.assert_allclose(accuracy_lines["validation accuracy"].get_ydata(),
                               history.val_accuracy)


def test_update_learning_curves_follows_a_growing_history():
    history = {"loss": [1.0], "accuracy": [0.5]}
    axes = plotting.plot_learning_curves(history, [new_ax(), new_ax()], start=0)
    history = {"loss": [1.0, 0.5, 0.25], "accuracy": [0.5, 0.7, 0.9]}
    plotting.update_learning_curves(axes, history, start=0)
    np.testing.assert_allclose(axes[0].get_lines()[0].get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_allclose(axes[1].get_lines()[0].get_xdata(), [0, 1, 2])


def test_learning_curves_without_a_loss_are_refused():
    with pytest.raises(ValueError, match="history: expected a non-empty 'loss' list"):
        plotting.plot_learning_curves({"loss": []}, new_ax())


def test_default_axes_come_from_pyplot_for_notebooks():
    axes = plotting.plot_learning_curves({"loss": [1.0, 0.5], "accuracy": [0.2, 0.4]})
    assert len(axes) == 2 and axes[0].figure.number in plt.get_fignums()
    plt.close(axes[0].figure)


# --- classifiers --------------------------------------------------------------------------------

def sign_classifier(points):
    """Scores (M, 2) that favour class 1 left of x = 0, more surely the further away."""
    return np.column_stack([points[:, 0], -points[:, 0]]) * 3


def test_decision_boundary_colours_each_side_by_its_class():
    x = np.array([[-1.0, -1.0], [1.0, 1.0], [-0.5, 0.8], [0.6, -0.2]])
    t = np.array([1, 0, 1, 0])
    ax = plotting.plot_decision_boundary(sign_classifier, x, t, new_ax(), resolution=41)
    image = ax.images[0].get_array()
    assert image.shape == (41, 41, 4)
    blue, red = np.array(to_rgb(plotting.PALETTE[0])), np.array(to_rgb(plotting.PALETTE[1]))
    np.testing.assert_allclose(image[20, 0, :3], red)     # far left: class 1
    np.testing.assert_allclose(image[20, -1, :3], blue)   # far right: class 0
    assert image[20, 0, 3] > image[20, 19, 3]             # surer far from the boundary
    colours = ax.collections[0].get_facecolors()[:, :3]
    np.testing.assert_allclose(colours[[0, 1]], [red, blue])
    assert ax.get_xlim()[0] < -1.0 and ax.get_xlim()[1] > 1.0


def test_update_decision_boundary_recolours_after_the_model_changed():
    x, t = np.array([[-1.0, 0.0], [1.0, 0.0]]), np.array([1, 0])
    ax = plotting.plot_decision_boundary(sign_classifier, x, t, new_ax(), resolution=21)
    before = ax.images[0].get_array().copy()
    plotting.update_decision_boundary(ax, lambda p: -sign_classifier(p))
    after = ax.images[0].get_array()
    np.testing.assert_allclose(after[10, 0, :3], before[10, -1, :3])
    assert not np.allclose(after, before)


def test_decision_boundary_accepts_class_indices_and_rejects_bad_shapes():
    x, t = np.array([[-1.0, 0.0], [1.0, 0.0]]), np.array([[0, 1], [1, 0]])  # one-hot labels
    ax = plotting.plot_decision_boundary(lambda p: (p[:, 0] < 0).astype(int), x, t, new_ax(),
                                         resolution=11)
    assert ax.images[0].get_array()[5, 0, 3] == pytest.approx(0.55)
    with pytest.raises(ValueError, match=r"predict: expected scores of shape \(121, K >= 2\)"):
        plotting.plot_decision_boundary(lambda p: np.zeros((len(p), 1)), x, t, new_ax(),
                                        resolution=11)
    with pytest.raises(ValueError, match=r"x: expected 2-D points of shape \(N, 2\)"):
        plotting.plot_decision_boundary(sign_classifier, np.zeros((2, 3)), [0, 1], new_ax())


def test_confusion_matrix_cells_show_counts_or_row_fractions():
    t_true = np.array([0, 0, 0, 1, 1, 2])
    t_pred = np.array([0, 0, 1, 1, 1, 0])
    cm = confusion_matrix(t_true, t_pred, 3)
    ax = plotting.plot_confusion_matrix(cm, new_ax(), class_names=["a", "b", "c"])
    texts = [text.get_text() for text in ax.texts]
    assert texts == ["2", "1", "0", "0", "2", "0", "1", "0", "0"]
    assert [label.get_text() for label in ax.get_xticklabels()] == ["a", "b", "c"]
    ax = plotting.plot_confusion_matrix(cm, new_ax(), normalize=True)
    np.testing.assert_allclose(ax.images[0].get_array().sum(axis=1), [1.0, 1.0, 1.0])
    assert ax.texts[0].get_text() == "0.67"


def test_confusion_matrix_bad_input():
    with pytest.raises(ValueError, match=r"cm: expected a square matrix.*\(2, 3\)"):
        plotting.plot_confusion_matrix(np.ones((2, 3)), new_ax())
    with pytest.raises(ValueError, match="class_names: expected 2 names.*got 3"):
        plotting.plot_confusion_matrix(np.ones((2, 2)), new_ax(), class_names="abc")


def test_show_digits_marks_the_mistakes_on_real_mnist(shared_mnist):
    images = read_idx(shared_mnist / "t10k-images-idx3-ubyte.gz")[:12] / 255.0
    labels = read_idx(shared_mnist / "t10k-labels-idx1-ubyte.gz")[:12].astype(np.int64)
    predictions = labels.copy()
    predictions[[2, 7]] = (labels[[2, 7]] + 1) % 10
    figure = plotting.show_digits(images.reshape(12, 784), labels, predictions, n_cols=6,
                                  figure=Figure())
    assert len(figure.axes) == 12
    titles = [ax.get_title() for ax in figure.axes]
    assert titles[2] == f"pred {predictions[2]} (true {labels[2]})"
    assert titles[0] == str(labels[0])
    assert figure.axes[7].title.get_color() == "#d62728"
    assert figure.axes[0].title.get_color() == "black"
    np.testing.assert_allclose(figure.axes[5].images[0].get_array(), images[5])


def test_show_digits_limits_and_checks_its_input():
    images = np.random.default_rng(0).random((30, 1, 8, 8))
    figure = plotting.show_digits(images, predictions=np.arange(30) % 10, max_images=7,
                                  figure=Figure())
    assert len(figure.axes) == 7 and figure.axes[3].get_title() == "pred 3"
    with pytest.raises(ValueError, match=r"images: expected square images.*\(2, 10\)"):
        plotting.show_digits(np.zeros((2, 10)), figure=Figure())
    with pytest.raises(ValueError, match="labels: expected 30 labels"):
        plotting.show_digits(images, labels=[1, 2], figure=Figure())
