"""The expected output and transition count of each benchmark workload, computed without sfn.

Standard library only: `peers/floor.py` runs these as the hand-written Python floor, so importing
this module must cost no more than the data work itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any, Callable


def pass_chain(inp: dict) -> tuple[Any, int]:
    n = inp["iterations"]
    # Init sets i=0; Increment/Check loop until i == n (at least one Increment).
    return {"i": max(n, 1), "n": n}, 2 * max(n, 1) + 2


def paths_heavy(inp: dict) -> tuple[Any, int]:
    i0, n = inp["loop"]["i"], inp["loop"]["n"]
    loops = max(n - i0, 1)
    orders = inp["orders"]
    last_i = i0 + loops
    out = {"iterations": last_i, "orders": len(orders),
           "last": {"sel": last_i - 1, "insp": orders[5]["id"], "enr": len(orders)}}
    return out, 7 * loops + 1


def map_items(inp: dict) -> tuple[Any, int]:
    items = inp["items"]
    out = [{"id": it["id"], "size": "big" if it["v"] > 3 else "small"} for it in items]
    return out, 1 + 3 * len(items)


def parallel_fanout(defn: dict, inp: dict) -> tuple[Any, int]:
    n = inp["iterations"]
    k = max(n, 1)
    branches = len(defn["States"]["Fanout"]["Branches"])
    return [{"i": k, "n": n, "b": b} for b in range(branches)], 1 + branches * (2 * k + 2)


def retry_catch(error: str, per_loop: int) -> Callable[[dict], tuple[Any, int]]:
    def expected(inp: dict) -> tuple[Any, int]:
        loops = max(inp["n"] - inp["i"], 1)
        return {"i": inp["i"] + loops, "n": inp["n"], "lastError": error}, per_loop * loops + 1
    return expected


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def intrinsics(inp: dict) -> tuple[Any, int]:
    c = inp["c"]
    loops = max(inp["n"] - inp["i"], 1)
    last = inp["i"] + loops - 1  # $.i as the last Compute sees it
    lst = c["list"]
    unique: list = []
    for v in lst:
        if v not in unique:
            unique.append(v)
    r = {
        "format": f"Order {last} for {c['name']} shipped to {c['city']}",
        "jsonText": compact(c["obj"]),
        "jsonValue": json.loads(c["objStr"]),
        "array": [last, c["name"], lst],
        "length": len(lst),
        "hash": hashlib.sha256(c["name"].encode()).hexdigest(),
        "uuid": "<uuid>",  # random: checked by shape below
        "b64": base64.b64encode(c["name"].encode()).decode(),
        "unb64": base64.b64decode(c["b64"]).decode(),
        "partition": [lst[k:k + 4] for k in range(0, len(lst), 4)],
        "contains": 7 in lst,
        "range": list(range(1, 21, 3)),
        "item": lst[5],
        "unique": unique,
        "split": c["csv"].split(","),
        "merged": {**c["obj"], **c["obj2"]},
    }
    return {"c": c, "n": inp["n"], "i": last + 1, "r": r}, 2 * loops + 1


def intrinsics_normalise(output: Any) -> Any:
    """Replace the random UUID by a marker once its shape is checked."""
    if isinstance(output, dict) and isinstance(output.get("r"), dict):
        uid = output["r"].get("uuid")
        if isinstance(uid, str) and _UUID.match(uid):
            output = {**output, "r": {**output["r"], "uuid": "<uuid>"}}
    return output


def large_definition(defn: dict, inp: dict) -> tuple[Any, int]:
    """A minimal Pass-chain evaluator (constant / `$.x` Parameters, Result, ResultPath)."""
    states, name, data, count = defn["States"], defn["StartAt"], inp, 0
    while True:
        state = states[name]
        assert state["Type"] == "Pass" and "InputPath" not in state and "OutputPath" not in state
        count += 1
        if "Parameters" in state:
            result = {}
            for key, value in state["Parameters"].items():
                if key.endswith(".$"):
                    assert re.fullmatch(r"\$\.\w+", value), value
                    result[key[:-2]] = data[value[2:]]
                else:
                    result[key] = value
        elif "Result" in state:
            result = state["Result"]
        else:
            result = data
        target = state.get("ResultPath", "$")
        if target == "$":
            data = result
        else:
            assert re.fullmatch(r"\$\.\w+", target), target
            data = {**data, target[2:]: result}
        if state.get("End"):
            return data, count
        name = state["Next"]


# Per definition of ../shared/bench/workloads: (definition, input) -> (output, transitions).
EXPECTED = {
    "pass_chain": lambda d, i: pass_chain(i),
    "paths_heavy": lambda d, i: paths_heavy(i),
    "map_inline_mc0": lambda d, i: map_items(i),
    "map_inline_mc1": lambda d, i: map_items(i),
    "parallel_fanout": parallel_fanout,
    "intrinsics": lambda d, i: intrinsics(i),
    "retry_catch": lambda d, i: retry_catch("Custom.Boom", 4)(i),
    "retry_catch_task": lambda d, i: retry_catch("BenchAlwaysFails", 3)(i),
    "large_definition": large_definition,
}
