"""``smrc.jsonlimits.loads_bounded``: the depth is measured exactly and in linear time, before the parser runs."""

import json
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smrc.jsonlimits import JSONLimitError, JSONTooDeep, JSONTooLarge, json_depth, loads_bounded

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\, :abc'),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\a'), inner, max_size=3),
    max_leaves=30,
)


def depth_of(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    return 0


@given(json_values, st.booleans())
def test_the_depth_of_any_json_is_exact_whatever_its_strings_hold(value, indent):
    text = json.dumps(value, indent=1 if indent else None)
    assert json_depth(text, stop_after=1000) == depth_of(value)
    assert loads_bounded(text, max_depth=depth_of(value), max_bytes=10**6) == value


@pytest.mark.parametrize(
    ("text", "depth"),
    [("{}", 1), ("1", 0), ('"[[[["', 0), ('{"a": [1, {"b": "]]\\"[["}]}', 3), ("[[], [[]]]", 3), ("[" * 5, None)],
)
def test_depth_examples(text, depth):
    assert json_depth(text, stop_after=32) == depth


def test_too_deep_too_big_and_not_json_are_refused_with_their_reason():
    with pytest.raises(JSONTooDeep, match="deeper than 32 levels"):
        loads_bounded(b"[" * 100_000 + b"]" * 100_000, max_depth=32, max_bytes=10**6)
    with pytest.raises(JSONTooLarge, match="over the limit of 10 bytes"):
        loads_bounded(b'{"a": "12345678"}', max_depth=32, max_bytes=10)
    with pytest.raises(JSONTooLarge):
        loads_bounded('"ééééé"', max_depth=32, max_bytes=10)  # counted in UTF-8 bytes, not characters
    with pytest.raises(JSONLimitError, match="not UTF-8"):
        loads_bounded(b'{"a": "\xff"}', max_depth=32, max_bytes=100)
    with pytest.raises(JSONLimitError, match="not JSON"):
        loads_bounded(b"[1" + b"0" * 5000 + b"]", max_depth=32, max_bytes=10**4)  # past Python's digit limit
    with pytest.raises(JSONLimitError, match="do not pair up"):
        loads_bounded("[" * 50_000 + "]", max_depth=32, max_bytes=10**6)
    assert issubclass(JSONLimitError, ValueError)


@pytest.mark.parametrize(
    "text",
    [
        '"' + '\\"' * 500_000,  # a string that never ends, made of escaped quotes
        '"' + '\\"' * 500_000 + "\\",
        '"' * 1_000_000,
        '["\\' * 300_000,
        "[" * 500_000 + "]" * 500_000,
    ],
    ids=["escaped quotes", "trailing backslash", "quotes", "mixed", "deep"],
)
def test_hostile_megabytes_are_measured_in_linear_time(text):
    started = time.perf_counter()
    with pytest.raises(JSONLimitError):
        loads_bounded(text, max_depth=32, max_bytes=2 * 10**6)
    assert time.perf_counter() - started < 3  # quadratic would take minutes
