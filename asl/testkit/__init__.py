"""Tools for testing state machines, above the composition root (asl.api): the pytest plugin,
`sfn test` suites, path coverage. (asl.testing holds TestState, which asl.api itself serves.)"""
