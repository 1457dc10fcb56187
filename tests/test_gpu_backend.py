"""The CuPy backend. Without CuPy or a GPU these tests skip with the reason; the device API still
behaves as TF's does on a CPU-only machine (no GPU listed, a clear error when one is requested)."""
import numpy as np
import pytest

import tinyflow as tf
from tests.helpers import check_gradients
from tinyflow import backend

HAS_GPU = backend.gpu_available()
needs_gpu = pytest.mark.skipif(not HAS_GPU, reason="CuPy with a CUDA GPU is not available on this machine "
                               "(install requirements-gpu.txt on a GPU host to run these)")


def test_cpu_only_machine_lists_no_gpu_and_explains_a_gpu_request():
    if HAS_GPU:
        pytest.skip("a GPU is present")
    assert tf.config.list_physical_devices("GPU") == []
    assert [d.device_type for d in tf.config.list_physical_devices()] == ["CPU"]
    with pytest.raises(RuntimeError, match="no GPU is usable: install CuPy"), tf.device("/GPU:0"):
        tf.constant(1.0)


def test_cpu_device_scope_is_numpy():
    with tf.device("/CPU:0"):
        t = tf.constant([1.0, 2.0]) * 2.0
    assert isinstance(t._value, np.ndarray | np.generic) and t.device.endswith("CPU:0")


def _ops():
    x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    w = np.linspace(0.5, 1.5, 12).reshape(3, 4)
    return {
        "matmul_tanh": (lambda a, b: tf.tanh(tf.matmul(a, b)), (x, w)),
        "softmax_xent": (lambda a, b: tf.nn.softmax(tf.matmul(a, b)), (x, w)),
        "reduce_mean_exp": (lambda a, b: tf.reduce_mean(tf.exp(a), axis=0) + tf.reduce_sum(b), (x, w)),
        "broadcast_div": (lambda a, b: a / (tf.reduce_sum(b, axis=1)[:3] + 2.0), (x, w)),
    }


@needs_gpu
@pytest.mark.parametrize("name", list(_ops()))
def test_gpu_matches_cpu_forward_and_gradients(name):
    fn, arrays = _ops()[name]
    cpu = np.asarray(fn(*[tf.constant(a) for a in arrays]))
    with tf.device("/GPU:0"):
        out = fn(*[tf.constant(a) for a in arrays])
        assert out.device.endswith("GPU:0")
        gpu = np.asarray(out)
        check_gradients(fn, *arrays)
    np.testing.assert_allclose(gpu, cpu, rtol=1e-10)


@needs_gpu
def test_gpu_function_and_keras_fit():
    with tf.device("/GPU:0"):
        f = tf.function(lambda a: tf.reduce_sum(a * a))
        assert float(f(tf.constant([1.0, 2.0]))) == 5.0
        model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
        model.compile("sgd", "mse")
        model.fit(np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), epochs=1, verbose=0)
