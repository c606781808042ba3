"""A FastCGI responder under test, without a web server: the binary is
started with a listening Unix socket on its standard input (as
spawn-fcgi and systemd's StandardInput=socket start it), and request()
(and request(), to any FastCGI socket) speaks the FastCGI protocol (version 1, the responder role) to it, as a
web server would, one connection per request."""

import os
import socket
import struct
import subprocess

BEGIN, END, PARAMS, STDIN, STDOUT, STDERR = 1, 3, 4, 5, 6, 7


def _record(kind, content, rid=1):
    return struct.pack(">BBHHBx", 1, kind, rid, len(content), 0) + content


def _length(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def _params(env):
    out = b""
    for k, v in env.items():
        k, v = k.encode(), v.encode()
        out += _length(len(k)) + _length(len(v)) + k + v
    return out


def request(path, uri, method="GET", body=b"", **params):
    """Send one request to the FastCGI socket at path; returns (status,
    headers, body)."""
    env = {"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": method,
           "REQUEST_URI": uri, "SERVER_PROTOCOL": "HTTP/1.1",
           "CONTENT_LENGTH": str(len(body))}
    env.update(params)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(path)
        s.sendall(_record(BEGIN, struct.pack(">HB5x", 1, 0)) +
                  _record(PARAMS, _params(env)) + _record(PARAMS, b"") +
                  (_record(STDIN, body) if body else b"") +
                  _record(STDIN, b""))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    out, pos = b"", 0
    while pos + 8 <= len(data):
        _, kind, _, clen, plen = struct.unpack(">BBHHB", data[pos:pos + 7])
        content = data[pos + 8:pos + 8 + clen]
        pos += 8 + clen + plen
        if kind == STDOUT:
            out += content
        elif kind == END:
            break
    head, _, payload = out.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0].startswith("Status: "), out
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, payload


class Responder:
    """One FastCGI binary listening on path; stop() ends it."""

    def __init__(self, binary, path, env):
        self.path = path
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        sock.listen(16)
        self.proc = subprocess.Popen([binary], stdin=sock.fileno(),
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=env)
        sock.close()

    def request(self, uri, method="GET", body=b"", **params):
        """Send one request; returns (status, headers, body)."""
        return request(self.path, uri, method, body, **params)

    def stop(self):
        self.proc.kill()
        _, err = self.proc.communicate(timeout=10)
        os.unlink(self.path)
        return err.decode()
