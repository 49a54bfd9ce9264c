"""Execution names: StartExecution's rules, and a name the store holds is never run (or replaced) again."""

import json

import pytest
from click.testing import CliRunner

from asl.errors import ApiError
from asl.store import Recording, Store, check_execution_name
from cli.main import sfn

PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}


def cli(*args):
    return CliRunner().invoke(sfn, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("name,code", [
    ("order-42_retry.1", None),
    ("é日本", None),                     # letters of any script
    ("x" * 80, None),
    ("x" * 81, "ValidationException"),
    ("", "ValidationException"),
    ("a b", "InvalidName"), ("a\tb", "InvalidName"), ("a\u2003b", "InvalidName"),  # whitespace
    ("a:b", "InvalidName"),             # would make another execution's ARN
    *[(f"a{c}b", "InvalidName") for c in "<>{}[]?*\"#%\\^|~`$&,;/"],
    ("a\x00", "InvalidName"), ("a\x7f", "InvalidName"), ("a\x9f", "InvalidName"),
    ("a\ufffe", "InvalidName"), ("a\udcff", "InvalidName"), ("a\U0010ffff", "InvalidName"),
])
def test_execution_names_follow_start_execution(name, code):
    if code is None:
        check_execution_name(name)
        return
    with pytest.raises(ApiError) as caught:
        check_execution_name(name)
    assert caught.value.code == code and "\n" not in str(caught.value)


def test_messages_are_aws_wording():
    with pytest.raises(ApiError, match=r"^--execution-name: InvalidName: Invalid Name: 'a b'$"):
        check_execution_name("a b", "--execution-name")
    with pytest.raises(ApiError, match=r"Member must have length less than or equal to 80$"):
        check_execution_name("x" * 81)


def test_the_store_never_replaces_an_execution(tmp_path):
    store = Store(tmp_path / "s.db")
    first = Recording(store, "m", "once", None, {"n": 1})
    with pytest.raises(ApiError) as caught:
        Recording(store, "m", "once", None, {"n": 2})
    assert caught.value.code == "ExecutionAlreadyExists"
    assert caught.value.detail == f"Execution Already Exists: '{first.arn}'"
    assert str(caught.value) == f"{store.path}: ExecutionAlreadyExists: Execution Already Exists: '{first.arn}'"
    assert store.find_execution("once")["input"] == {"n": 1}
    # The same name on another machine is another execution.
    Recording(store, "other", "once", None, {})


def test_express_names_may_repeat(tmp_path):
    store = Store(tmp_path / "s.db")
    arns = {Recording(store, "m", "again", None, {}, express=True).arn for _ in range(2)}
    assert len(arns) == 2 and all(":express:m:again:" in arn for arn in arns)


@pytest.fixture
def definition(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(PASS))
    return path


def test_sfn_run_refuses_a_name_the_store_holds_before_running(definition, tmp_path):
    store = tmp_path / "s.db"
    first = cli("run", definition, "--store", store, "--execution-name", "x", "--output", "json", "--input", '{"a": 1}')
    assert first.exit_code == 0
    again = cli("run", definition, "--store", store, "--execution-name", "x", "--output", "json", "--input", '{"a": 2}')
    assert again.exit_code == 2 and again.stdout == ""
    assert again.stderr == (f"{store}: ExecutionAlreadyExists: Execution Already Exists: "
                            "'arn:aws:states:us-east-1:123456789012:execution:m:x'\n")
    kept = Store(store).find_execution("x")
    assert kept["input"] == {"a": 1} and kept["status"] == "SUCCEEDED"


@pytest.mark.parametrize("store_args", [[], ["--no-store"]])
def test_sfn_run_refuses_an_invalid_name_before_running(definition, store_args):
    result = cli("run", definition, "--execution-name", "a:b", "--output", "json", *store_args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == "--execution-name: InvalidName: Invalid Name: 'a:b'\n"
    assert not (definition.parent / ".sfn").exists()


def test_the_plain_name_shortcut_agrees_with_the_full_check():
    import re
    import uuid

    from asl.store import names

    forbidden = re.compile(names._FORBIDDEN)
    # Every ASCII character alone and between letters, and names of the plain characters.
    for name in [*map(chr, range(128)), *(f"a{chr(c)}b" for c in range(128)), "order-42_retry.1", "---", "..", "_"]:
        assert not (names._plain(name) and forbidden.search(name)), repr(name)
    assert names._plain(str(uuid.uuid4())) and names._plain("order-42_retry.1")
    assert not names._plain("é日本") and not names._plain("a b")
    names._forbidden.cache_clear()
    check_execution_name(str(uuid.uuid4()))
    assert names._forbidden.cache_info().currsize == 0  # a UUID name never compiles the pattern
    with pytest.raises(ApiError):
        check_execution_name("a b")
