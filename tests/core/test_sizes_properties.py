"""Property-based tests (Hypothesis, ``ci`` profile) over the size parser and the URL parser:
every spelling of a size normalises to one canonical ``WxH`` or is refused with a message;
what a size rule proposes as the nearest size fits the rule; a URL tryon accepts means the
same host to urllib3 and ``urllib.parse`` as to tryon."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from urllib3.util import parse_url as urllib3_parse

from tryon.errors import InvalidOptionError, UnsafeURLError
from tryon.request import GenerateRequest
from tryon.sizes import SizeRule, Sizes, normalize_size, parse_size, size_problem
from tryon.urls import parse_url

edges = st.integers(0, 999_999)
spaces = st.sampled_from(["", " ", "  ", "\t"])
times = st.sampled_from(["x", "X", "×", "*"])


@given(edges, edges, spaces, times, spaces, spaces)
def test_every_spelling_of_a_size_normalises_to_one(w: int, h: int, a: str, x: str, b: str, c: str) -> None:
    text = f"{c}{w}{a}{x}{b}{h}{c}"
    assert parse_size(text) == (w, h)
    assert normalize_size(text) == f"{w}x{h}"
    assert normalize_size((w, h)) == f"{w}x{h}" == normalize_size([w, h])


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.none(), st.binary(max_size=10),
                 st.tuples(st.one_of(st.integers(), st.floats(), st.text(max_size=4), st.none()),
                           st.one_of(st.integers(), st.floats(), st.text(max_size=4), st.none()))))
def test_any_size_value_is_canonical_or_refused_with_a_message(value: object) -> None:
    normal = normalize_size(value)
    assert repr(normalize_size(normal)) == repr(normal)  # idempotent
    try:
        request = GenerateRequest(prompt="x", size=value)
    except InvalidOptionError as exc:
        assert "size" in exc.options and str(exc)
        assert isinstance(size_problem(value), str)
        return
    assert request.size is None or request.size == "auto" or request.size == "{}x{}".format(*parse_size(request.size))


rules = st.builds(
    SizeRule,
    multiple_of=st.sampled_from([1, 8, 16, 32, 64]),
    min_edge=st.one_of(st.none(), st.integers(16, 512)),
    max_edge=st.one_of(st.none(), st.integers(512, 4096)),
    min_aspect=st.one_of(st.none(), st.sampled_from([1 / 3, 1 / 4, 9 / 21])),
    max_aspect=st.one_of(st.none(), st.sampled_from([3.0, 4.0, 21 / 9])),
    max_pixels=st.one_of(st.none(), st.integers(512 * 512, 4096 * 4096)),
)


@given(rules, st.integers(1, 10_000), st.integers(1, 10_000))
def test_the_nearest_size_a_rule_proposes_fits_the_rule(rule: SizeRule, w: int, h: int) -> None:
    near = rule.nearest(w, h)
    if near is not None:
        assert rule.violations(*near) == [], (rule, w, h, near)
        assert Sizes.any(rule).accepts(f"{near[0]}x{near[1]}")


@given(st.integers(1, 4096), st.integers(1, 4096))
def test_a_rule_accepts_exactly_what_has_no_violations(w: int, h: int) -> None:
    rule = SizeRule(multiple_of=16, min_edge=64, max_edge=2048, max_pixels=2048 * 2048)
    assert Sizes.any(rule).accepts(f"{w}x{h}") == (rule.violations(w, h) == [])


url_chars = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
ascii_hostish = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-_[]:@\\%/?#x", max_size=30)


@given(st.sampled_from(["http://", "https://", "HTTP://", "http:/", "http:\\\\", ""]),
       st.one_of(ascii_hostish, url_chars), st.one_of(st.just(""), st.text(max_size=20)))
def test_an_accepted_url_means_the_same_host_to_every_parser(scheme: str, authority: str, path: str) -> None:
    url = f"{scheme}{authority}/{path}"
    try:
        target = parse_url(url)
    except UnsafeURLError:
        return
    again = parse_url(target.url)
    assert again == target
    split = urlsplit(target.url)
    assert (split.hostname or "") == target.host and (split.port or target.port) == target.port
    parsed = urllib3_parse(target.url)
    assert (parsed.host or "").strip("[]").lower() == target.host
    assert "@" not in split.netloc and "\\" not in target.url


@pytest.mark.parametrize("url", ["http://example.com:80/x", "https://a.b.c.example:8443/p?q=1"])
def test_the_url_parser_accepts_ordinary_urls(url: str) -> None:
    assert parse_url(url).url.startswith(url.split(":")[0])


def test_regression_nearest_never_proposes_an_unspellable_size() -> None:
    # found by Hypothesis: the rule's minimum edge scaled a 1x5682 request to 176x1000032
    assert SizeRule(min_edge=176).nearest(1, 5682) is None
