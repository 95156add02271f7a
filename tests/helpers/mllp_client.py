"""A small MLLP client for the monitor-feed tests and the benchmark."""

from __future__ import annotations

import socket

START, END = b"\x0b", b"\x1c\x0d"


def read_ack(sock: socket.socket) -> str:
    data = b""
    while END not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed before the ACK (got {data[:80]!r})")
        data += chunk
    return data[data.index(START) + 1:data.index(END)].decode("utf-8")


def send(address: tuple[str, int], payload: bytes, *, framed: bool = True,
         timeout: float = 10.0) -> str:
    """Send one message (framed unless told) on a new connection; return the ACK text."""
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(START + payload + END if framed else payload)
        return read_ack(sock)


def ack_code(ack: str) -> str:
    return next(s for s in ack.split("\r") if s.startswith("MSA")).split("|")[1]
