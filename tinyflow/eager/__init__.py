"""Eager execution: ``GradientTape`` records eager ops so that they can be differentiated."""
