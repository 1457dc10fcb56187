"""tf.Module: variable and submodule tracking through attributes, deterministic order, names, name scopes."""
import numpy as np
import pytest

import tinyflow as tf


class Dense(tf.Module):
    def __init__(self, n_in, n_out, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(np.ones((n_in, n_out), np.float32), name="w")
        self.b = tf.Variable(np.zeros(n_out, np.float32), name="b")

    def __call__(self, x):
        return tf.matmul(x, self.w) + self.b


class MLP(tf.Module):
    def __init__(self, sizes, name=None):
        super().__init__(name=name)
        self.layers = [Dense(a, b, name=f"d{i}") for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]
        self.scale = tf.Variable(1.0, trainable=False, name="scale")

    @tf.Module.with_name_scope
    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x * self.scale


def test_default_name_is_snake_case_of_class():
    assert MLP([2, 3]).name == "mlp"
    assert Dense(1, 1).name == "dense"

    class MyFancyModule(tf.Module):
        pass

    assert MyFancyModule().name == "my_fancy_module"
    assert tf.Module().name == "module"


def test_invalid_name_is_rejected():
    with pytest.raises(ValueError, match="not a valid module name"):
        tf.Module(name="my module")


def test_variables_found_through_lists_of_submodules():
    mlp = MLP([2, 3, 1])
    names = [v.name for v in mlp.variables]
    # own attributes first in sorted order (layers, scale), then each submodule's (b, w)
    assert names == ["scale:0", "b:0", "w:0", "b:0", "w:0"]
    assert len(mlp.trainable_variables) == 4
    assert [v.name for v in mlp.non_trainable_variables] == ["scale:0"]
    assert [m.name for m in mlp.submodules] == ["d0", "d1"]


def test_trainable_variables_order_is_deterministic_and_sorted_by_attribute():
    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.zeta = tf.Variable(1.0, name="zeta")
            self.alpha = tf.Variable(2.0, name="alpha")
            self.mid = {"b": tf.Variable(3.0, name="mb"), "a": tf.Variable(4.0, name="ma")}
            self.pair = (tf.Variable(5.0, name="p0"), [tf.Variable(6.0, name="p1")])

    first = [v.name for v in M().trainable_variables]
    second = [v.name for v in M().trainable_variables]
    assert first == second == ["alpha:0", "ma:0", "mb:0", "p0:0", "p1:0", "zeta:0"]


def test_nested_dicts_and_tuples_of_modules_and_shared_variables_once():
    shared = tf.Variable(0.5, name="shared")

    class Leaf(tf.Module):
        def __init__(self, name):
            super().__init__(name=name)
            self.v = shared

    class Root(tf.Module):
        def __init__(self):
            super().__init__()
            self.children = {"x": (Leaf("l1"),), "y": [Leaf("l2"), {"deep": Leaf("l3")}]}

    root = Root()
    assert [m.name for m in root.submodules] == ["l1", "l2", "l3"]
    assert len(root.variables) == 1 and root.variables[0] is shared


def test_cycles_do_not_recurse_forever():
    parent, child = tf.Module(name="parent"), tf.Module(name="child")
    parent.child = child
    child.parent = parent
    child.v = tf.Variable(1.0)
    assert [m.name for m in parent.submodules] == ["child"]
    assert len(parent.variables) == 1


def test_flatten_with_path():
    mlp = MLP([2, 3])
    paths = [p for p, _ in mlp._flatten(predicate=lambda v: isinstance(v, tf.Variable), with_path=True)]
    assert paths == [("scale",), ("layers", 0, "b"), ("layers", 0, "w")]


def test_module_computes_and_trains():
    mlp = MLP([2, 2, 1])
    x = tf.constant([[1.0, 2.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(mlp(x))
    db0, dw0, db1, dw1 = (np.asarray(g) for g in tape.gradient(y, mlp.trainable_variables))
    # y = (x W0 + b0) W1 + b1 with all-ones weights: dy/db1 = 1, dy/dW1 = (x W0 + b0)ᵀ,
    # dy/db0 = W1ᵀ, dy/dW0 = xᵀ W1ᵀ
    np.testing.assert_allclose(db1, [1.0])
    np.testing.assert_allclose(dw1, [[3.0], [3.0]])
    np.testing.assert_allclose(db0, [1.0, 1.0])
    np.testing.assert_allclose(dw0, [[1.0, 1.0], [2.0, 2.0]])


def test_name_scope_names_ops_in_graphs():
    mlp = MLP([2, 1], name="net")

    @tf.function
    def f(x):
        return mlp(x)

    concrete = f.get_concrete_function(tf.TensorSpec([None, 2]))
    names = [op.name for op in concrete.graph.get_operations()]
    assert any(n.startswith("net/") for n in names), names
    with mlp.name_scope as scope:  # eager: no op names, but the scope string is given
        assert scope == "net/"


def test_module_name_scope_is_reusable():
    m = tf.Module(name="block")
    g = tf.Graph()
    with g.as_default():
        with m.name_scope:
            a = tf.constant(1.0, name="a")
        with m.name_scope:
            b = tf.constant(2.0, name="b")
    assert a.name == "block/a:0" and b.name == "block/b:0"
