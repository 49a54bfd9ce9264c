"""Graphs of state machines: the model, a run's overlay, diffs, and one emitter per format."""
