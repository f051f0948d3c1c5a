"""TLS in memory for unit tests: a complete handshake between two `ssl.SSLContext`s without sockets."""

from __future__ import annotations

import ssl


def handshake(server: ssl.SSLContext, client: ssl.SSLContext, server_hostname: str = "localhost") -> ssl.SSLObject:
    """Runs a TLS handshake through memory BIOs; returns the server side (e.g. to read the peer certificate).
    Raises what the failing side raises (`ssl.SSLError`, `ssl.SSLCertVerificationError`)."""
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client_side = client.wrap_bio(c_in, c_out, server_hostname=server_hostname)
    server_side = server.wrap_bio(s_in, s_out, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(20):
        for side, label, outgoing, peer_in in (
            (client_side, "client", c_out, s_in),
            (server_side, "server", s_out, c_in),
        ):
            if not done[label]:
                try:
                    side.do_handshake()
                    done[label] = True
                except ssl.SSLWantReadError:
                    pass
            peer_in.write(outgoing.read())
        if all(done.values()):
            return server_side
    raise AssertionError("TLS handshake did not finish")
