"""A resolver for tests: DNS is the outside world, so no test asks a real one.

`FakeDNS` replaces `socket.getaddrinfo`: names it knows answer the addresses given (a
list, or a list per call to play DNS rebinding), numeric hosts are parsed locally
(`AI_NUMERICHOST`: never a query), anything else does not exist."""

import socket
from collections.abc import Iterable

import pytest

# A public address (example.com's, long ago); never connected to by a test.
PUBLIC = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"

_real_getaddrinfo = socket.getaddrinfo


class FakeDNS:
    def __init__(self) -> None:
        self.names: dict[str, list[list[str]]] = {}
        self.queries: list[str] = []

    def set(self, name: str, *addresses: str) -> None:
        """`name` resolves to `addresses`, from now on."""
        self.names[name.lower()] = [list(addresses)]

    def sequence(self, name: str, *answers: Iterable[str]) -> None:
        """`name` resolves to each answer in turn; the last one repeats."""
        self.names[name.lower()] = [list(answer) for answer in answers]

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        self.queries.append(host)
        answers = self.names.get(str(host).lower())
        if answers is None:
            try:
                return _real_getaddrinfo(
                    host, port, family, type, proto, flags | socket.AI_NUMERICHOST
                )
            except socket.gaierror:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        results = []
        for address in addresses:
            if ":" in address:
                results.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                results.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return results


def install(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    """Use in a fixture: `dns = install(monkeypatch)`."""
    dns = FakeDNS()
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns
