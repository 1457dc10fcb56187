"""Tests for tinyflow.playground: the original's training rule, every control's effect, data, export, widget."""
import asyncio
import json
import math

import numpy as np
import pytest

from tinyflow.datasets.features import FEATURES
from tinyflow.playground import Playground, render
from tinyflow.playground.frame import DENSITY

# --- src/nn.ts transcribed per example (forwardProp, backProp, updateWeights), for the training rule. ---
ACT = {"tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2), "relu": (lambda z: np.maximum(z, 0), lambda z: 1.0 * (z > 0)),
       "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
       "linear": (lambda z: z, lambda z: np.ones_like(z))}
REG_DER = {"none": lambda w: 0 * w, "L1": lambda w: np.where(w < 0, -1.0, 1.0), "L2": lambda w: w}


def _reference_epochs(weights, x, y, acts, batch, lr, reg, rr, epochs):
    ws, bs = [w.copy() for w in weights[::2]], [b.copy() for b in weights[1::2]]
    acc_w, acc_b, count = [0 * w for w in ws], [0 * b for b in bs], 0  # accumulators survive epochs
    for _ in range(epochs):
        for i in range(len(x)):  # oneStep: trainData.forEach
            outs, totals = [x[i]], []
            for w, b, a in zip(ws, bs, acts):
                totals.append(outs[-1] @ w + b)
                outs.append(ACT[a][0](totals[-1]))
            der = outs[-1] - y[i]  # Errors.SQUARE.der
            for k in reversed(range(len(ws))):
                input_der = der * ACT[acts[k]][1](totals[k])
                acc_b[k] += input_der
                acc_w[k] += np.outer(outs[k], input_der)
                der = ws[k] @ input_der
            count += 1
            if (i + 1) % batch == 0:  # updateWeights
                for k in range(len(ws)):
                    bs[k] -= lr * acc_b[k] / count
                    ws[k] -= lr / count * (acc_w[k] + rr * REG_DER[reg](ws[k]))
                acc_w, acc_b, count = [0 * w for w in ws], [0 * b for b in bs], 0
    return [v for pair in zip(ws, bs) for v in pair]


@pytest.mark.parametrize("settings", [
    dict(activation="tanh", batch_size=10),
    dict(activation="relu", batch_size=30, regularization="L1", regularization_rate=0.03),  # 250 % 30 carries over
    dict(activation="sigmoid", batch_size=7, regularization="L2", regularization_rate=0.3),
    dict(activation="linear", batch_size=1, dataset="reg-plane", learning_rate=0.01),
])
def test_training_matches_the_originals_per_example_rule(settings):
    pg = Playground(**{"dataset": "xor", "hidden": [3, 2], "features": ["x1", "x2", "x1*x2"], "seed": 3,
                       **settings})
    x = np.stack([pg.split.x_train[:, 0], pg.split.x_train[:, 1], pg.split.x_train.prod(axis=1)], axis=1)
    acts = [pg.activation] * 2 + ["linear" if pg.problem == "regression" else "tanh"]
    expected = _reference_epochs(pg.get_weights(), x, pg.split.y_train, acts, pg.batch_size, pg.learning_rate,
                                 pg.regularization, pg.regularization_rate, epochs=3)
    pg.step(epochs=3)
    for got, want in zip(pg.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_initialisation_and_a_fixed_seed_reproduce_a_run_exactly():
    pg = Playground(hidden=[5, 3], seed=7)
    w = pg.get_weights()
    assert all(-0.5 <= v.min() and v.max() < 0.5 for v in w[::2]) and all((b == 0.1).all() for b in w[1::2])
    pg.step(epochs=20)
    again = Playground(hidden=[5, 3], seed=7)
    again.step(epochs=20)
    assert pg.history == again.history and pg.history != Playground(hidden=[5, 3], seed=8).history
    assert all((v == 0).all() for v in Playground(init_zero=True).get_weights())


def test_circle_with_the_defaults_learns_within_300_epochs():
    pg = Playground(seed=0)
    pg.step(epochs=300)
    assert pg.epoch == 300 and len(pg.history) == 301
    assert min(h[1] for h in pg.history) < 0.05 and pg.test_loss < 0.05
    assert pg.train_loss == pg.history[-1][0] and pg.history[0][1] > 0.3


def test_the_issue_example_and_predict():
    pg = Playground(dataset="spiral", hidden=[8, 8], activation="tanh", learning_rate=0.03, noise=0,
                    train_ratio=50, batch_size=10, features=["x1", "x2"], seed=0)
    pg.step(epochs=2)
    assert pg.epoch == 2 and math.isfinite(pg.train_loss) and math.isfinite(pg.test_loss)
    out = pg.predict(np.array([[0.0, 0.0], [1.0, -2.0], [5.0, 5.0]]))
    assert out.shape == (3,) and np.all(np.abs(out) <= 1)
    assert repr(pg) == ("Playground(dataset='spiral', features=['x1', 'x2'], hidden=[8, 8], activation='tanh', "
                        "learning_rate=0.03, epoch=2)")


@pytest.mark.parametrize("dataset, n", [("circle", 500), ("xor", 500), ("gauss", 500), ("spiral", 500),
                                        ("reg-plane", 1200), ("reg-gauss", 1200)])
def test_playground_uses_the_originals_data_sets(dataset, n):
    for ratio in (10, 50, 90):
        sp = Playground(dataset, train_ratio=ratio, hidden=[]).split
        assert sp.x_train.shape == (math.floor(n * ratio / 100), 2) and len(sp.x_test) == n - len(sp.x_train)
        y = np.concatenate([sp.y_train, sp.y_test])
        if n == 500:  # xor's labels follow its uniform points; the others make two halves of 250
            assert (y == 1).sum() == (y == -1).sum() == 250 or (dataset == "xor" and abs((y == 1).mean() - 0.5) < 0.1)
            assert 0.3 < (sp.y_train == 1).mean() < 0.7  # the shuffle mixes the classes into both halves


def test_data_controls_make_new_data_and_reset():
    pg = Playground("spiral", seed=0)
    pg.step(3)
    x0 = pg.split.x_train.copy()
    pg.noise = 30
    assert pg.epoch == 0 and not np.array_equal(pg.split.x_train, x0)
    pg.seed = 5
    x5 = pg.split.x_train.copy()
    pg.seed = 0
    pg.noise = 0
    np.testing.assert_array_equal(pg.split.x_train, x0)  # same settings and seed, same data
    pg.regenerate()
    assert pg.seed != 0 and not np.array_equal(pg.split.x_train, x0) and not np.array_equal(pg.split.x_train, x5)
    pg.train_ratio = 70
    assert len(pg.split.x_train) == 350
    pg.dataset = "reg-gauss"
    assert pg.problem == "regression" and len(pg.split.x_train) == 840
    pg.problem = "classification"
    assert pg.dataset == "spiral"  # back to the last classification data set
    pg.problem = "regression"
    assert pg.dataset == "reg-gauss"


def test_network_controls_rebuild_only_when_the_shape_changes():
    pg = Playground(seed=0)
    net = pg._network
    pg.step(2)
    pg.learning_rate = 0.3  # fed: no rebuild, no reset
    assert pg._network is net and pg.epoch == 2
    for name, value in [("regularization_rate", 0.1), ("batch_size", 5)]:  # reset, same graph
        pg.step(1)
        setattr(pg, name, value)
        assert pg._network is net and pg.epoch == 0 and getattr(pg, name) == value
    pg.hidden = [3, 3, 3]
    assert [w.shape for w in pg.get_weights()[::2]] == [(2, 3), (3, 3), (3, 3), (3, 1)]
    pg.features = ["x1", "sin(x2)", "x1^2"]
    assert pg.features == ["x1", "x1^2", "sin(x2)"] and pg.get_weights()[0].shape == (3, 3)
    graphs = set()
    for name, value in [("activation", "relu"), ("regularization", "L2"), ("loss", "cross_entropy"),
                        ("problem", "regression")]:
        setattr(pg, name, value)
        graphs.add(id(pg._network))
    assert len(graphs) == 4 and pg._network.key[3] == "linear" and pg.loss == "square"
    pg.hidden, pg.activation, pg.regularization, pg.problem = [4, 2], "tanh", "none", "classification"
    pg.features = ["x1", "x2"]
    assert pg._network is net  # back to the first shape: its graph is reused


def test_view_controls_only_redraw():
    pg = Playground(seed=0)
    pg.step(20)
    plain = pg.frame()
    pg.discretize = True
    pg.show_test_data = True
    assert pg.epoch == 20 and pg.frame().heatmap_png != plain.heatmap_png
    _ = pg.widget
    view = pg._view
    assert view.points.value.count('class="test"') == 1 and view.points.value.count("<circle") == 500


@pytest.mark.parametrize("name, value, words", [
    ("hidden", [9], "1 to 8 neurons"), ("hidden", [1] * 7, "at most 6 hidden layers"),
    ("batch_size", 0, "from 1 to 30"), ("dataset", "moons", "dataset must be one of"),
    ("noise", 55, "from 0 to 50"), ("train_ratio", 5, "from 10 to 90"), ("learning_rate", -1, ">= 0"),
    ("features", ["x3"], "unknown id"), ("activation", "gelu", "must be one of"), ("seed", -1, "integer"),
])
def test_impossible_settings_are_refused_with_a_message(name, value, words):
    pg = Playground(seed=0)
    before = pg.state.to_dict()
    with pytest.raises(ValueError, match=words):
        setattr(pg, name, value)
    assert pg.state.to_dict() == before
    with pytest.raises(ValueError, match=words):
        Playground(**{name: value})


def test_configurable_limits():
    pg = Playground(max_layers=8, max_neurons=12, hidden=[12] * 8)
    assert len(pg.get_weights()) == 18
    with pytest.raises(ValueError, match="below the current network"):
        pg.max_neurons = 8


def test_divergence_shows_a_state_not_a_traceback():
    pg = Playground("reg-plane", learning_rate=10, seed=0)
    _ = pg.widget
    pg.step(epochs=20)
    assert pg.diverged and "Diverged" in pg.message and "learning rate" in pg.message
    assert "Diverged" in pg._view.message.value and "nan" in pg._view.losses.value
    pg.playing = True  # play refuses to start from a diverged state
    assert not pg.playing
    assert pg.epoch < 20
    with pytest.raises(ValueError, match="diverged"):
        pg.export_code()
    pg.learning_rate = 0.01
    pg.reset()
    assert not pg.diverged and pg.message == ""


def test_bring_your_own_data(tmp_path):
    csv = tmp_path / "points.csv"
    rng = np.random.default_rng(0)
    x = rng.uniform(-5, 5, (40, 2))
    csv.write_text("x1,x2,label\n" + "".join(f"{a},{b},{int(a > b)}\n" for a, b in x))
    pg = Playground(data=csv, hidden=[4], seed=0)
    assert pg.dataset == "custom" and pg.problem == "classification" and len(pg.split.x_train) == 20
    assert set(pg.split.y_train) <= {-1.0, 1.0}
    pg.step(30)
    pg.load_data(np.column_stack([x, x.sum(axis=1) / 10]))
    assert pg.problem == "regression" and pg.epoch == 0
    bad = {"x,y\n1,2\n": "expected 3 columns", "1,2,3\n1,b,3\n": "line 2", "1,2,nan\n" * 5: "finite",
           "1,2,1\n" * 5: "two classes", "1,2,1\n": "at least 4 points"}
    for text, words in bad.items():
        csv.write_text(text)
        with pytest.raises(ValueError, match=words):
            pg.load_data(csv)
    with pytest.raises(ValueError, match="no file"):
        pg.load_data(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="3 columns"):
        pg.load_data(np.zeros((10, 4)))
    tiny = Playground(data=np.array([[0, 0, 1], [1, 1, 0], [2, 2, 1], [3, 3, 0]]), train_ratio=10)
    tiny.step(2)  # 10 % of 4 points is none: a message, not a divergence
    assert not tiny.diverged and "no training points" in tiny.message and tiny.epoch == 2


@pytest.mark.parametrize("style", ["keras", "tf"])
def test_export_reproduces_the_predictions(style):
    pg = Playground("spiral", hidden=[6, 3], features=["x1", "x2", "sin(x1)", "x2^2"], activation="relu", seed=1)
    pg.step(10)
    namespace = {}
    exec(pg.export_code(style), namespace)
    points = np.random.default_rng(0).uniform(-6, 6, (200, 2))
    np.testing.assert_allclose(namespace["predict"](points), pg.predict(points), atol=1e-7)


def test_config_round_trip_reproduces_the_run(tmp_path):
    pg = Playground("xor", hidden=[5], features=["x1", "x2", "x1*x2"], noise=10, learning_rate=0.1,
                    regularization="L2", regularization_rate=0.001, loss="cross_entropy", seed=4)
    config = json.loads(json.dumps(pg.to_config()))
    pg.step(15)
    twin = Playground.from_config(config)
    twin.step(15)
    assert twin.history == pg.history and twin.to_config() == pg.to_config()
    pg.save_config(tmp_path / "pg.json")
    other = Playground()
    other.set_config(tmp_path / "pg.json")
    assert other.to_config() == pg.to_config()
    custom = Playground(data=np.column_stack([np.eye(4)[:, :2] * 3, [1, 0, 1, 0]]))
    assert Playground.from_config(custom.to_config()).to_config() == custom.to_config()
    with pytest.raises(ValueError, match="Unknown Playground setting"):
        Playground.from_config({"colour": "red"})


def test_play_pause_and_changes_mid_run():
    async def scenario():
        pg = Playground(seed=0)
        _ = pg.widget
        pg.play()
        while pg.epoch < 3:
            await asyncio.sleep(0.001)  # the play loop trains between our awaits
        pg.learning_rate = 0.3  # a slider change mid-run: used from the next batch
        assert pg.playing and pg.learning_rate == 0.3
        pg.pause()
        stopped = pg.epoch
        await asyncio.sleep(0.05)
        assert not pg.playing and pg.epoch == stopped
        pg.play()
        await asyncio.sleep(0.05)
        pg.reset()  # reset mid-run stops and rewinds
        await asyncio.sleep(0.02)
        return pg

    pg = asyncio.run(scenario())
    assert pg.epoch == 0 and not pg.playing and pg._view.play_button.icon == "play"


def test_frame_pictures():
    pg = Playground(hidden=[3, 2], seed=0)
    pg.step(5)
    frame = pg.frame()
    image = _decode_png(frame.heatmap_png)
    assert image.shape == (DENSITY, DENSITY, 3)
    out = pg.predict(np.array([[-6.0, 6.0], [6.0, -6.0]]))
    np.testing.assert_array_equal(image[[0, -1], [0, -1]], render.heatmap_rgb(out))
    assert frame.network_svg.count("<image") == 5 and frame.network_svg.count('class="link"') == 2 * 3 + 3 * 2 + 2
    assert frame.loss_chart_svg.count("<polyline") == 2
    assert render.PALETTE.shape == (31, 3) and render.point_colour(-1) == "#f59322"
    assert render.point_colour(1) == "#0877bd" and render.link_colour(0) == "rgb(232,234,235)"


def _decode_png(data: bytes) -> np.ndarray:
    import io  # noqa: PLC0415

    import matplotlib.image  # noqa: PLC0415

    return (matplotlib.image.imread(io.BytesIO(data), format="png")[..., :3] * 255).round().astype(np.uint8)


def test_every_widget_control_sets_its_attribute():
    pg = Playground(seed=0)
    _ = pg.widget
    view = pg._view
    values = {"learning_rate": 0.3, "activation": "relu", "regularization": "L1", "regularization_rate": 0.01,
              "problem": "regression", "train_ratio": 30, "noise": 20, "batch_size": 4, "show_test_data": True,
              "discretize": True, "loss": "square", "seed": 9, "max_layers": 5, "max_neurons": 7, "init_zero": True}
    assert set(values) == set(view.controls)
    for name, value in values.items():
        view.controls[name].value = value
        assert getattr(pg, name) == value, name
    view.controls["problem"].value = "classification"
    view.dataset_buttons["xor"].click()
    assert pg.dataset == "xor"
    view.feature_buttons[list(FEATURES).index("x1*x2")].click()
    assert pg.features == ["x1", "x2", "x1*x2"]
    add, remove = view.add_layer_button, view.remove_layer_button
    add.click()
    assert pg.hidden == [4, 2, 2]
    view.layer_controls.children[0].children[0].children[1].click()  # layer 1: "-"
    remove.click()
    assert pg.hidden == [3, 2]
    view.step_button.click()
    assert pg.epoch == 1 and "000,001" in view.epoch.value
    view.reset_button.click()
    assert pg.epoch == 0
    view.controls["noise"].value = 50
    view.controls["batch_size"].value = 30
    assert pg.noise == 50 and pg.batch_size == 30
    pg.max_layers = 2
    add.click()  # at the limit the original's "+" does nothing
    assert pg.hidden == [3, 2]
    view._act(lambda: setattr(pg, "hidden", [9]))  # a refused setting: a message, no traceback
    assert "1 to 7 neurons" in view.message.value and pg.hidden == [3, 2]


def test_standalone_page_command(tmp_path, capsys):
    from tinyflow.playground import __main__ as page  # noqa: PLC0415

    notebook = json.loads(page.write_notebook(tmp_path, '{"dataset": "spiral"}').read_text())
    assert "Playground.from_config" in notebook["cells"][0]["source"]
    assert page.main(['{"hidden": [9]}']) == 2 and "1 to 8 neurons" in capsys.readouterr().err
