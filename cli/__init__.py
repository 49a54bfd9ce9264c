"""The `sfn` command line: a thin click layer over the `asl` library."""
