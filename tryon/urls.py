"""One strict parse of an http(s) URL: what tryon checks is what tryon requests.

URL parsers disagree on ambiguous input (``http://127.0.0.1:80\\@example.com/`` is one host
to :func:`urllib.parse.urlsplit` and another to urllib3), so tryon parses a URL once,
refuses everything that two parsers could read differently, and from then on works with
the parsed :class:`Target` only: its :attr:`Target.url` is a canonical spelling that every
client reads the same way, and the address checks, the key-to-host rule and the connection
all use its :attr:`Target.host` and :attr:`Target.port`.

Refused (:class:`~tryon.errors.UnsafeURLError`): schemes other than http/https; backslashes,
whitespace and control characters anywhere; userinfo (``user@host``); non-ASCII or
percent-encoded host names (use the ``xn--`` spelling); empty or non-decimal ports; IPv4
addresses in any spelling but four decimal parts without leading zeros (``2130706433``,
``0x7f.1``, ``0177.0.0.1``, ``127.1``); IPv6 zone ids, and IPv4-mapped or -compatible IPv6
literals (``[::ffff:127.0.0.1]``).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote

import attrs

from tryon.errors import UnsafeURLError

__all__ = ["DEFAULT_PORTS", "Target", "is_private_host", "parse_url"]

DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_DECIMAL_OCTET = re.compile(r"^(?:0|[1-9][0-9]{0,2})$")
# characters kept as they are in a path or query; everything else is percent-encoded
_SAFE = "/%:@!$&'()*+,;=-._~?"


@attrs.frozen
class Target:
    """A parsed http(s) URL: scheme, host (lower case, IPv6 without brackets), port, path and query."""

    scheme: str
    host: str
    port: int
    path: str
    query: str = ""

    @property
    def is_ip(self) -> bool:
        """Whether the host is an IP literal."""
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def origin(self) -> tuple[str, str, int]:
        """``(scheme, host, port)``."""
        return self.scheme, self.host, self.port

    @property
    def url(self) -> str:
        """The canonical spelling (no fragment, ASCII only) that is sent."""
        return f"{self.scheme}://{self.netloc}{self.path}" + (f"?{self.query}" if self.query else "")

    @property
    def display(self) -> str:
        """The URL without its query (signed URLs carry tokens): safe for messages."""
        shown = f"{self.scheme}://{self.netloc}{self.path}" + ("?..." if self.query else "")
        return shown if len(shown) <= 200 else shown[:197] + "..."

    def join(self, reference: str) -> Target:
        """The target *reference* (a redirect's ``Location``) points at, relative to this one."""
        if not isinstance(reference, str):
            raise UnsafeURLError("a redirect without a usable Location")
        if _SCHEME.match(reference):
            return parse_url(reference)
        _refuse_characters(reference, reference[:200])
        if reference.startswith("//"):
            return parse_url(f"{self.scheme}:{reference}")
        if reference.startswith("/"):
            return parse_url(f"{self.scheme}://{self.netloc}{reference}")
        base = self.path.rsplit("/", 1)[0]
        if reference.startswith("?"):
            return parse_url(f"{self.scheme}://{self.netloc}{self.path}{reference}")
        return parse_url(f"{self.scheme}://{self.netloc}{base}/{reference}")


def _refuse(shown: str, why: str) -> UnsafeURLError:
    return UnsafeURLError(f"refused URL {shown!r}: {why}", input_name=shown)


def _shown(url: str) -> str:
    """A message-safe rendering of a URL that may not even parse (no query, no userinfo)."""
    text = url.split("#", 1)[0]
    text, query = text.split("?", 1) if "?" in text else (text, "")
    text = re.sub(r"(?<=//)[^/@]*@", "", text)
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    text = "".join(c if 0x20 < ord(c) < 0x7F else f"\\x{ord(c):02x}" for c in text)
    return text[:200] + ("?..." if query else "")


def _refuse_characters(url: str, shown: str) -> None:
    for char in url:
        code = ord(char)
        if char == "\\":
            raise _refuse(shown, "it contains a backslash, which URL parsers read differently")
        if code <= 0x20 or code == 0x7F or 0x80 <= code <= 0x9F:
            raise _refuse(shown, f"it contains the control or space character {char!r}")
        if 0xD800 <= code <= 0xDFFF:
            raise _refuse(shown, "it contains a lone surrogate character")


def _host(raw: str, shown: str) -> str:
    if not raw:
        raise _refuse(shown, "it has no host")
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise _refuse(shown, "its IPv6 address is not closed with ']'")
        inner = raw[1:-1]
        if "%" in inner:
            raise _refuse(shown, "IPv6 zone ids are not accepted")
        try:
            ip = ipaddress.IPv6Address(inner)
        except ValueError:
            raise _refuse(shown, f"[{inner}] is not an IPv6 address") from None
        if ip.ipv4_mapped is not None or (int(ip) >> 32 == 0 and int(ip) > 1):
            raise _refuse(shown, "IPv4 addresses written as IPv6 are not accepted; write the IPv4 address")
        return str(ip)
    if not raw.isascii():
        raise _refuse(shown, "its host name has non-ASCII characters; write it in its xn-- (IDNA) form")
    host = raw.lower()
    if host.endswith("."):
        host = host[:-1]
    labels = host.split(".")
    if not host or len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise _refuse(shown, f"{raw!r} is not a valid host name")
    # WHATWG: a host ending in a number is an IPv4 address, which must then be spelt plainly
    if _NUMERIC_LABEL.match(labels[-1]) and (
            len(labels) != 4 or not all(_DECIMAL_OCTET.match(p) and int(p) <= 255 for p in labels)):
            raise _refuse(shown, f"{raw!r} is an unusual spelling of an IP address; write it as four "
                                 "decimal numbers (e.g. 93.184.216.34)")
    return host


def parse_url(url: object) -> Target:
    """Parse an http(s) URL strictly; raise :class:`UnsafeURLError` for anything ambiguous."""
    if not isinstance(url, str):
        raise UnsafeURLError(f"a URL must be a string, not {type(url).__name__}")
    shown = _shown(url)
    _refuse_characters(url, shown)
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme not in DEFAULT_PORTS:
        raise _refuse(shown, "only http:// and https:// URLs are fetched, not "
                             f"{scheme + ':' if scheme else 'scheme-less'} URLs (pass local files as paths, "
                             "or the image bytes themselves)")
    rest = url[len(scheme) + 1:]
    if not rest.startswith("//"):
        raise _refuse(shown, "it has no '//host' part")
    rest = rest[2:]
    end = len(rest)
    for sep in "/?#":
        pos = rest.find(sep)
        if pos != -1:
            end = min(end, pos)
    authority, tail = rest[:end], rest[end:]
    if "@" in authority:
        raise _refuse(shown, "credentials in URLs (user@host) are not accepted")
    if authority.startswith("["):
        close = authority.find("]")
        host_part, port_part = (authority[: close + 1], authority[close + 1:]) if close != -1 else (authority, "")
    else:
        host_part, _, port_part = authority.partition(":")
        port_part = ":" + port_part if ":" in authority else ""
    if port_part:
        digits = port_part[1:]
        if not port_part.startswith(":") or not digits.isdigit() or not digits.isascii() or len(digits) > 5:
            raise _refuse(shown, "its port is not a decimal number")
        port = int(digits)
        if not 1 <= port <= 65535:
            raise _refuse(shown, f"port {port} is out of range")
    else:
        port = DEFAULT_PORTS[scheme]
    host = _host(host_part, shown)
    tail = tail.split("#", 1)[0]
    path, _, query = tail.partition("?")
    path = quote(path or "/", safe=_SAFE)
    query = quote(query, safe=_SAFE)
    return Target(scheme, host, port, path, query)


def is_private_host(host: str) -> bool:
    """Whether *host* (as :func:`parse_url` spells it) names a loopback or private address:
    ``localhost`` and its subdomains, or an IP literal that is not global. Names are not resolved."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host.strip("[]")).is_global
    except ValueError:
        return False
