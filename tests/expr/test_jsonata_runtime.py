"""The JSONata evaluator: AWS's depth bound, our time bound, quiet failures, the evaluation's
clock, and threads evaluating at once."""

from __future__ import annotations

import threading
import time

import pytest

from asl.expr.jsonata import QueryEvaluationError, compile_template, runtime
from jsonata_support import run


@pytest.mark.parametrize("depth, ok", [(100, True), (101, False)])
def test_depth_bound_is_awss_hundred(depth, ok):
    terms = "{% " + "+".join(["1"] * depth) + " %}"
    parens = "{% " + "(" * (depth - 1) + "1" + ")" * (depth - 1) + " %}"
    for template in (terms, parens):
        if ok:
            assert run(template) in (depth, 1)
        else:
            with pytest.raises(QueryEvaluationError, match="Stack overflow error"):
                run(template)


def test_runaway_recursion_times_out(monkeypatch):
    monkeypatch.setattr(runtime, "EVALUATION_TIMEOUT_SECONDS", 0.2)
    with pytest.raises(QueryEvaluationError, match="Expression evaluation timeout: Check for infinite loop"):
        run("{% ($f := function($x) { $f($x + 1) }; $f(1)) %}")
    # `and` / `or` wrap foreign exceptions; the bound must come through as itself
    with pytest.raises(QueryEvaluationError, match="Expression evaluation timeout"):
        run("{% true and ($f := function() { $f() }; $f()) %}")


def test_calling_a_non_function_prints_nothing(capsys):
    with pytest.raises(QueryEvaluationError):
        run("{% ($x := 1; $x()) %}")
    assert capsys.readouterr().out == ""


def test_now_is_the_evaluation_time():
    before = int(time.time() * 1000)
    compile_template("{% 1 %}")                 # compiling another expression must not freeze $millis
    value = run("{% $millis() %}")
    assert before <= value <= int(time.time() * 1000)
    assert run("{% $millis() = $millis() %}") is True


def test_concurrent_evaluations_do_not_interfere():
    field = compile_template({"v": "{% ($x := $states.input.i; $sum([1..100]) + $x) %}"})
    results, errors = {}, []

    def worker(i):
        try:
            for _ in range(50):
                results.setdefault(i, set()).add(field.evaluate({"input": {"i": i}})["v"])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == {i: {5050 + i} for i in range(8)}
