"""Tests for tinyflow.datasets: Playground generators, digits, text corpus, sequence tasks."""

import ast
import functools
import gzip
import hashlib
import math
from pathlib import Path

import numpy as np
import pytest

import tinyflow.datasets as ds
from tinyflow.datasets import digits, features, playground, sequences, text

PACKAGE = Path(playground.__file__).parent


# --- A line-by-line transcription of src/dataset.ts (tensorflow/playground), scalar Python. ---
# `rand` plays Math.random; `noise` is already divided by 100, as playground.ts passes it.

def _uniform(rand):
    return lambda a, b: rand() * (b - a) + a  # randUniform(a, b)


def _ref_circle(n, noise, rand):
    uni = _uniform(rand)
    points, radius = [], 5
    for r_lo, r_hi in ((0, radius * 0.5), (radius * 0.7, radius)):
        for _ in range(math.ceil(n / 2)):  # for (i = 0; i < numSamples / 2; i++)
            r, angle = uni(r_lo, r_hi), uni(0, 2 * math.pi)
            x, y = r * math.sin(angle), r * math.cos(angle)
            nx, ny = uni(-radius, radius) * noise, uni(-radius, radius) * noise
            label = 1 if math.sqrt((x + nx) ** 2 + (y + ny) ** 2) < radius * 0.5 else -1
            points.append((x, y, label))
    return points


def _ref_xor(n, noise, rand):
    uni = _uniform(rand)
    points = []
    for _ in range(n):
        x = uni(-5, 5)
        x += 0.3 if x > 0 else -0.3
        y = uni(-5, 5)
        y += 0.3 if y > 0 else -0.3
        nx, ny = uni(-5, 5) * noise, uni(-5, 5) * noise
        points.append((x, y, 1 if (x + nx) * (y + ny) >= 0 else -1))
    return points


def _ref_spiral(num, noise, rand):
    points, n = [], num / 2
    for delta_t, label in ((0, 1), (math.pi, -1)):
        for i in range(math.ceil(n)):  # for (i = 0; i < n; i++)
            r = i / n * 5
            t = 1.75 * i / n * 2 * math.pi + delta_t
            x = r * math.sin(t) + (rand() * 2 - 1) * noise
            y = r * math.cos(t) + (rand() * 2 - 1) * noise
            points.append((x, y, label))
    return points


def _ref_regress(n, noise, rand, get_label):
    uni = _uniform(rand)
    points = []
    for _ in range(n):
        x, y = uni(-6, 6), uni(-6, 6)
        nx, ny = uni(-6, 6) * noise, uni(-6, 6) * noise
        points.append((x, y, get_label(x + nx, y + ny)))
    return points


def _plane_label(x, y):
    return (x + y + 10) / 20 * 2 - 1  # d3 linear [-10, 10] -> [-1, 1]


_GAUSSIANS = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]]


def _gauss_label(x, y):
    label = 0
    for cx, cy, sign in _GAUSSIANS:
        d = math.sqrt((x - cx) ** 2 + (y - cy) ** 2)
        new = sign * (1 - min(max(d / 2, 0), 1))  # clamped d3 linear [0, 2] -> [1, 0]
        if abs(new) > abs(label):
            label = new
    return label


REFERENCES = {
    "circle": (ds.classify_circle, _ref_circle),
    "xor": (ds.classify_xor, _ref_xor),
    "spiral": (ds.classify_spiral, _ref_spiral),
    "reg-plane": (ds.regress_plane, functools.partial(_ref_regress, get_label=_plane_label)),
    "reg-gauss": (ds.regress_gaussian, functools.partial(_ref_regress, get_label=_gauss_label)),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
@pytest.mark.parametrize("n, noise", [(7, 0), (40, 25), (31, 50)])
def test_generators_match_transcription_of_dataset_ts(name, n, noise):
    ours, reference = REFERENCES[name]
    x, y = ours(n, noise, rng=123)
    stream = np.random.default_rng(123)
    ref = np.array(reference(n, noise / 100, stream.random))  # noise / 100 as in playground.ts
    assert x.shape == (len(ref), 2) and y.shape == (len(ref),)
    assert x.dtype == np.float64 and y.dtype == np.float64
    np.testing.assert_allclose(x, ref[:, :2], rtol=0, atol=1e-12)
    np.testing.assert_allclose(y, ref[:, 2], rtol=0, atol=1e-12)


def test_shuffle_matches_fisher_yates_of_dataset_ts():
    items, rand = list(range(23)), np.random.default_rng(9).random
    counter = len(items)
    while counter > 0:
        index = math.floor(rand() * counter)
        counter -= 1
        items[counter], items[index] = items[index], items[counter]
    assert ds.shuffle_indices(23, rng=9).tolist() == items


def test_default_sizes_names_and_split_follow_playground_ts():
    assert (playground.NUM_SAMPLES_CLASSIFY, playground.NUM_SAMPLES_REGRESS) == (500, 1200)
    assert list(ds.DATASETS) == ["circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss"]
    assert ds.DATASETS["gauss"] is ds.classify_two_gauss and ds.DATASETS["reg-gauss"] is ds.regress_gaussian
    (x_tr, _), (x_te, _) = ds.load_playground("circle")
    assert (len(x_tr), len(x_te)) == (250, 250)  # percTrainData defaults to 50
    (x_tr, _), (x_te, _) = ds.load_playground("reg-plane", train_ratio=70)
    assert (len(x_tr), len(x_te)) == (840, 360)
    (x_tr, _), (x_te, _) = ds.load_playground("spiral", train_ratio=10, num_samples=15)
    assert (len(x_tr), len(x_te)) == (1, 15)  # 16 points (odd count rounds up), floor(1.6) = 1


def test_circle_radius_and_label_rule():
    x, y = ds.classify_circle(500, noise=0, rng=0)
    r = np.linalg.norm(x, axis=1)
    assert (y[:250] == 1).all() and (y[250:] == -1).all()
    assert r[:250].max() < 2.5 and r[250:].min() >= 3.5 and r[250:].max() <= 5
    assert ((r < 2.5) == (y == 1)).all()


def test_noise_flips_circle_and_xor_labels_but_not_points():
    for generator in (ds.classify_circle, ds.classify_xor):
        x0, y0 = generator(500, noise=0, rng=3)
        x1, y1 = generator(500, noise=50, rng=3)
        np.testing.assert_array_equal(x0, x1)
        assert 0 < (y0 != y1).sum() < 250


def test_xor_quadrants_and_padding():
    x, y = ds.classify_xor(1000, noise=0, rng=1)
    assert (np.abs(x) > 0.3).all() and (np.abs(x) <= 5.3).all()
    np.testing.assert_array_equal(y, np.where(x[:, 0] * x[:, 1] >= 0, 1.0, -1.0))
    assert abs(y.mean()) < 0.1


def test_spiral_arms_without_noise():
    x, y = ds.classify_spiral(500, noise=0, rng=0)
    i = np.arange(250)
    np.testing.assert_allclose(np.linalg.norm(x[:250], axis=1), i / 250 * 5, atol=1e-12)
    np.testing.assert_allclose(x[250:], -x[:250], atol=1e-12)  # second arm is turned by pi
    assert (y[:250] == 1).all() and (y[250:] == -1).all()
    np.testing.assert_array_equal(x, ds.classify_spiral(500, noise=0, rng=99)[0])  # no randomness used
    noisy, _ = ds.classify_spiral(500, noise=50, rng=0)
    assert 0 < np.abs(noisy - x).max() <= 0.5


def test_two_gauss_centres_and_variance_scale():
    for noise, variance in ((0, 0.5), (50, 4.0), (25, 2.25)):
        x, y = ds.classify_two_gauss(20000, noise=noise, rng=0)
        pos, neg = x[y == 1], x[y == -1]
        assert len(pos) == len(neg) == 10000
        np.testing.assert_allclose(pos.mean(axis=0), [2, 2], atol=0.05 * math.sqrt(variance))
        np.testing.assert_allclose(neg.mean(axis=0), [-2, -2], atol=0.05 * math.sqrt(variance))
        np.testing.assert_allclose(pos.var(axis=0), variance, rtol=0.05)


def test_regression_labels():
    x, y = ds.regress_plane(1200, noise=0, rng=0)
    assert np.abs(x).max() <= 6
    np.testing.assert_allclose(y, x.sum(axis=1) / 10, atol=1e-12)
    x, y = ds.regress_gaussian(1200, noise=0, rng=0)
    assert y.min() >= -1 and y.max() <= 1
    near_plus = np.linalg.norm(x - [-4, 2.5], axis=1) < 1
    near_minus = np.linalg.norm(x - [0, 2.5], axis=1) < 1
    assert near_plus.any() and (y[near_plus] > 0.5).all() and (y[near_minus] < -0.5).all()


def test_seeds_are_reproducible_and_distinct():
    for name, generator in ds.DATASETS.items():
        a, b, c = generator(50, 20, rng=1), generator(50, 20, rng=1), generator(50, 20, rng=2)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
        assert not np.array_equal(a[0], c[0]), name
    (x_a, _), _ = ds.load_playground("xor", noise=10, seed=5)
    (x_b, _), _ = ds.load_playground("xor", noise=10, seed=5)
    np.testing.assert_array_equal(x_a, x_b)


def test_train_test_split_is_a_partition():
    x, y = ds.classify_circle(100, rng=0)
    (x_tr, y_tr), (x_te, y_te) = ds.train_test_split(x, y, train_ratio=30, rng=0)
    assert (len(x_tr), len(x_te)) == (30, 70)
    both = np.concatenate([x_tr, x_te])
    assert sorted(map(tuple, both)) == sorted(map(tuple, x))
    with pytest.raises(ValueError, match="train_ratio"):
        ds.train_test_split(x, y, train_ratio=150)


def test_bad_arguments_explain_themselves():
    with pytest.raises(ValueError, match="noise"):
        ds.classify_circle(10, noise=-1)
    with pytest.raises(ValueError, match="num_samples"):
        ds.classify_xor(0)
    with pytest.raises(ValueError, match="circle"):
        ds.load_playground("moons")


def test_features_match_playground_inputs():
    x = np.array([[0.5, -2.0], [3.0, 1.5]])
    expected = {
        "x1": x[:, 0], "x2": x[:, 1], "x1^2": x[:, 0] ** 2, "x2^2": x[:, 1] ** 2,
        "x1*x2": x[:, 0] * x[:, 1], "sin(x1)": np.sin(x[:, 0]), "sin(x2)": np.sin(x[:, 1]),
    }
    assert list(ds.FEATURES) == list(expected)
    for name, values in expected.items():
        np.testing.assert_allclose(ds.FEATURES[name](x), values)
    assert list(ds.PLAYGROUND_FEATURE_KEYS.values()) == list(ds.FEATURES)
    np.testing.assert_allclose(ds.make_features(x, ["x2^2", "x1"]), np.stack([x[:, 1] ** 2, x[:, 0]], 1))
    assert ds.make_features(x).shape == (2, 2)
    with pytest.raises(ValueError, match="shape"):
        ds.make_features(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="cos"):
        ds.make_features(x, ["cos(x1)"])


# --- digits ---

def test_digits_file_and_provenance():
    data = digits.DIGITS_PATH.read_bytes()
    sha256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"  # as in data/README.md
    assert hashlib.sha256(data).hexdigest() == sha256
    first = gzip.decompress(data).decode().splitlines()[0]
    assert first == "0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0,0"  # noqa: E501
    readme = (PACKAGE / "data" / "README.md").read_text()
    for fact in ("10.24432/C50P49", "CC BY 4.0", "Alpaydin", "Kaynak", "optdigits.tes"):
        assert fact in readme


def test_load_digits_shapes_dtypes_and_classes():
    (x_tr, y_tr), (x_te, y_te) = ds.load_digits()
    assert x_tr.shape == (1437, 8, 8) and x_te.shape == (360, 8, 8)
    assert x_tr.dtype == np.float32 and y_tr.dtype == np.int32
    x, y = np.concatenate([x_tr, x_te]), np.concatenate([y_tr, y_te])
    assert x.min() == 0 and x.max() == 16 and (x == np.round(x)).all()
    counts = np.bincount(y, minlength=10).tolist()
    assert counts == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]  # UCI's optdigits.tes
    images, labels = digits._read_digits()
    assert images[0, 0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0] and labels[:5].tolist() == [0, 1, 2, 3, 4]


def test_load_digits_split_is_deterministic_partition_with_aligned_labels():
    (a, ya), (b, yb) = ds.load_digits(seed=0)
    (a2, _), (b2, _) = ds.load_digits(seed=0)
    np.testing.assert_array_equal(np.concatenate([a, b]), np.concatenate([a2, b2]))
    assert not np.array_equal(a, ds.load_digits(seed=1)[0][0])
    images, labels = digits._read_digits()
    label_of = {bytes(img.astype(np.float32)): int(lab) for img, lab in zip(images, labels)}
    assert [label_of[bytes(img)] for img in np.concatenate([a, b])] == np.concatenate([ya, yb]).tolist()
    assert sorted(map(bytes, np.concatenate([a, b]))) == sorted(map(bytes, images.astype(np.float32)))


def test_load_digits_options():
    (x, _), (empty, _) = ds.load_digits(test_split=0.0, normalize=True, flatten=True)
    (raw, _), _ = ds.load_digits(test_split=0.0)
    assert x.shape == (1797, 64) and empty.shape == (0, 64) and x.max() == 1.0 and x.min() == 0.0
    np.testing.assert_allclose(x, raw.reshape(-1, 64) / 16)
    with pytest.raises(ValueError, match="test_split"):
        ds.load_digits(test_split=1.0)


# --- text and sequences ---

def test_text_corpus_and_vocabulary():
    corpus = ds.load_text()
    assert 20_000 <= len(corpus.encode()) <= 40_000
    assert corpus.isascii() and corpus.count("\n") > 100
    chars, stoi, itos = ds.char_vocab(corpus)
    assert chars == sorted(set(corpus)) and 40 <= len(chars) <= 90
    assert all(itos[stoi[ch]] == ch for ch in chars) and sorted(itos) == list(range(len(chars)))
    ids = ds.encode(corpus[:500], stoi)
    assert ids.dtype == np.int32 and ds.decode(ids, itos) == corpus[:500]
    with pytest.raises(ValueError, match="vocabulary"):
        ds.encode("tensor", ds.char_vocab("abc")[1])


@pytest.mark.parametrize("task", [ds.copy_task, ds.reverse_task, ds.sort_task])
def test_sequence_tasks_shapes_and_determinism(task):
    x, y = task(64, length=12, vocab=7, seed=3)
    assert x.shape == y.shape == (64, 12) and x.dtype == y.dtype == np.int32
    assert set(x.ravel().tolist()) == set(range(7))  # tokens 0 .. vocab - 1, all used
    x2, y2 = task(64, length=12, vocab=7, seed=3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(x, task(64, length=12, vocab=7, seed=4)[0])
    np.testing.assert_array_equal(np.sort(x, axis=1), np.sort(y, axis=1))  # same tokens
    with pytest.raises(ValueError, match="vocab"):
        task(4, vocab=0)


def test_sequence_task_targets():
    x, y = ds.copy_task(20, seed=0)
    np.testing.assert_array_equal(y, x)
    x, y = ds.reverse_task(20, seed=0)
    assert all(y[i].tolist() == x[i].tolist()[::-1] for i in range(20))
    assert not np.array_equal(x, y)
    x, y = ds.sort_task(20, seed=0)
    assert all(y[i].tolist() == sorted(x[i].tolist()) for i in range(20))
    assert (np.diff(y, axis=1) >= 0).all() and not np.array_equal(x, y)


def test_modules_import_only_numpy_and_stdlib():
    allowed = {"__future__", "collections", "functools", "gzip", "math", "numpy", "pathlib"}
    for module in (playground, features, digits, text, sequences):
        tree = ast.parse(Path(module.__file__).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            assert {n.split(".")[0] for n in names} <= allowed, (module.__name__, names)
