"""The commenter key: a keyed hash of the source network, never the address itself (G5)."""
from django.test import RequestFactory

from voxpop.common.privacy import commenter_key, source_network


def _request(addr):
    return RequestFactory().get("/", REMOTE_ADDR=addr)


def test_ipv6_addresses_of_one_home_share_a_key():
    """Two addresses in one IPv6 /64 are one source; another /64 is another source."""
    a, b = _request("2001:db8:1:2::10"), _request("2001:db8:1:2:ffff::1")
    assert source_network(a) == "2001:db8:1:2::/64"
    assert commenter_key(a) == commenter_key(b) != commenter_key(_request("2001:db8:1:3::10"))


def test_ipv4_mapped_address_counts_as_ipv4():
    """::ffff:192.0.2.7 and 192.0.2.7 are the same reader."""
    assert commenter_key(_request("::ffff:192.0.2.7")) == commenter_key(_request("192.0.2.7"))

