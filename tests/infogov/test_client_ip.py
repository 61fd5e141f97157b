"""infogov.client.client_ip: the client's address, behind the proxies the settings trust."""

import pytest

from infogov.client import client_ip


@pytest.mark.parametrize(
    ("proxies", "header", "forwarded", "real_ip", "expected"),
    [
        (0, "", None, None, "192.0.2.1"),  # no proxy: REMOTE_ADDR
        (0, "", "203.0.113.9", None, "192.0.2.1"),  # X-Forwarded-For is not trusted
        (1, "", "203.0.113.9", None, "203.0.113.9"),
        (1, "", "198.51.100.1, 203.0.113.9", None, "203.0.113.9"),  # the client's own entry
        (2, "", "198.51.100.1, 203.0.113.9, 10.0.0.3", None, "203.0.113.9"),
        (2, "", "203.0.113.9", None, "192.0.2.1"),  # fewer entries than proxies
        (1, "", None, None, "192.0.2.1"),
        (1, "", "not-an-address", None, "192.0.2.1"),
        (1, "", " 2001:DB8::1 ", None, "2001:db8::1"),
        (0, "X-Real-IP", "203.0.113.9", "198.51.100.4", "198.51.100.4"),
        (0, "X-Real-IP", None, None, "192.0.2.1"),
    ],
)
def test_client_ip(rf, settings, proxies, header, forwarded, real_ip, expected):
    settings.INFOGOV_TRUSTED_PROXIES = proxies
    settings.INFOGOV_CLIENT_IP_HEADER = header
    headers = {"REMOTE_ADDR": "192.0.2.1"}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    if real_ip is not None:
        headers["HTTP_X_REAL_IP"] = real_ip

    assert client_ip(rf.get("/", **headers)) == expected
