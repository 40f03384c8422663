"""The client address: X-Forwarded-For is believed only as far as our own proxies wrote it."""

import pytest
from django.test import RequestFactory

from opencity.ratelimit import client_ip


def request_with(forwarded: str | None, remote: str = "10.0.0.2"):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_with_no_trusted_proxy_the_header_is_ignored(settings):
    settings.OPENCITY_TRUSTED_PROXIES = 0
    assert client_ip(request_with("1.2.3.4")) == "10.0.0.2"


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        # The client forged "6.6.6.6"; our one proxy appended the address it really saw.
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (1, "198.51.100.7", "198.51.100.7"),
        # Two proxies (a load balancer, then nginx): the second from the right.
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        # Fewer hops than proxies: the left-most, which a proxy of ours still wrote.
        (2, "198.51.100.7", "198.51.100.7"),
        # Garbage where an address should be: the connection's own address.
        (1, "6.6.6.6, not-an-address", "10.0.0.2"),
        (1, "", "10.0.0.2"),
    ],
)
def test_the_right_most_trusted_hop_is_the_client(settings, trusted, forwarded, expected):
    settings.OPENCITY_TRUSTED_PROXIES = trusted
    assert client_ip(request_with(forwarded)) == expected
