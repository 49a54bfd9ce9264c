"""The Python floor of a benchmark workload: read its files and compute its output by hand.

argv: the workload's definition name, definition file, input file. Prints {"status", "output"} as JSON, like
`sfn run --output json`, so benchmarks/peer_bench.py times and checks it the same way.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import expected  # noqa: E402

name, definition_file, input_file = sys.argv[1:4]
with open(definition_file, encoding="utf-8") as fh:
    definition = json.load(fh)
with open(input_file, encoding="utf-8") as fh:
    data = json.load(fh)
output, _ = expected.EXPECTED[name](definition, data)
sys.stdout.write(json.dumps({"status": "SUCCEEDED", "output": output}))
