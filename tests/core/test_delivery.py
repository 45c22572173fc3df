"""The core's rules for where result files may be downloaded from (shared by the plugins)."""

from __future__ import annotations

import pytest

from tryon.delivery import delivery_problem, listed, origin_of, shown, trusted_delivery_hosts

API = "https://api.example.com"


def _cdn(host: str) -> bool:
    return host == "cdn.example.net" or host.endswith(".cdn.example.net")


@pytest.mark.parametrize(("url", "extra", "fragment"), [
    ("https://cdn.example.net/a.png", (), None),
    ("https://v3.cdn.example.net/a.png", (), None),
    ("https://api.example.com/files/a.png", (), None),
    ("http://cdn.example.net/a.png", (), "is not on the CDN"),            # the provider's host over http
    ("https://cdn.example.net.evil.example/a", (), "is not on the CDN"),  # a look-alike
    ("https://evilcdn.example.net/a", (), "is not on the CDN"),           # not a subdomain
    ("https://user@cdn.example.net/a", (), "not an http(s) URL"),
    ("https://files.example.org/a.png", ("files.example.org",), None),
    ("https://files.example.org:8443/a.png", ("files.example.org:8443",), None),
    ("https://files.example.org:8443/a.png", ("files.example.org:443",), "add files.example.org:8443"),
])
def test_delivery_problem(url: str, extra: tuple[str, ...], fragment: str | None) -> None:
    problem = delivery_problem(url, API, extra, known=_cdn, what="result URL", hosts="the CDN")
    assert problem is None if fragment is None else (problem is not None and fragment in problem)


def test_a_shown_url_drops_its_query_and_is_bounded() -> None:
    assert shown("https://x.example/a.png?sig=secret") == "https://x.example/a.png"
    assert len(shown("https://x.example/" + "a" * 500)) == 200
    origin = origin_of("https://x.example:8443/a")
    assert origin == ("https", "x.example", 8443) and listed(origin, ["x.example"])


@pytest.mark.parametrize(("base_url", "trusted"), [
    ("http://127.0.0.1:8080", {"127.0.0.1:8080", "extra.example"}),
    ("http://localhost:9000", {"localhost:9000", "extra.example"}),
    ("https://api.example.com", {"extra.example"}),
])
def test_a_private_api_origin_is_trusted_only_when_base_url_is_private(base_url: str, trusted: set[str]) -> None:
    assert trusted_delivery_hosts(base_url, ["extra.example"]) == trusted


def test_data_uris_are_decoded_within_the_cap() -> None:
    import base64

    from tryon.delivery import DataURIError, decode_data_uri

    data = b"\x89PNG" + bytes(100)
    uri = "data:image/png;base64," + base64.b64encode(data).decode()
    assert decode_data_uri(uri, 1000) == data
    for bad, fragment in [("data:image/png,raw", "not base64"), ("data:image/png;base64,@@@", "invalid base64"),
                          (uri, "larger than 10 bytes")]:
        with pytest.raises(DataURIError, match=fragment):
            decode_data_uri(bad, 10 if bad == uri else 1000)
