"""keras.optimizers: every update rule vs its formula in numpy (eager and tf.function), clipping,
weight decay, schedules, the learning-rate variable, gradient filtering, get/config."""
from __future__ import annotations

import math

import numpy as np
import pytest

import tinyflow as tf
from tinyflow.keras import optimizers
from tinyflow.keras.optimizers import schedules

RNG = np.random.default_rng(0)
W0, B0 = RNG.normal(size=(3, 2)), RNG.normal(size=(2,))
GRADS = [(RNG.normal(size=(3, 2)), RNG.normal(size=(2,))) for _ in range(4)]  # one pair per step


# -- the update rules, written out in numpy --------------------------------------------------------------
def sgd_ref(lr, momentum=0.0, nesterov=False):
    def step(w, g, s, t):
        if momentum == 0:
            return w - lr * g
        s["m"] = momentum * s.get("m", 0.0) - lr * g
        return w + (momentum * s["m"] - lr * g if nesterov else s["m"])
    return step


def rmsprop_ref(lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    def step(w, g, s, t):
        s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g**2
        if centered:
            s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g
            denominator = s["v"] - s["a"] ** 2 + epsilon
        else:
            denominator = s["v"] + epsilon
        increment = lr * g / np.sqrt(denominator)
        if momentum > 0:
            s["m"] = momentum * s.get("m", 0.0) + increment
            return w - s["m"]
        return w - increment
    return step


def adam_ref(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None):
    def step(w, g, s, t):
        if weight_decay is not None:
            w = w - w * weight_decay * lr
        alpha = lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - beta_1)
        s["v"] = s.get("v", 0.0) + (g**2 - s.get("v", 0.0)) * (1 - beta_2)
        v = s["v"]
        if amsgrad:
            s["vhat"] = np.maximum(s.get("vhat", 0.0), s["v"])
            v = s["vhat"]
        return w - s["m"] * alpha / (np.sqrt(v) + epsilon)
    return step


def adagrad_ref(lr, initial_accumulator_value=0.1, epsilon=1e-7):
    def step(w, g, s, t):
        s["acc"] = s.get("acc", initial_accumulator_value) + g**2
        return w - lr * g / np.sqrt(s["acc"] + epsilon)
    return step


# Hyperparameters are exact in float32: like Keras, the learning rate is stored in a float32 variable
# and tf.cast(python_float, tf.float64) goes through float32, so other values would round.
CASES = [
    ("sgd", lambda: optimizers.SGD(0.125), sgd_ref(0.125)),
    ("sgd_momentum", lambda: optimizers.SGD(0.125, momentum=0.75), sgd_ref(0.125, 0.75)),
    ("sgd_nesterov", lambda: optimizers.SGD(0.125, momentum=0.75, nesterov=True), sgd_ref(0.125, 0.75, True)),
    ("rmsprop", lambda: optimizers.RMSprop(0.015625), rmsprop_ref(0.015625)),
    ("rmsprop_centered_momentum", lambda: optimizers.RMSprop(0.015625, rho=0.8, momentum=0.5, centered=True),
     rmsprop_ref(0.015625, rho=0.8, momentum=0.5, centered=True)),
    ("adam", lambda: optimizers.Adam(0.015625, beta_1=0.875, beta_2=0.9375),
     adam_ref(0.015625, 0.875, 0.9375)),
    ("adam_amsgrad", lambda: optimizers.Adam(0.015625, beta_1=0.5, beta_2=0.75, amsgrad=True),
     adam_ref(0.015625, 0.5, 0.75, amsgrad=True)),
    ("adamw", lambda: optimizers.AdamW(0.015625, weight_decay=0.125, beta_1=0.875, beta_2=0.9375),
     adam_ref(0.015625, 0.875, 0.9375, weight_decay=0.125)),
    ("adagrad", lambda: optimizers.Adagrad(0.125), adagrad_ref(0.125)),
]


def _expected(ref):
    """The weights after each step, by the numpy rule (float64)."""
    w, b, sw, sb, out = W0.copy(), B0.copy(), {}, {}, []
    for t, (gw, gb) in enumerate(GRADS, start=1):
        w, b = ref(w, gw, sw, t), ref(b, gb, sb, t)
        out.append((w.copy(), b.copy()))
    return out


def _run(make, traced: bool):
    w, b = tf.Variable(W0), tf.Variable(B0)  # float64 variables: the comparison is tight
    opt = make()

    def step(gw, gb):
        opt.apply_gradients(zip([gw, gb], [w, b]))

    if traced:
        step = tf.function(step)
    out = []
    for gw, gb in GRADS:
        step(tf.constant(gw), tf.constant(gb))
        out.append((w.numpy(), b.numpy()))
    return out, opt, step


@pytest.mark.parametrize("traced", [False, True], ids=["eager", "function"])
@pytest.mark.parametrize("name,make,ref", CASES, ids=[c[0] for c in CASES])
def test_update_rule_matches_formula(name, make, ref, traced):
    got, opt, step = _run(make, traced)
    for t, ((gw, gb), (ew, eb)) in enumerate(zip(got, _expected(ref)), start=1):
        np.testing.assert_allclose(gw, ew, rtol=1e-10, atol=1e-12, err_msg=f"{name}, kernel after step {t}")
        np.testing.assert_allclose(gb, eb, rtol=1e-10, atol=1e-12, err_msg=f"{name}, bias after step {t}")
    assert int(opt.iterations) == len(GRADS) and opt.iterations.dtype == tf.int64
    if traced:
        assert step.experimental_get_tracing_count() == 1  # slots were made once, on the first trace


def test_float32_variables_and_defaults():
    assert optimizers.SGD().get_config()["learning_rate"] == pytest.approx(0.01)
    assert optimizers.Adam().epsilon == 1e-7 and optimizers.Adam().beta_2 == 0.999
    assert optimizers.RMSprop().rho == 0.9 and optimizers.AdamW().weight_decay == 0.004
    assert optimizers.Adagrad().initial_accumulator_value == 0.1
    w = tf.Variable(np.ones(3, np.float32))
    opt = optimizers.Adam(0.1)
    opt.apply_gradients([(tf.constant([1.0, -2.0, 0.5]), w)])
    assert w.dtype == tf.float32
    np.testing.assert_allclose(w.numpy(), [0.9, 1.1, 0.9], rtol=1e-5)


def test_slot_variables_and_names():
    w, b = tf.Variable(W0, name="kernel"), tf.Variable(B0, name="bias")
    opt = optimizers.Adam(0.01)
    opt.build([w, b])
    names = [v.name for v in opt.variables]
    assert names[:2] == ["adam/iteration:0", "adam/learning_rate:0"]
    assert "adam/kernel_momentum:0" in names and "adam/bias_velocity:0" in names and len(names) == 6
    assert len(optimizers.SGD(0.1).variables) == 2  # no momentum slots without momentum


# -- clipping -------------------------------------------------------------------------------------------
def _sgd_once(grads, **kwargs):
    ws = [tf.Variable(np.zeros_like(g)) for g in grads]
    optimizers.SGD(1.0, **kwargs).apply_gradients(zip([tf.constant(g) for g in grads], ws))
    return [-w.numpy() for w in ws]  # with lr 1 from zero weights, -w is the applied gradient


def test_clipnorm_clips_each_gradient():
    g1, g2 = np.array([3.0, 4.0]), np.array([0.3, 0.4])  # norms 5 and 0.5
    c1, c2 = _sgd_once([g1, g2], clipnorm=1.0)
    np.testing.assert_allclose(c1, g1 / 5.0)
    np.testing.assert_allclose(c2, g2)  # inside the ball: unchanged


def test_global_clipnorm_scales_all_gradients_together():
    g1, g2 = np.array([3.0, 4.0]), np.array([12.0])  # global norm 13
    c1, c2 = _sgd_once([g1, g2], global_clipnorm=2.0)
    np.testing.assert_allclose(c1, g1 * 2.0 / 13.0)
    np.testing.assert_allclose(c2, g2 * 2.0 / 13.0)


def test_clipvalue_clips_elements():
    (c,) = _sgd_once([np.array([-3.0, 0.2, 7.0])], clipvalue=0.5)
    np.testing.assert_allclose(c, [-0.5, 0.2, 0.5])


def test_clip_in_tf_function():
    w = tf.Variable(np.zeros(2))
    opt = optimizers.SGD(1.0, clipnorm=1.0)
    tf.function(lambda g: opt.apply_gradients([(g, w)]))(tf.constant([3.0, 4.0], tf.float64))
    np.testing.assert_allclose(w.numpy(), [-0.6, -0.8])


def test_only_one_clip_argument():
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


# -- weight decay ----------------------------------------------------------------------------------------
def test_weight_decay_and_exclusions():
    w, b = tf.Variable(np.ones(2)), tf.Variable(np.ones(2), name="my_bias")
    opt = optimizers.SGD(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    zero = tf.constant(np.zeros(2))
    opt.apply_gradients([(zero, w), (zero, b)])
    np.testing.assert_allclose(w.numpy(), [0.95, 0.95])  # w - w·0.5·0.1
    np.testing.assert_allclose(b.numpy(), [1.0, 1.0])
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["x"])
    with pytest.raises(ValueError, match="weight_decay=None"):
        optimizers.AdamW(weight_decay=None)


# -- learning rate: variable, setter, schedules ------------------------------------------------------------
def test_changing_the_learning_rate_does_not_retrace():
    w = tf.Variable(0.0)
    opt = optimizers.SGD(0.1)

    @tf.function
    def step():
        opt.apply_gradients([(tf.constant(1.0), w)])

    step()
    opt.learning_rate = 0.5
    step()
    assert float(w) == pytest.approx(-0.6)
    assert step.experimental_get_tracing_count() == 1
    assert float(opt.learning_rate) == 0.5 and isinstance(opt.learning_rate, tf.Variable)


def _schedule_values(schedule, steps):
    return [float(schedule(s)) for s in steps]


def test_exponential_decay_values():
    steps = [0, 1, 5, 10, 15, 31]
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    np.testing.assert_allclose(_schedule_values(s, steps), [0.1 * 0.5 ** (k / 10) for k in steps], rtol=1e-6)
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    np.testing.assert_allclose(_schedule_values(s, steps), [0.1 * 0.5 ** (k // 10) for k in steps], rtol=1e-6)
    with pytest.raises(ValueError, match="decay_steps=0"):
        schedules.ExponentialDecay(0.1, 0, 0.5)


def test_cosine_decay_values():
    steps = [0, 3, 50, 99, 100, 150]

    def cosine(k, initial, n, alpha):
        k = min(k, n)
        return initial * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * k / n)) + alpha)

    s = schedules.CosineDecay(0.2, decay_steps=100, alpha=0.1)
    np.testing.assert_allclose(_schedule_values(s, steps), [cosine(k, 0.2, 100, 0.1) for k in steps],
                               rtol=1e-5, atol=1e-7)
    s = schedules.CosineDecay(0.0, decay_steps=100, warmup_target=0.2, warmup_steps=10)
    expected = [0.2 * k / 10 if k < 10 else cosine(k - 10, 0.2, 100, 0.0) for k in [0, 5, 10, 60, 200]]
    np.testing.assert_allclose(_schedule_values(s, [0, 5, 10, 60, 200]), expected, rtol=1e-5, atol=1e-7)


def test_piecewise_constant_values():
    s = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    np.testing.assert_allclose(_schedule_values(s, [0, 10, 11, 20, 21, 1000]), [1.0, 1.0, 0.5, 0.5, 0.1, 0.1],
                               rtol=1e-7)
    with pytest.raises(ValueError, match="1 less than the length of values"):
        schedules.PiecewiseConstantDecay([10], [1.0])


@pytest.mark.parametrize("traced", [False, True], ids=["eager", "function"])
def test_optimizer_calls_its_schedule_with_iterations(traced):
    s = schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.1, 0.01])
    w = tf.Variable(0.0)
    opt = optimizers.SGD(s)

    def step():
        opt.apply_gradients([(tf.constant(1.0), w)])

    step = tf.function(step) if traced else step
    values = []
    for _ in range(4):
        step()
        values.append(float(w))
    # iterations 0, 1 use 1.0; 2 uses 0.1; 3 uses 0.01
    np.testing.assert_allclose(values, [-1.0, -2.0, -2.1, -2.11], rtol=1e-6)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "PiecewiseConstantDecay"
    clone = optimizers.SGD.from_config(config)
    assert isinstance(clone.learning_rate, tf.Tensor) and float(clone.learning_rate) == 1.0


def test_callable_learning_rate():
    w = tf.Variable(0.0)
    optimizers.SGD(lambda: 0.25).apply_gradients([(tf.constant(1.0), w)])
    assert float(w) == -0.25


def test_bad_learning_rate():
    with pytest.raises(ValueError, match="`learning_rate` should be float"):
        optimizers.SGD(learning_rate="fast")


# -- which variables get updated --------------------------------------------------------------------------
def test_missing_gradients_warn_and_are_skipped():
    w, unused = tf.Variable(1.0, name="w"), tf.Variable(5.0, name="unused")
    opt = optimizers.SGD(0.1)
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['unused:0'\]"):
        opt.apply_gradients([(tf.constant(1.0), w), (None, unused)])
    assert float(w) == pytest.approx(0.9) and float(unused) == 5.0


def test_no_gradients_at_all():
    w = tf.Variable(1.0)
    with pytest.raises(ValueError, match="No gradients provided for any variable."):
        optimizers.Adam().apply_gradients([(None, w)])


def test_unknown_variable_after_build():
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    opt = optimizers.SGD(0.1)
    opt.apply_gradients([(tf.constant(1.0), a)])
    with pytest.raises(ValueError, match="Unknown variable.*recreate a new optimizer"):
        opt.apply_gradients([(tf.constant(1.0), b)])


def test_apply_with_built_variables():
    a = tf.Variable(1.0)
    opt = optimizers.SGD(0.5)
    with pytest.raises(ValueError, match="must already be built"):
        opt.apply([tf.constant(1.0)])
    opt.build([a])
    opt.apply([tf.constant(1.0)])
    assert float(a) == 0.5


# -- the TF2 guide's usage -----------------------------------------------------------------------------------
def test_minimize_with_loss_function_as_in_the_tf_guide():
    opt = optimizers.SGD(learning_rate=0.1)
    var = tf.Variable(1.0)
    loss = lambda: (var**2) / 2.0  # noqa: E731  (d(loss)/d(var) = var)
    opt.minimize(loss, [var])
    assert var.numpy() == pytest.approx(0.9)


def test_minimize_with_a_tape_and_custom_loop():
    var = tf.Variable(3.0)
    opt = optimizers.SGD(0.1)
    with tf.GradientTape() as tape:
        loss = var * var
    opt.minimize(loss, [var], tape=tape)
    assert float(var) == pytest.approx(3.0 - 0.1 * 6.0)
    with pytest.raises(ValueError, match="`tape` is required"):
        opt.minimize(var * var, [var])
    for _ in range(100):  # the usual GradientTape loop converges
        with tf.GradientTape() as tape:
            loss = (var - 2.0) ** 2
        opt.apply_gradients(zip(tape.gradient(loss, [var]), [var]))
    assert float(var) == pytest.approx(2.0, abs=1e-6)


# -- get / serialize -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,cls", [("sgd", "SGD"), ("Adam", "Adam"), ("RMSPROP", "RMSprop"),
                                      ("adamw", "AdamW"), ("adagrad", "Adagrad")])
def test_get_by_name(name, cls):
    assert type(optimizers.get(name)).__name__ == cls


def test_get_errors_list_valid_names():
    with pytest.raises(ValueError, match=r"'adm'.*'adagrad', 'adam', 'adamw', 'rmsprop', 'sgd'"):
        optimizers.get("adm")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(3)


def test_get_config_roundtrip_and_instances():
    opt = optimizers.RMSprop(0.05, rho=0.8, momentum=0.3, centered=True, clipnorm=2.0)
    assert optimizers.get(opt) is opt
    clone = optimizers.get(optimizers.serialize(opt))
    assert type(clone) is optimizers.RMSprop
    for key in ("rho", "momentum", "centered", "clipnorm", "name"):
        assert clone.get_config()[key] == opt.get_config()[key]
    assert clone.get_config()["learning_rate"] == pytest.approx(0.05)
    bare = optimizers.get(optimizers.Adam(0.5, beta_1=0.8).get_config())  # a get_config() dict, name "adam"
    assert type(bare) is optimizers.Adam and bare.beta_1 == 0.8
    with pytest.raises(ValueError, match="'class_name' and 'config'"):
        optimizers.get({"learning_rate": 0.1})
    with pytest.raises(ValueError, match="Argument\\(s\\) not recognized"):
        optimizers.SGD(0.1, momentun=0.9)
