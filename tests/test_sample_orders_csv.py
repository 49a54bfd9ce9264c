"""samples/orders-csv runs as the README shows: batches priced, results and manifest written back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from asl.api import run_machine
from asl.definition import load_machine

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "orders-csv"


def test_the_orders_sample_writes_its_results_to_the_bucket(tmp_path):
    s3 = tmp_path / "s3"
    shutil.copytree(SAMPLE / "s3", s3)
    _, machine = load_machine(str(SAMPLE / "orders.asl.json"))
    result = run_machine(machine, json.loads((SAMPLE / "input.json").read_text()), name="orders",
                         resources=str(SAMPLE / "resources.yaml"), s3_dir=s3, store=None)
    assert result.status == "SUCCEEDED"
    [succeeded] = result.output["succeededFiles"]
    [failed] = result.output["failedFiles"]
    priced = json.loads((s3 / "orders" / succeeded["Key"]).read_text())
    assert [(o["orderId"], o["gross"], o["currency"]) for o in priced] == [
        ("1001", 22.8, "EUR"), ("1002", 144.0, "EUR"), ("1003", 19.2, "EUR")]
    [batch] = json.loads((s3 / "orders" / failed["Key"]).read_text())
    assert batch["Error"] == "EmptyOrder" and '"order_id":"1004"' in batch["Input"]
    assert (s3 / "orders" / succeeded["Key"]).parent.joinpath("manifest.json").is_file()
