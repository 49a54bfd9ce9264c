"""The interpreter: runs a built StateMachine, emitting AWS-shaped history events."""
