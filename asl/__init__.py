"""sfn's library: load, validate, build and run Amazon States Language state machines."""
