"""A multi-host DATABASE_URL: one URL per host, and the read-write server asked for."""

from __future__ import annotations

from service.log.failover import hosts_of, with_target

URL = "postgresql://nedbrud:pw@db-a:5432,db-b:5433/nedbrud?sslmode=require"


def test_a_url_of_two_hosts_is_one_url_for_each_with_the_same_user_and_options() -> None:
    assert hosts_of(URL) == [
        "postgresql://nedbrud:pw@db-a:5432/nedbrud?sslmode=require",
        "postgresql://nedbrud:pw@db-b:5433/nedbrud?sslmode=require",
    ]


def test_a_url_of_one_host_or_a_socket_is_left_as_it_is() -> None:
    for url in ("postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://u:@/db?host=/tmp"):
        assert hosts_of(url) == [url]
        assert with_target(url) == url


def test_several_hosts_ask_for_the_read_write_one_unless_told_otherwise() -> None:
    assert with_target(URL).endswith("?sslmode=require&target_session_attrs=read-write")
    chosen = URL + "&target_session_attrs=primary"
    assert with_target(chosen) == chosen
