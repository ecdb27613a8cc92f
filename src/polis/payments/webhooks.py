"""Who may send us a gateway notification.

YooKassa signs nothing, so a notification is accepted only from its published networks
(settings.YOOKASSA_NOTIFICATION_NETWORKS), and even then it is only a hint: the payment is
re-read from the API before anything is done.

The sender is REMOTE_ADDR. Behind a reverse proxy REMOTE_ADDR is the proxy, so list the proxy's
own addresses in settings.PAYMENTS_TRUSTED_PROXIES (networks, e.g. ["10.0.0.5/32"]): only when
the connection comes from one of them is X-Forwarded-For read, right to left, skipping the
trusted proxies, and the first address that is not ours is the sender. A client can write
anything at the left of that header; the right end is what our own proxy appended.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _networks(texts: Iterable[str]) -> list[IPNetwork]:
    return [ipaddress.ip_network(t.strip(), strict=False) for t in texts if t.strip()]


def _within(address: IPAddress, networks: list[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def notification_sender(request: HttpRequest) -> IPAddress | None:
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    proxies = _networks(settings.PAYMENTS_TRUSTED_PROXIES)
    if remote is None or not proxies or not _within(remote, proxies):
        return remote
    chain = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for part in reversed(chain):
        hop = _address(part)
        if hop is None:
            return None
        if not _within(hop, proxies):
            return hop
    return None


def yookassa_sender_allowed(request: HttpRequest) -> bool:
    sender = notification_sender(request)
    return sender is not None and _within(sender, _networks(settings.YOOKASSA_NOTIFICATION_NETWORKS))


def sandbox_sender_allowed(request: HttpRequest) -> bool:
    # The sandbox lives in this very process; only this machine may speak for it.
    sender = notification_sender(request)
    return sender is not None and sender.is_loopback
