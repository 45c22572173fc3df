"""Class 1 of issue 11: one strict parse decides what is checked and what is requested.

Every ambiguous URL is refused by the parser, by the URL fetcher (even with private addresses
allowed) and by the core's ``send``, before a byte reaches the local server; connections go
to the address that was checked (DNS rebinding); every redirect hop is checked; keys go only
to their host; ``configure_fetcher()`` restores the refusal of private addresses.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from media_helpers import LocalServer, Reply, image_bytes

import tryon
from tryon.errors import InvalidInputError, InvalidResponseError, UnsafeURLError
from tryon.http import send, shared_session
from tryon.media import URLFetcher, configure_fetcher, default_fetcher
from tryon.urls import parse_url

PNG = image_bytes("PNG", (8, 8))

# {P} is the local server's port: each URL below could reach it if a parser read it "the other way"
AMBIGUOUS = [
    # backslashes
    "http://127.0.0.1:{P}\\@public.example/x",
    "http://public.example\\@127.0.0.1:{P}/x",
    "http:\\\\127.0.0.1:{P}/x",
    "http://127.0.0.1:{P}\\x",
    "http://127.0.0.1\\.public.example:{P}/x",
    "http://127.0.0.1:{P}/a\\b",
    # userinfo
    "http://user@127.0.0.1:{P}/x",
    "http://u:p@127.0.0.1:{P}/x",
    "http://@127.0.0.1:{P}/x",
    "http://public.example@127.0.0.1:{P}/x",
    "http://127.0.0.1:{P}@public.example/x",
    "http://a%40b@127.0.0.1:{P}/x",
    "http://127.0.0.1;@public.example:{P}/x",
    # control, space and non-ASCII characters
    "http://127.0.0.1:{P}/x\x00",
    "http://127.0.0.1\t:{P}/x",
    "http://127.0.0.1:{P}\r\n/x",
    " http://127.0.0.1:{P}/x",
    "http://127.0.0.1 :{P}/x",
    "http://127.0.0.1:{P}/x\x7f",
    "http://127.0.0.1:{P}/\x85x",
    "http://127.0.0.1\u3002public.example:{P}/x",
    "http://127\uff0e0.0.1:{P}/x",
    "http://\uff11\uff12\uff17.0.0.1:{P}/x",
    "http://127.0.0.1:\uff18\uff10/x",
    "http://loc\u0430lhost:{P}/x",
    "http://local\u200bhost:{P}/x",
    "http://127.0.0.1:{P}/\ud800",
    # odd IPv4 spellings
    "http://2130706433:{P}/x",
    "http://0x7f.1:{P}/x",
    "http://0x7f000001:{P}/x",
    "http://0177.0.0.1:{P}/x",
    "http://017700000001:{P}/x",
    "http://127.1:{P}/x",
    "http://127.0.1:{P}/x",
    "http://127.000.000.001:{P}/x",
    "http://0x7f.0x0.0x0.0x1:{P}/x",
    "http://127.0.0.01:{P}/x",
    "http://1.2.3.4.5:{P}/x",
    "http://256.0.0.1:{P}/x",
    "http://0:{P}/x",
    "http://0x:{P}/x",
    "http://%31%32%37.0.0.1:{P}/x",
    "http://127.0.0.1%2f:{P}/x",
    "http://foo.127:{P}/x",
    # IPv6 forms of IPv4, zone ids, broken brackets
    "http://[::ffff:127.0.0.1]:{P}/x",
    "http://[::ffff:7f00:1]:{P}/x",
    "http://[0:0:0:0:0:ffff:127.0.0.1]:{P}/x",
    "http://[::127.0.0.1]:{P}/x",
    "http://[::7f00:1]:{P}/x",
    "http://[fe80::1%25lo]:{P}/x",
    "http://[::1:{P}/x",
    "http://[127.0.0.1]:{P}/x",
    "http://[::1]x:{P}/x",
    # ports
    "http://127.0.0.1:/x",
    "http://127.0.0.1:0/x",
    "http://127.0.0.1:65536/x",
    "http://127.0.0.1:+{P}/x",
    "http://127.0.0.1:0x50/x",
    "http://127.0.0.1:{P}:{P}/x",
    "http://127.0.0.1:-1/x",
    # schemes and missing authorities
    "file:///etc/passwd",
    "gopher://127.0.0.1:{P}/x",
    "ftp://127.0.0.1:{P}/x",
    "//127.0.0.1:{P}/x",
    "http:/127.0.0.1:{P}/x",
    "http:127.0.0.1:{P}/x",
    "http:///x",
    "127.0.0.1:{P}/x",
    "javascript:alert(1)",
    "data:image/png;base64,AAAA",
    # host names that are not host names
    "http://-bad.example:{P}/x",
    "http://bad-.example:{P}/x",
    "http://a..b:{P}/x",
    "http://" + "a" * 64 + ".example:{P}/x",
    "http://exa$mple.com:{P}/x",
    "http://exa'mple.com:{P}/x",
]


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        srv.routes["/x"] = Reply(200, PNG, {"Content-Type": "image/png"})
        srv.routes["/img.png"] = Reply(200, PNG, {"Content-Type": "image/png"})
        yield srv


def test_there_are_many_ambiguous_variants() -> None:
    assert len(AMBIGUOUS) >= 75


@pytest.mark.parametrize("template", AMBIGUOUS)
def test_the_parser_refuses_every_ambiguous_url(template: str) -> None:
    with pytest.raises(UnsafeURLError):
        parse_url(template.replace("{P}", "8080"))


@pytest.mark.parametrize("template", AMBIGUOUS)
def test_the_fetcher_sends_nothing_for_an_ambiguous_url(template: str, server: LocalServer) -> None:
    url = template.replace("{P}", str(server.port))
    with pytest.raises(InvalidInputError):
        URLFetcher(allow_private=True, retries=0).fetch(url)  # private allowed: only the parse refuses
    assert sum(server.hits.values()) == 0


@pytest.mark.parametrize("template", AMBIGUOUS[:30])
def test_send_refuses_an_ambiguous_url_before_sending(template: str, server: LocalServer) -> None:
    url = template.replace("{P}", str(server.port))
    with pytest.raises(InvalidResponseError, match="will not call this URL"):
        send(shared_session(retries=0), "GET", url, provider="test")
    assert sum(server.hits.values()) == 0


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://Example.COM/a", "http://example.com/a"),
        ("https://example.com:443/a?b=1#frag", "https://example.com/a?b=1"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com.:8080/x", "http://example.com:8080/x"),
        ("https://cdn.example.com/images/caf\u00e9.png", "https://cdn.example.com/images/caf%C3%A9.png"),
        ("http://[2001:DB8::1]:81/x", "http://[2001:db8::1]:81/x"),
        ("http://93.184.216.34/x", "http://93.184.216.34/x"),
        ("http://xn--bcher-kva.example/x", "http://xn--bcher-kva.example/x"),
        ("http://my_bucket.s3.example/x", "http://my_bucket.s3.example/x"),
        ("http://example.com/a%20b", "http://example.com/a%20b"),
    ],
)
def test_unambiguous_urls_parse_to_one_canonical_spelling(url: str, canonical: str) -> None:
    target = parse_url(url)
    assert target.url == canonical
    assert parse_url(target.url) == target  # the canonical spelling reads back the same


def test_refusals_never_show_credentials_or_queries() -> None:
    with pytest.raises(UnsafeURLError) as info:
        parse_url("http://admin:hunter2@127.0.0.1/x?token=sk-abcdefghijklmnop")
    assert "hunter2" not in str(info.value) and "sk-abc" not in str(info.value)


# --------------------------------------------------------------------------- DNS rebinding


class Resolver:
    """A getaddrinfo that answers the listed addresses for *name*, in turn (the last one repeats)."""

    def __init__(self, name: str, answers: list[str]) -> None:
        self.name, self.answers, self.calls = name, answers, 0
        self.real = socket.getaddrinfo

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != self.name:
            return self.real(host, port, *args, **kwargs)
        address = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]


REBIND_ANSWERS = [
    ["93.184.216.34", "127.0.0.1"],
    ["8.8.8.8", "127.0.0.1", "127.0.0.1"],
    ["1.1.1.1", "10.0.0.1", "127.0.0.1"],
]


@pytest.mark.parametrize("answers", REBIND_ANSWERS)
def test_a_name_that_rebinds_to_loopback_never_reaches_it(
    answers: list[str], server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = Resolver("rebind.example", answers)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with pytest.raises(InvalidInputError):
        URLFetcher(retries=2, backoff_factor=0).fetch(server.url("/img.png", host="rebind.example"))
    assert server.hits["/img.png"] == 0
    assert resolver.calls == 1  # resolved once per attempt at most: the connection used that answer


@pytest.mark.parametrize("answers", [["127.0.0.1", "93.184.216.34"], ["10.1.2.3"], ["::1"]])
def test_a_name_that_first_answers_a_private_address_is_refused(
    answers: list[str], server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", Resolver("rebind.example", answers))
    with pytest.raises(UnsafeURLError, match="non-public address"):
        URLFetcher(retries=0).fetch(server.url("/img.png", host="rebind.example"))
    assert server.hits["/img.png"] == 0


def test_a_trusted_name_connects_to_the_address_it_resolved_to_once(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = Resolver("inside.example", ["127.0.0.1", "10.9.9.9"])
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    data, _ = URLFetcher(allowed_hosts=["inside.example"], retries=0).fetch(
        server.url("/img.png", host="inside.example"))
    assert data == PNG and resolver.calls == 1
    assert server.headers_seen[-1]["Host"] == f"inside.example:{server.port}"  # Host kept, IP pinned


REDIRECT_TARGETS = [
    "http://rebind.example:{P}/img.png",
    "http://127.0.0.1:{P}\\@public.example/img.png",
    "http://2130706433:{P}/img.png",
    "http://[::ffff:127.0.0.1]:{P}/img.png",
    "//rebind.example:{P}/img.png",
    "http://user@rebind.example:{P}/img.png",
    "file:///etc/passwd",
    "http://localhost:{P}/img.png",
]


@pytest.mark.parametrize("location", REDIRECT_TARGETS)
def test_every_redirect_hop_is_checked_before_anything_is_sent(
    location: str, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", Resolver("rebind.example", ["93.184.216.34", "127.0.0.1"]))
    server.routes["/hop"] = Reply(302, b"", {"Location": location.replace("{P}", str(server.port))})
    fetcher = URLFetcher(allowed_hosts=[f"127.0.0.1:{server.port}"], retries=0)
    with pytest.raises(InvalidInputError):
        fetcher.fetch(server.url("/hop"))
    assert server.hits["/hop"] == 1 and server.hits["/img.png"] == 0


# --------------------------------------------------------------------------- configure_fetcher


def test_restoring_the_default_fetcher_refuses_private_addresses_again(server: LocalServer) -> None:
    router = tryon.Router(plugins=False)
    try:
        configure_fetcher(allow_private=True)
        assert router.fetcher.fetch(server.url("/img.png"))[0] == PNG
        configure_fetcher()
        assert router.fetcher is default_fetcher() and not default_fetcher().allow_private
        with pytest.raises(UnsafeURLError):
            router.fetcher.fetch(server.url("/img.png"))
        assert server.hits["/img.png"] == 1
    finally:
        configure_fetcher()


# --------------------------------------------------------------------------- keys go to their host only


def test_send_attaches_credentials_only_where_the_scope_allows(server: LocalServer) -> None:
    allowed = parse_url(server.url("/img.png")).origin
    def scope(target: Any) -> str | None:
        return None if target.origin == allowed else "not the API host"

    send(shared_session(retries=0), "GET", server.url("/img.png"), provider="t",
         credentials={"x-key": "secret-key-123456"}, credential_scope=scope)
    assert server.headers_seen[-1]["x-key"] == "secret-key-123456"
    with pytest.raises(InvalidResponseError, match="not the API host"):
        send(shared_session(retries=0), "GET", server.url("/img.png", host="localhost"), provider="t",
             credentials={"x-key": "secret-key-123456"}, credential_scope=scope)
    assert len(server.headers_seen) == 1


def test_a_keyed_call_never_follows_a_redirect(server: LocalServer) -> None:
    server.routes["/moved"] = Reply(307, b"", {"Location": server.url("/img.png", host="localhost")})
    with pytest.raises(InvalidResponseError, match="redirect"):
        send(shared_session(retries=0), "GET", server.url("/moved"), provider="t",
             credentials={"x-key": "secret-key-123456"}, credential_scope=lambda t: None)
    assert server.hits["/img.png"] == 0


def test_a_pooled_connection_to_another_address_is_never_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    from tryon.testing.server import EmulatorServer, Response

    with EmulatorServer(require_key=False) as keepalive:  # HTTP/1.1: connections stay in the pool
        keepalive.route("GET", "/img.png", lambda req: Response(body=PNG, content_type="image/png"), api=False)
        url = f"http://pool.example:{keepalive.port}/img.png"
        monkeypatch.setattr(socket, "getaddrinfo", Resolver("pool.example", ["127.0.0.1", "93.184.216.34"]))
        # trusted: fetched from 127.0.0.1, and the connection is kept for pool.example
        assert URLFetcher(allowed_hosts=["pool.example"], retries=0).fetch(url)[0] == PNG
        # the name now answers a public address: the strict fetcher is pinned to it and must not
        # reuse the pooled loopback connection (the test socket guard blocks the public address)
        with pytest.raises(InvalidInputError):
            URLFetcher(retries=0).fetch(url)
        assert len(keepalive.requests) == 1


def test_an_https_connection_is_pinned_but_keeps_the_name_for_sni_and_certificates(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from urllib3.util import connection as urllib3_connection

    from tryon import transport

    dialled: list[tuple[str, int]] = []

    def fake_create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        dialled.append(address)
        a, b = socket.socketpair()
        b.close()
        return a

    monkeypatch.setattr(urllib3_connection, "create_connection", fake_create_connection)
    conn = transport._HTTPSConnection("cdn.example", 443)
    token = transport._pin.set(transport._Pin("cdn.example", 443, "93.184.216.34"))
    try:
        sock = conn._new_conn()
    finally:
        transport._pin.reset(token)
    sock.close()
    assert dialled == [("93.184.216.34", 443)]
    assert conn.host == "cdn.example"  # what TLS uses for SNI and the certificate check, and Host
    other = transport._HTTPSConnection("evil.example", 443)
    token = transport._pin.set(transport._Pin("cdn.example", 443, "93.184.216.34"))
    try:
        with pytest.raises(Exception, match="not the host that was checked"):
            other._new_conn()
    finally:
        transport._pin.reset(token)


@pytest.mark.parametrize("base_url", ["http://user:pass@127.0.0.1:8080", "http://127.0.0.1:8080\\@x.example",
                                      "http://2130706433:8080", "https://api.bfl.ai:443:1"])
def test_an_ambiguous_base_url_is_refused_when_it_is_configured(base_url: str) -> None:
    from tryon_flux import generators as flux_generators

    router = tryon.Router(plugins=False)
    for gen in flux_generators(api_key="bfl_test-0123456789abcdef", base_url=base_url, max_retries=0):
        router.register(gen)
    with pytest.raises(tryon.InvalidOptionError, match="base_url") as info:
        router.generate("x", model="flux-2-pro")
    assert "pass@" not in str(info.value)  # userinfo is never echoed


def test_a_dry_run_reads_an_unfetched_url_as_a_real_run_would() -> None:
    from tryon.testing.fake import FakeGenerator

    router = tryon.Router(plugins=False)
    router.register(FakeGenerator())
    with pytest.raises(UnsafeURLError, match="backslash"):
        router.prepare(tryon.Operation.EDIT, "hi", "fake-image-1", images=["http://127.0.0.1:1\\@example.com/x.png"],
                       fetch=False)
