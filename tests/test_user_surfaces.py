"""The user surfaces as landscapes: ``custom`` (a typed formula) and ``data`` (an uploaded
table with a model), and the CSV/paste reader with a message for every bad file."""

import numpy as np
import pytest

from landscapes import from_data, get_landscape
from landscapes.custom import EXAMPLES
from landscapes.presets import preset_for
from landscapes.userdata import (
    MAX_ROWS,
    MODELS,
    decode_rows,
    encode_rows,
    parse_table,
)
from optimizers import minibatches, run

# ----- custom -------------------------------------------------------------------------------

# (example, known global minimum point, its loss)
KNOWN = {
    "Booth": ((1.0, 3.0), 0.0),
    "Matyas": ((0.0, 0.0), 0.0),
    "Three-hump camel": ((0.0, 0.0), 0.0),
    "Six-hump camel": ((0.0898, -0.7126), -1.031628453),
    "Styblinski-Tang": ((-2.903534, -2.903534), -78.33233141),
    "Goldstein-Price (scaled)": ((0.0, -1.0), (np.log(3.0) - 8.693) / 2.427),
    "Rosenbrock": ((1.0, 1.0), 0.0),
}


@pytest.mark.parametrize("title", EXAMPLES)
def test_examples_find_their_known_global_minimum(title):
    ex = EXAMPLES[title]
    ls = get_landscape("custom", expr=ex.expr, xlim=ex.xlim, ylim=ex.ylim)
    point, loss = KNOWN[title]
    best = ls.global_minimum
    assert best.loss == pytest.approx(loss, abs=1e-8)
    # Six-hump camel has two global minima of equal loss: either one.
    assert (
        min(np.abs(c.point - np.array(point)).max() for c in ls.minima if abs(c.loss - loss) < 1e-8)
        < 1e-4
    )
    assert ls.bounds == (ex.xlim, ex.ylim)


@pytest.mark.parametrize("title", EXAMPLES)
def test_auto_alpha_and_start_give_a_descending_first_view(title):
    ex = EXAMPLES[title]
    ls = get_landscape("custom", expr=ex.expr, xlim=ex.xlim, ylim=ex.ylim)
    preset = preset_for(ls)
    assert ls.in_bounds(np.array(ls.default_start))
    traj = run(ls, "gd", ls.default_start, preset.steps, 10**preset.lg_lr)
    assert int(traj.diverged) == -1
    assert traj.losses[-1] < traj.losses[0]
    adam = run(ls, "adam", ls.default_start, preset.steps, 10**preset.lg_lr_adaptive)
    assert int(adam.diverged) == -1 and adam.losses[-1] < adam.losses[0]


def test_custom_is_a_finite_sum_with_zero_mean_linear_noise():
    ls = get_landscape("custom", expr="x**2 + 3*y**2", xlim=(-2, 2), ylim=(-2, 2), noise=2.0)
    assert ls.n_examples == 32 and ls.noise == 2.0
    p = np.array([0.7, -1.1])
    np.testing.assert_allclose(ls.example_losses(p).sum(), 0.7**2 + 3 * 1.1**2, rtol=1e-12)
    np.testing.assert_allclose(ls.example_grads(p).sum(axis=0), [1.4, -6.6], rtol=1e-12)
    # One example's gradient is the full gradient / N plus (sigma / N) a_i.
    g = ls.example_grads(p)
    np.testing.assert_allclose(g[3], [1.4 / 32, -6.6 / 32] + 2.0 / 32 * ls.directions[3])
    np.testing.assert_array_equal(ls.hessian(p), [[2.0, 0.0], [0.0, 6.0]])


def test_custom_default_noise_is_a_tenth_of_the_median_gradient_to_one_figure():
    ls = get_landscape("custom", expr="x**2 + y**2", xlim=(-1, 1), ylim=(-1, 1))
    xs = np.linspace(-1, 1, 41)
    gx, gy = np.meshgrid(xs, xs)
    median = np.median(2 * np.hypot(gx, gy))
    assert ls.noise == float(f"{0.1 * median:.0e}")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (dict(expr="x + import"), "syntax error"),
        (dict(expr="x + y"), "no minimum inside the range"),
        (dict(expr="log(x - 100)"), "no finite value"),
        (dict(expr="x**2", xlim=(1, -1)), "from low to high"),
        (dict(expr="x**2", xlim=(0, float("nan"))), "finite"),
        (dict(expr="x**2", ylim=(-1e9, 0)), "within"),
        (dict(expr="x**2", ylim="ab"), "two numbers"),
    ],
)
def test_bad_custom_parameters_say_what_is_wrong(params, message):
    with pytest.raises(ValueError, match=message):
        get_landscape("custom", **params)


def test_custom_formula_is_shown_as_latex():
    ls = get_landscape("custom", expr="(1 - x)**2 + 100*(y - x**2)**2", xlim=(-2, 2), ylim=(-1, 3))
    # Broken after each term of the top-level sum that fills a line, aligned at the "=".
    assert ls.formula == (
        r"\begin{aligned}L(\phi) = &\ {\left(1 - \phi_0\right)}^{2} \\ "
        r"& + 100\,{\left(\phi_1 - {\phi_0}^{2}\right)}^{2}\end{aligned}"
    )
    short = get_landscape("custom", expr="x**2 - 2*y + y**4", xlim=(-2, 2), ylim=(-2, 2))
    assert short.formula == r"L(\phi) = {\phi_0}^{2} - 2\,\phi_1 + {\phi_1}^{4}"


# ----- data ---------------------------------------------------------------------------------


def _line_data(n=40, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 5, n)
    return x, 0.7 - 1.3 * x + rng.normal(0, 0.2, n)


def test_line_minimum_is_the_least_squares_fit():
    x, y = _line_data()
    ls = from_data(x, y, "line")
    want, *_ = np.linalg.lstsq(np.column_stack([np.ones_like(x), x]), y, rcond=None)
    assert len(ls.minima) == 1 and ls.convex
    np.testing.assert_allclose(ls.global_minimum.point, want, atol=1e-9)
    assert ls.global_minimum.loss == pytest.approx(np.sum((want[0] + want[1] * x - y) ** 2))


def test_minibatch_gradients_are_sums_over_the_users_rows():
    x, y = _line_data(n=10)
    ls = from_data(x, y, "line")
    phi = np.array([0.3, -0.4])
    batch = minibatches(10, 3, 1, seed=5)[0]
    residual = phi[0] + phi[1] * x[batch] - y[batch]
    by_hand = 10 / 3 * np.array([np.sum(2 * residual), np.sum(2 * residual * x[batch])])
    np.testing.assert_allclose(ls.minibatch_grad(phi, batch), by_hand, rtol=1e-12)


def test_gabor_model_recovers_the_parameters_that_made_the_data():
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(-15, 15, 60))
    true = (-1.0, 15.0)
    u = true[0] + 0.06 * true[1] * x
    y = np.sin(u) * np.exp(-u * u / 32) + rng.normal(0, 0.02, 60)
    ls = from_data(x, y, "gabor")
    np.testing.assert_allclose(ls.global_minimum.point, true, atol=0.05)
    assert len(ls.minima) > 1  # the notes' point: local minima of higher loss


@pytest.mark.parametrize("model", ["logistic", "exponential"])
def test_other_models_recover_their_parameters(model):
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 10, 80)
    true = (-2.0, 5.0) if model == "logistic" else (1.0, -3.0)
    u = true[0] + 0.1 * true[1] * x  # x reaches 10: the scale is 0.1
    f = 1 / (1 + np.exp(-u)) if model == "logistic" else np.exp(u)
    ls = from_data(x, f + rng.normal(0, 0.01, 80), model)
    assert ls.scale == 0.1
    np.testing.assert_allclose(ls.global_minimum.point, true, atol=0.1)


def test_every_model_has_an_exact_gradient_and_hessian():
    x, y = _line_data()
    for model in MODELS:
        ls = from_data(x, np.abs(y) / 10, model)
        pts = np.random.default_rng(0).uniform(-1, 1, (20, 2))
        h = 1e-6
        fd = np.stack(
            [
                (ls.loss(pts + [h, 0]) - ls.loss(pts - [h, 0])) / (2 * h),
                (ls.loss(pts + [0, h]) - ls.loss(pts - [0, h])) / (2 * h),
            ],
            -1,
        )
        np.testing.assert_allclose(ls.grad(pts), fd, rtol=1e-5, atol=1e-5)
        # The exact Hessian against central differences of the exact gradient.
        hd = np.stack(
            [
                (ls.grad(pts + [h, 0]) - ls.grad(pts - [h, 0])) / (2 * h),
                (ls.grad(pts + [0, h]) - ls.grad(pts - [0, h])) / (2 * h),
            ],
            -1,
        )
        np.testing.assert_allclose(ls.hessian(pts), hd, rtol=1e-5, atol=1e-5)


def test_separable_data_for_the_logistic_curve_say_to_choose_another_model():
    x = np.arange(10.0)
    with pytest.raises(ValueError, match="choose another model"):
        from_data(x, (x > 4.5).astype(float), "logistic")


def test_ten_thousand_rows_are_evaluated_in_chunks_with_the_same_values(monkeypatch):
    from landscapes import userdata

    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, userdata.MAX_ROWS)
    ls = from_data(x, 0.5 + 0.8 * x + rng.normal(0, 0.1, x.size), "line")
    xs, ys, grid = ls.grid(121)  # 146 million terms if evaluated at once
    assert grid.shape == (121, 121) and np.isfinite(grid).all()
    pts = np.stack(np.meshgrid(xs[::30], ys[::40]), -1)
    # One point at a time (no chunking at all) gives the same numbers, bit for bit.
    one_by_one = np.array([[ls.loss(p) for p in row] for row in pts])
    np.testing.assert_array_equal(grid[::40, ::30], one_by_one)
    grads = ls.grad(pts)
    np.testing.assert_array_equal(grads[1, 2], ls.grad(pts[1, 2]))
    np.testing.assert_allclose(ls.global_minimum.point, [0.5, 0.8], atol=0.01)


def test_registry_entry_round_trips_the_rows():
    x, y = _line_data(n=7)
    rows = encode_rows(x, y)
    table = decode_rows(rows)
    np.testing.assert_array_equal(table.x, x)  # repr of a float round-trips exactly
    np.testing.assert_array_equal(table.y, y)
    ls = get_landscape("data", model="line", rows=rows)
    np.testing.assert_array_equal(ls.data_x, x)


# ----- reading files: one test per bad file -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "x,y\n1,2\n3,4\n5,6\n",
        "1,2\n3,4\n5,6",
        "1;2\n3;4\n5;6",
        "1\t2\n3\t4\n5\t6",
        "1 2\n3   4\n 5 6 \n",
        "# measured on Monday\ntime,height\n\n1,2\n3,4\n5,6\n",
        '"x","y"\n"1","2"\n3,4\n5,6',
        b"\xef\xbb\xbfx,y\r\n1,2\r\n3,4\r\n5,6\r\n",  # UTF-8 with a BOM, Windows line ends
    ],
)
def test_good_tables_with_or_without_header(text):
    table = parse_table(text)
    np.testing.assert_array_equal(table.x, [1, 3, 5])
    np.testing.assert_array_equal(table.y, [2, 4, 6])


def test_header_names_are_kept():
    assert parse_table("time,height\n1,2\n3,4\n5,6").names == ("time", "height")
    assert parse_table("1,2\n3,4\n5,6").names == ("x", "y")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("x,y\n1,2\n3,four\n5,6", r"line 3, column y: 'four': it is not a number"),
        ("x,y\n1,2\nNaN,4\n5,6", r"line 3, column x: 'NaN': NaN and infinite values"),
        ("x,y\n1,2\n3,inf\n5,6", "NaN and infinite values"),
        ("x,y\n1,2\n3,-Infinity\n5,6", "NaN and infinite values"),
        ("x,y\n1,2\n3,1e400\n5,6", "too large a number"),
        ("x,y\n1,2\n3,\n5,6", "the cell is empty"),
        ("x,y\n1,2\n3,4", "2 rows; at least 3"),
        ("1,2", "1 row; at least 3"),
        ("", "no data found"),
        ("x,y,z\n1,2,3\n4,5,6\n7,8,9", "line 1 has 3 columns; every row needs exactly 2"),
        ("1,2\n3,4,5\n6,7", "line 2 has 3 columns"),
        ("1\n2\n3", "line 1 has 1 column; every row needs exactly 2"),
        ("x,y\na,b\n1,2\n3,4", r"line 2, column x: 'a'"),  # two header rows
        ("x,2\n1,2\n3,4\n5,6", r"line 1, column x: 'x'"),  # half a header
        ("1,0x1F\n2,3\n4,5", "not a number"),
        ("1,1_000\n2,3\n4,5", "not a number"),
        (b"x,y\n1,2\n\xe9,4\n5,6", r"not UTF-8 text \(byte 0xe9 at position 8\)"),
        (b"\xff\xfex\x00,\x00y\x00", "not UTF-8"),  # UTF-16
        ("1,2\x00\n3,4\n5,6", "NUL bytes"),
        ("x,y\n" + "1,2\n" * (MAX_ROWS + 1), "more than 10,000 rows"),
        ("1,2\n" * (MAX_ROWS + 1), "10,001 rows; at most 10,000"),
        (b"1,2\n" * 300_000, r"1,200,000 bytes; at most 1,000,000 \(1 MB\)"),
    ],
)
def test_every_bad_file_gets_a_message_saying_what_to_fix(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_table(raw)


def test_exactly_the_row_limit_is_accepted():
    table = parse_table("".join(f"{i},{i % 7}\n" for i in range(MAX_ROWS)))
    assert table.x.size == MAX_ROWS


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        ([1, 2], [1, 2], "3 to 10,000 rows"),
        ([1, 2, 3], [1, 2], "same length"),
        ([1, 2, np.nan], [1, 2, 3], "NaN or infinite"),
    ],
)
def test_from_data_checks_its_arrays(x, y, message):
    with pytest.raises(ValueError, match=message):
        from_data(x, y)


def test_from_data_rejects_an_unknown_model():
    with pytest.raises(ValueError, match="choose one of line, gabor, logistic, exponential"):
        from_data([1, 2, 3], [1, 2, 3], model="cubic")


def test_a_run_that_steps_into_a_gap_is_flagged_as_diverged():
    ls = get_landscape("custom", expr="x - log(x) + y**2", xlim=(0.05, 3), ylim=(-1, 1))
    assert np.isnan(ls.loss(np.array([-0.5, 0.5])))  # log of a negative: a gap, no warning
    # From (2.5, 0.5) with alpha 5: x -> 2.5 - 5 (1 - 1/2.5) = -0.5, into the gap at step 1.
    traj = run(ls, "gd", (2.5, 0.5), 20, 5.0)
    assert int(traj.diverged) == 1
    assert np.isfinite(traj.points).all()
    slow = run(ls, "gd", (2.5, 0.5), 200, 0.1)
    assert int(slow.diverged) == -1
    np.testing.assert_allclose(slow.points[-1], [1.0, 0.0], atol=1e-6)
