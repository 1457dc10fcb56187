"""Benchmarks: tinyflow's speed as ratios against hand-written numpy (and TF/PyTorch when installed).

Run ``python -m benchmarks`` (all) or ``python -m benchmarks overhead``. Not part of the test suite.
"""
