"""A caller over SIP/TCP that accepts no connections: like a phone behind NAT, it can only be
reached over the connection it opened. Its Contact names a port where nothing listens, so a
request sent to the Contact (a new connection) never arrives; one sent back over its own
connection does. It answers REFER (202, then a NOTIFY with the target's 200) and BYE (200)."""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass, field


def _header(message: str, name: str) -> str:
    m = re.search(rf"^{name}:\s*(.*)$", message.split("\r\n\r\n", 1)[0], re.M | re.I)
    return m.group(1).strip() if m else ""


@dataclass
class TcpCaller:
    agent_port: int
    dead_port: int  # in the Contact and Via: nothing listens there
    media_port: int
    received: list[str] = field(default_factory=list)  # requests that reached us, first lines

    def __post_init__(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.agent_port))
        self.sock.settimeout(0.5)
        self.buffer = b""
        self.call_id = f"tcp-{time.monotonic_ns()}"
        self.agent_to = ""

    def _via(self) -> str:
        return f"Via: SIP/2.0/TCP 127.0.0.1:{self.dead_port};rport;branch=z9hG4bK{time.monotonic_ns()}"

    def _send(self, text: str) -> None:
        self.sock.sendall(text.encode())

    def _messages(self, until_s: float) -> list[str]:
        """Whole SIP messages received within `until_s`."""
        out: list[str] = []
        deadline = time.monotonic() + until_s
        while time.monotonic() < deadline:
            try:
                data = self.sock.recv(65535)
            except TimeoutError:
                data = b""
            except OSError:
                break
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                head, rest = self.buffer.split(b"\r\n\r\n", 1)
                length = int(_header(head.decode(errors="replace") + "\r\n\r\n", "Content-Length") or 0)
                if len(rest) < length:
                    break
                out.append((head + b"\r\n\r\n" + rest[:length]).decode(errors="replace"))
                self.buffer = rest[length:]
            if out:
                return out
        return out

    def call(self, sdp: str) -> bool:
        """INVITE, then ACK the 200; True once the call is up."""
        self._send(
            f"INVITE sip:wardline@127.0.0.1:{self.agent_port};transport=tcp SIP/2.0\r\n{self._via()}\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:5550100@127.0.0.1>;tag=caller1\r\n"
            f"To: <sip:wardline@127.0.0.1:{self.agent_port}>\r\nCall-ID: {self.call_id}\r\nCSeq: 1 INVITE\r\n"
            f"Contact: <sip:5550100@127.0.0.1:{self.dead_port};transport=tcp>\r\n"
            f"Content-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n{sdp}"
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for m in self._messages(1):
                if m.startswith("SIP/2.0 200"):
                    self.agent_to = _header(m, "To")
                    self._send(
                        f"ACK sip:wardline@127.0.0.1:{self.agent_port};transport=tcp SIP/2.0\r\n"
                        f"{self._via()}\r\nMax-Forwards: 70\r\n"
                        f"From: <sip:5550100@127.0.0.1>;tag=caller1\r\nTo: {self.agent_to}\r\n"
                        f"Call-ID: {self.call_id}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
                    )
                    return True
        return False

    def serve(self, seconds: float) -> None:
        """Answer the agent's requests (on this connection) until BYE or `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for m in self._messages(0.5):
                if m.startswith("SIP/2.0"):
                    continue
                self.received.append(m.split("\r\n", 1)[0])
                method = m.split(" ", 1)[0]
                self._reply(m, 202 if method == "REFER" else 200)
                if method == "REFER":
                    self._notify_target_answered()
                if method == "BYE":
                    return

    def _reply(self, request: str, code: int) -> None:
        reason = {200: "OK", 202: "Accepted"}[code]
        vias = "\r\n".join(f"Via: {v}" for v in re.findall(r"^Via:\s*(.*)$", request, re.M | re.I))
        self._send(
            f"SIP/2.0 {code} {reason}\r\n{vias}\r\n"
            f"From: {_header(request, 'From')}\r\nTo: {_header(request, 'To')}\r\n"
            f"Call-ID: {_header(request, 'Call-ID')}\r\nCSeq: {_header(request, 'CSeq')}\r\n"
            "Content-Length: 0\r\n\r\n"
        )

    def _notify_target_answered(self) -> None:
        frag = "SIP/2.0 200 OK\r\n"
        self._send(
            f"NOTIFY sip:wardline@127.0.0.1:{self.agent_port};transport=tcp SIP/2.0\r\n{self._via()}\r\n"
            f"Max-Forwards: 70\r\nFrom: <sip:5550100@127.0.0.1>;tag=caller1\r\nTo: {self.agent_to}\r\n"
            f"Call-ID: {self.call_id}\r\nCSeq: 2 NOTIFY\r\nEvent: refer\r\n"
            "Subscription-State: terminated;reason=noresource\r\n"
            f"Contact: <sip:5550100@127.0.0.1:{self.dead_port};transport=tcp>\r\n"
            f"Content-Type: message/sipfrag\r\nContent-Length: {len(frag)}\r\n\r\n{frag}"
        )

    def close(self) -> None:
        self.sock.close()
