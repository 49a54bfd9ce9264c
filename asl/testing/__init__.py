"""Testing tools: TestState offline."""
