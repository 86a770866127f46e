#!/usr/bin/env python3
"""peers.py - the small network peers of the end-to-end network tests.

`serve DIR` runs on the test's loopback the origins a sandboxed command tries
to reach, and logs every contact to a file in DIR so a test can assert what an
origin saw (or that it saw nothing): two HTTP/1.1 origins, a TLS origin, a TCP
echo server, a UDP sink and a DNS server that answers NXDOMAIN and logs each
queried name. It writes DIR/ports (shell assignments) once all listen.

The other subcommands run inside the sandbox and print one word or a status
line for the test script to compare: `raw` sends bytes to a proxy and prints
the replies' status lines, `socks` speaks RFC 1928 and prints the REP code
(and an echo round trip), `tcp`/`udp` try a direct connection and print the
errno name, `listen` serves one port for the "unreachable from outside" check.
"""
import errno
import hashlib
import http.server
import os
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time


def log_line(path, text):
    with open(path, "a") as f:
        f.write(text + "\n")


def read_body(handler):
    """The request body, decoding chunked uploads; (bytes, was_chunked)."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        data = b""
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return data, True
            data += handler.rfile.read(size)
            handler.rfile.readline()
    n = int(handler.headers.get("Content-Length", "0"))
    return handler.rfile.read(n), False


def origin_handler(name, logpath):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self):
            body, chunked = read_body(self)
            host = self.headers.get("Host", "-")
            line = "%s %s %s host=%s len=%d chunked=%d sha=%s" % (
                name, self.command, self.path, host, len(body), int(chunked),
                hashlib.sha256(body).hexdigest()[:16])
            log_line(logpath, line)
            out = (line + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PUT = answer

    return Handler


class Threaded(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 1024


class TLSServer(Threaded):
    """Logs every TCP accept before the handshake: "saw nothing" means no
    connection at all, not merely no request."""

    def __init__(self, addr, handler, ctx, logpath):
        self.ctx, self.logpath = ctx, logpath
        super().__init__(addr, handler)

    def get_request(self):
        conn, peer = self.socket.accept()
        log_line(self.logpath, "accept")
        conn.settimeout(5)
        return self.ctx.wrap_socket(conn, server_side=True), peer


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        log_line(self.server.logpath, "accept")
        while True:
            data = self.request.recv(65536)
            if not data:
                return
            self.request.sendall(data)


class EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def dns_loop(sock, logpath):
    while True:
        msg, peer = sock.recvfrom(512)
        if len(msg) < 12:
            continue
        labels, i = [], 12
        while i < len(msg) and msg[i]:
            labels.append(msg[i + 1:i + 1 + msg[i]].decode(errors="replace"))
            i += 1 + msg[i]
        log_line(logpath, ".".join(labels))
        # Same id and question, QR=1, RD/RA, RCODE=3 (NXDOMAIN), no answers.
        reply = msg[:2] + b"\x81\x83" + msg[4:6] + b"\x00\x00" * 3 + msg[12:i + 5]
        sock.sendto(reply, peer)


def udp_loop(sock, logpath):
    while True:
        data, _ = sock.recvfrom(65536)
        log_line(logpath, "datagram %d" % len(data))


def serve(d):
    ports = {}
    for name in ("origin", "rebind"):
        srv = Threaded(("127.0.0.1", 0), origin_handler(name, os.path.join(d, name + ".log")))
        ports[name.upper()] = srv.server_address[1]
        threading.Thread(target=srv.serve_forever, daemon=True).start()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, "cert.pem"), os.path.join(d, "key.pem"))
    tls = TLSServer(("127.0.0.1", 0), origin_handler("tls", os.path.join(d, "tls-req.log")),
                    ctx, os.path.join(d, "tls.log"))
    ports["TLS"] = tls.server_address[1]
    threading.Thread(target=tls.serve_forever, daemon=True).start()

    echo = EchoServer(("127.0.0.1", 0), Echo)
    echo.logpath = os.path.join(d, "echo.log")
    ports["ECHO"] = echo.server_address[1]
    threading.Thread(target=echo.serve_forever, daemon=True).start()

    # Listens on every address: the direct-connection checks try it by
    # loopback and by any other address the test's namespace has.
    wide = EchoServer(("0.0.0.0", 0), Echo)
    wide.logpath = os.path.join(d, "wide.log")
    ports["WIDE"] = wide.server_address[1]
    threading.Thread(target=wide.serve_forever, daemon=True).start()

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    ports["UDP"] = udp.getsockname()[1]
    threading.Thread(target=udp_loop, args=(udp, os.path.join(d, "udp.log")), daemon=True).start()

    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("127.0.0.1", 53))
    threading.Thread(target=dns_loop, args=(dns, os.path.join(d, "dns.log")), daemon=True).start()

    with open(os.path.join(d, "ports.tmp"), "w") as f:
        for k, v in ports.items():
            f.write("%s_PORT=%d\n" % (k, v))
    os.rename(os.path.join(d, "ports.tmp"), os.path.join(d, "ports"))
    while True:
        time.sleep(3600)


def recv_all(s, limit=1 << 20):
    data = b""
    while len(data) < limit:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return data


def recv_response(s):
    """One response: its head, then a Content-Length body; without a length
    (refusals, tunnels) whatever arrives before close or a short timeout."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return data
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length is None and b" 200 " in head.split(b"\r\n")[0]:
        return head + b"\r\n\r\n"      # a tunnel: nothing more to wait for
    while length is None or len(body) < length:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def raw(host, port, *payloads):
    """Send each PAYLOAD (Python escapes allowed) on one connection, the next
    after the previous response, and print each response's status line, its
    X-Proxy-Error header and its first body line prefixed with `body:`."""
    s = socket.create_connection((host, int(port)), timeout=1.5)
    for payload in payloads:
        try:
            s.sendall(payload.encode().decode("unicode_escape").encode("latin-1"))
        except OSError as e:
            print("send:" + errno.errorcode.get(e.errno, str(e)))
            return
        data = recv_response(s)
        if not data:
            print("closed")
            return
        head, _, body = data.decode("latin-1").partition("\r\n\r\n")
        for line in head.split("\r\n"):
            if line.startswith("HTTP/") or line.lower().startswith("x-proxy-error"):
                print(line)
        if body:
            print("body:" + body.split("\n")[0])


def socks(host, port, atyp, dest, dport, payload="", cmd="1"):
    """RFC 1928 no-auth request (CMD 1 CONNECT, 2 BIND, 3 UDP ASSOCIATE);
    prints `rep=N` and, on success with a payload, `echo=<what came back>`."""
    s = socket.create_connection((host, int(port)), timeout=3)
    s.sendall(b"\x05\x01\x00")
    if s.recv(2) != b"\x05\x00":
        print("method-refused")
        return
    if atyp == "ipv4":
        addr = b"\x01" + socket.inet_aton(dest)
    elif atyp == "ipv6":
        addr = b"\x04" + socket.inet_pton(socket.AF_INET6, dest)
    else:
        name = dest.encode().decode("unicode_escape").encode("latin-1")
        addr = b"\x03" + bytes([len(name)]) + name
    s.sendall(bytes([5, int(cmd), 0]) + addr + struct.pack(">H", int(dport)))
    head = s.recv(4)
    if len(head) < 2:
        print("closed")
        return
    print("rep=%d" % head[1])
    if head[1] != 0:
        return
    rest = {1: 6, 4: 18}.get(head[3])
    if rest is None:
        rest = s.recv(1)[0] + 2
    s.recv(rest)
    if payload:
        s.sendall(payload.encode())
        s.shutdown(socket.SHUT_WR)
        print("echo=" + recv_all(s).decode())


def tcp(host, port):
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
        print("connected")
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e)))


def udp(host, port):
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"x", (host, int(port)))
        print("sent")
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e)))


def listen(port, ready, result):
    """Serve PORT on 127.0.0.1 for two seconds; the result file says whether
    anything connected."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", int(port)))
        s.listen(8)
    except OSError as e:
        open(result, "w").write("bind-failed " + errno.errorcode.get(e.errno, "?"))
        open(ready, "w").close()
        return
    s.settimeout(2)
    open(ready, "w").close()
    try:
        s.accept()
        open(result, "w").write("accepted")
    except socket.timeout:
        open(result, "w").write("none")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"serve": serve, "raw": raw, "socks": socks, "tcp": tcp, "udp": udp,
     "listen": listen}[cmd](*args)
