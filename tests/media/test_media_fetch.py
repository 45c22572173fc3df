"""URL fetching: SSRF refusals, manual redirects re-checked, streaming size cap, timeouts, retries.

Every test talks only to a local server on 127.0.0.1 (or refuses before connecting).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from media_helpers import LocalServer, Reply, image_bytes

from tryon.errors import InvalidInputError, UnsafeURLError
from tryon.media import (
    URLFetcher,
    configure_fetcher,
    default_fetcher,
    display_url,
    is_public_address,
    load_image,
)
from tryon.media import fetch as fetch_module

PNG = image_bytes("PNG", (16, 16))


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        srv.routes["/img.png"] = Reply(200, PNG, {"Content-Type": "image/png; charset=binary"})
        yield srv


def local(**kwargs: object) -> URLFetcher:
    options: dict[str, object] = {"allow_private": True, "retries": 0, "backoff_factor": 0.0}
    options.update(kwargs)
    return URLFetcher(**options)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- addresses


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2001:4860:4860::8888", "1.1.1.1"])
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "::",
        "100.64.0.1",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "fd00::1",
        "fe80::1",
        "fe80::1%eth0",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",
        "2002:0a00:0001::1",
        "64:ff9b::7f00:1",
        "fec0::1",
        "192.0.2.1",
        "not-an-ip",
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


# --------------------------------------------------------------------------- refusals (no connection made)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x.png",
        "http://127.0.0.1:8080/x.png",
        "http://localhost/x.png",
        "http://LOCALHOST/x.png",
        "http://[::1]/x.png",
        "http://10.0.0.5/x.png",
        "http://192.168.0.10/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/x.png",
        "http://100.64.1.1/x.png",
        "http://[fd12:3456::1]/x.png",
        "http://[::ffff:127.0.0.1]/x.png",
        "http://2130706433/x.png",
        "https://127.1/x.png",
    ],
)
def test_private_and_local_hosts_are_refused(url: str) -> None:
    fetcher = URLFetcher(allow_private=False)
    with pytest.raises(UnsafeURLError, match=r"non-public address|unusual spelling|written as IPv6"):
        fetcher.fetch(url)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/a.png", "gopher://example.com/", "dict://x/"]
)
def test_other_schemes_are_refused_by_the_fetcher(url: str) -> None:
    with pytest.raises(UnsafeURLError, match="only http:// and https://"):
        URLFetcher().fetch(url)


def test_refusal_message_hides_credentials_and_query() -> None:
    with pytest.raises(UnsafeURLError) as info:
        URLFetcher().fetch("http://admin:hunter2@127.0.0.1/x.png?key=sk-abcdefghijklmnop&sig=zzz")
    message = str(info.value)
    assert (
        "hunter2" not in message
        and "admin" not in message
        and "sk-abc" not in message
        and "zzz" not in message
    )
    assert "http://127.0.0.1/x.png?..." in message


def test_display_url() -> None:
    assert (
        display_url("https://u:p@cdn.example.com:8443/a/b.png?x=1#frag")
        == "https://cdn.example.com:8443/a/b.png?..."
    )
    assert display_url("http://[::1]/x") == "http://[::1]/x"


def test_malformed_urls() -> None:
    with pytest.raises(InvalidInputError, match="port is not a decimal number"):
        URLFetcher().fetch("http://example.com:notaport/x.png")
    with pytest.raises(InvalidInputError, match="no host"):
        URLFetcher().fetch("http:///x.png")


def test_unresolvable_host(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    monkeypatch.setattr(fetch_module, "_resolve", fail)
    with pytest.raises(InvalidInputError, match="cannot resolve the host"):
        URLFetcher().fetch("https://no-such-host.invalid/x.png")


def test_a_host_with_any_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch_module, "_resolve", lambda host, port: ["93.184.216.34", "10.0.0.7"])
    with pytest.raises(UnsafeURLError, match=r"10\.0\.0\.7"):
        URLFetcher().check("https://mixed.example.com/x.png")
    monkeypatch.setattr(fetch_module, "_resolve", lambda host, port: ["93.184.216.34"])
    URLFetcher().check("https://public.example.com/x.png")  # no error: nothing is fetched


# --------------------------------------------------------------------------- fetching


def test_fetch_returns_bytes_and_content_type(server: LocalServer) -> None:
    data, content_type = local().fetch(server.url("/img.png"))
    assert data == PNG and content_type == "image/png"
    assert server.headers_seen[-1]["User-Agent"].startswith("tryon/")


def test_redirects_are_followed_manually(server: LocalServer) -> None:
    server.routes["/a"] = Reply(302, headers={"Location": "/b"})
    server.routes["/b"] = Reply(301, headers={"Location": server.url("/img.png")})
    data, _ = local().fetch(server.url("/a"))
    assert data == PNG
    assert (server.hits["/a"], server.hits["/b"], server.hits["/img.png"]) == (1, 1, 1)


def test_a_redirect_to_loopback_is_refused(server: LocalServer) -> None:
    # the first host is trusted explicitly (as an internal CDN would be); the redirect target is not
    server.routes["/jump"] = Reply(302, headers={"Location": server.url("/img.png", host="localhost")})
    fetcher = URLFetcher(allowed_hosts={"127.0.0.1"}, retries=0)
    assert fetcher.allow_private is False
    with pytest.raises(UnsafeURLError, match="localhost resolves to a non-public address"):
        fetcher.fetch(server.url("/jump"))
    assert server.hits["/jump"] == 1 and server.hits["/img.png"] == 0


def test_a_redirect_to_another_scheme_is_refused(server: LocalServer) -> None:
    server.routes["/jump"] = Reply(302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(UnsafeURLError, match="only http"):
        local().fetch(server.url("/jump"))


def test_redirect_limit(server: LocalServer) -> None:
    server.routes["/loop"] = Reply(302, headers={"Location": "/loop"})
    with pytest.raises(InvalidInputError, match="more than 3 redirects"):
        local(max_redirects=3).fetch(server.url("/loop"))
    assert server.hits["/loop"] == 4


def test_dns_rebinding_cannot_reach_the_second_answer(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the check sees a public address; the connection is pinned to it (blocked by the test socket
    # guard), so the loopback server is never reached
    monkeypatch.setattr(fetch_module, "_resolve", lambda host, port: ["93.184.216.34"])
    with pytest.raises(InvalidInputError, match="cannot fetch"):
        URLFetcher(retries=0).fetch(server.url("/img.png", host="rebind.example"))
    assert server.hits["/img.png"] == 0


def test_size_cap_while_streaming_without_content_length(server: LocalServer) -> None:
    server.routes["/big"] = Reply(200, b"x" * 300_000, content_length=False, chunks=30)
    with pytest.raises(InvalidInputError, match=r"larger than the 97\.7 KiB download limit"):
        local(max_bytes=100_000).fetch(server.url("/big"))


def test_declared_content_length_over_the_cap_is_refused_early(server: LocalServer) -> None:
    server.routes["/big"] = Reply(200, b"x" * 300_000)
    with pytest.raises(InvalidInputError, match=r"it is 293\.0 KiB, over the 97\.7 KiB download limit"):
        local(max_bytes=100_000).fetch(server.url("/big"))


def test_read_timeout(server: LocalServer) -> None:
    server.routes["/slow"] = Reply(200, PNG, delay=3.0)
    started = time.monotonic()
    with pytest.raises(InvalidInputError, match="timed out"):
        local(timeout=(2.0, 0.3)).fetch(server.url("/slow"))
    assert time.monotonic() - started < 2.5


def test_total_deadline(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.routes["/drip"] = Reply(200, b"x" * 200_000, content_length=False, chunks=50)
    with pytest.raises(InvalidInputError, match="took longer than"):
        local(total_timeout=0.0).fetch(server.url("/drip"))


def test_retries_on_503_then_success(server: LocalServer) -> None:
    server.routes["/flaky"] = [Reply(503), Reply(503), Reply(200, PNG)]
    data, _ = local(retries=2).fetch(server.url("/flaky"))
    assert data == PNG
    assert server.hits["/flaky"] == 3


def test_retries_exhausted_gives_the_last_status(server: LocalServer) -> None:
    server.routes["/down"] = Reply(503)
    with pytest.raises(InvalidInputError, match="HTTP 503"):
        local(retries=1).fetch(server.url("/down"))
    assert server.hits["/down"] == 2


def test_non_2xx_names_url_and_status_without_credentials(server: LocalServer) -> None:
    url = server.url("/missing.png").replace("http://", "http://user:s3cret@") + "?token=abcdef"
    with pytest.raises(UnsafeURLError, match="credentials in URLs") as info:
        local().fetch(url)
    assert server.hits["/missing.png"] == 0  # refused before anything was sent
    message = str(info.value)
    assert "/missing.png" in message
    assert "s3cret" not in message and "abcdef" not in message and "user:" not in message


def test_connection_refused(server: LocalServer) -> None:
    port = server.port
    server.httpd.server_close()
    with pytest.raises(InvalidInputError, match="cannot fetch"):
        local().fetch(f"http://127.0.0.1:{port}/img.png")


def test_allow_private_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRYON_ALLOW_PRIVATE_URLS", "1")
    assert URLFetcher().allow_private is True
    monkeypatch.setenv("TRYON_ALLOW_PRIVATE_URLS", "0")
    assert URLFetcher().allow_private is False
    assert URLFetcher(allow_private=True).allow_private is True


def test_configure_the_default_fetcher(server: LocalServer) -> None:
    try:
        configured = configure_fetcher(allow_private=True, retries=0)
        assert default_fetcher() is configured
        assert load_image(server.url("/img.png")).data == PNG
    finally:
        configure_fetcher()
    assert default_fetcher().allow_private is False
    with pytest.raises(UnsafeURLError):
        load_image(server.url("/img.png"))


def test_fetched_non_image_is_an_invalid_input(server: LocalServer) -> None:
    server.routes["/page"] = Reply(200, b"<!doctype html><html></html>", {"Content-Type": "text/html"})
    with pytest.raises(InvalidInputError, match=r"/page' is not an image: it is an HTML page"):
        load_image(server.url("/page"), fetcher=local())


def test_fetcher_argument_validation() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        URLFetcher(max_bytes=0)
    with pytest.raises(ValueError, match="negative"):
        URLFetcher(max_redirects=-1)
    assert "allow_private=False" in repr(URLFetcher(allow_private=False))
