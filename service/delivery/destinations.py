"""Where a callback may go, and the POST that holds to it.

With private destinations blocked, a callback URL must be http(s) and resolve
only to public addresses (`check_destination`), and `guarded_post_callback`
checks again the address it actually connected to, since DNS may answer
differently the second time (rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import requests
import requests.adapters
import urllib3
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions

HttpPost = Callable[[str, bytes, dict, tuple], int]
Resolver = Callable[[str, int], Iterable[str]]


class RefusedDestination(Exception):
    """The callback URL may not be called (bad scheme, or it resolves to a non-public address)."""


def resolve_host(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _address_refused(address: str) -> str | None:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "unparseable address"
    candidates = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address hidden in IPv6 (::ffff:10.0.0.1, 6to4, Teredo) is judged as itself too.
        for embedded in (ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None):
            if embedded is not None:
                candidates.append(embedded)
    for candidate in candidates:
        for label in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
            if getattr(candidate, f"is_{label}"):
                return label
        if not candidate.is_global:
            return "not_global"  # e.g. 100.64.0.0/10 shared address space
    return None


def check_destination(url: str, resolve: Resolver = resolve_host) -> None:
    """Refuse URLs that are not http(s) or whose host resolves to any non-public address.

    Every resolved address must be public: a name with one private A record
    among public ones is refused, since the client may pick either. The check
    and the connection resolve separately, so `guarded_post_callback` checks
    the address actually connected to as well (a DNS answer that changed in
    between: rebinding).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedDestination("callback_url is not an http(s) URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise RefusedDestination("callback_url has an invalid port") from None
    try:
        addresses = list(resolve(parts.hostname, port))
    except (OSError, UnicodeError):
        raise RefusedDestination("callback host does not resolve") from None
    if not addresses:
        raise RefusedDestination("callback host does not resolve")
    for address in addresses:
        reason = _address_refused(address)
        if reason is not None:
            raise RefusedDestination(f"callback host resolves to a {reason} address")


_REFUSED_PEER = "kavalu-refused-peer"


class _PeerCheckedConnection:
    """Refuses the socket when the address it connected to is not public, whatever DNS said before."""

    def _new_conn(self):
        sock = super()._new_conn()
        try:
            address = sock.getpeername()[0]
        except OSError:
            address = ""
        reason = _address_refused(address)
        if reason is not None:
            sock.close()
            raise urllib3.exceptions.NewConnectionError(self, f"{_REFUSED_PEER}: connected to a {reason} address")
        return sock


class _PeerCheckedHTTPConnection(_PeerCheckedConnection, urllib3.connection.HTTPConnection):
    pass


class _PeerCheckedHTTPSConnection(_PeerCheckedConnection, urllib3.connection.HTTPSConnection):
    pass


class _PeerCheckedHTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _PeerCheckedHTTPConnection


class _PeerCheckedHTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _PeerCheckedHTTPSConnection


class _PeerCheckedAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PeerCheckedHTTPPool, "https": _PeerCheckedHTTPSPool}


def _post(url: str, body: bytes, headers: dict, timeout: tuple[float, float], adapter) -> int:
    # trust_env=False: no proxy from the environment (it would connect where we did not check)
    # and no .netrc credentials sent to a publisher. max_retries=0: one attempt is one request.
    with requests.Session() as http:
        http.trust_env = False
        http.mount("http://", adapter)
        http.mount("https://", adapter)
        with http.post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True
        ) as response:
            return response.status_code


def post_callback(url: str, body: bytes, headers: dict, timeout: tuple[float, float]) -> int:
    """POST once; return the status code. Redirects are not followed (a 3xx is a failed attempt)."""
    return _post(url, body, headers, timeout, requests.adapters.HTTPAdapter(max_retries=0))


def guarded_post_callback(url: str, body: bytes, headers: dict, timeout: tuple[float, float]) -> int:
    """post_callback that also refuses to talk to a non-public address it got connected to."""
    return _post(url, body, headers, timeout, _PeerCheckedAdapter(max_retries=0))


def describe_failure(error: BaseException) -> str:
    """What went wrong with a POST, as an attempt records it."""
    # Only the kind of failure: exception messages can carry the URL, which may hold a publisher's token.
    if isinstance(error, requests.Timeout):
        return "timeout"
    if isinstance(error, requests.ConnectionError):
        text = str(error)
        if _REFUSED_PEER in text:
            return "refused: connected to a non-public address"
        if "Connection refused" in text or "ConnectionRefusedError" in text:
            return "connection_refused"
        return "connection_error"
    if type(error).__name__ == "SoftTimeLimitExceeded":
        return "timeout"
    return f"error: {type(error).__name__}"
