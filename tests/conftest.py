"""Shared pytest setup: every test starts in eager mode with a fresh default graph and seed."""
import pytest

import tinyflow.random
from tinyflow.framework import context


@pytest.fixture(autouse=True)
def _fresh_tinyflow_state():
    context.graph_stack.clear()
    context.tape_stack.clear()
    context.enable_eager_execution()
    context.reset_default_graph()
    tinyflow.random.set_seed(None)
    yield
    context.graph_stack.clear()
    context.tape_stack.clear()
    context.enable_eager_execution()
    context.reset_default_graph()
