"""Hypothesis strategies for malformed but well-typed provider answers (shared by the parser tests)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hypothesis import strategies as st

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6), st.sampled_from(["", "x", "image/png", "iVBORw0KGgo=", "!!notbase64!!", "Ready"]),
)


def json_values(keys: Iterable[str], *, leaves: st.SearchStrategy[Any] = SCALARS) -> st.SearchStrategy[Any]:
    """JSON values nested up to a few levels, whose object keys are mostly the API's own field names
    (so that the parser walks deep into them) and sometimes anything."""
    names = st.one_of(st.sampled_from(sorted(keys)), st.text(max_size=4))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(names, inner, max_size=5)), max_leaves=12)


def answers(keys: Iterable[str], top: Iterable[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object answer: its top-level fields (*top*) each holding any JSON value."""
    values = json_values(keys)
    return st.dictionaries(st.sampled_from(sorted(top)), values, min_size=1, max_size=len(list(top)))
