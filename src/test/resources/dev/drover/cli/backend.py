# A small HTTP/1.1 server for the proxy's tests: echoes what it received, answers slowly, streams
# server-sent events, echoes WebSocket messages, and is ready while $READY_FILE exists (if set).
import base64, hashlib, http.server, json, os, signal, socketserver, struct, sys, threading, time

PORT = int(os.environ["PORT"])
NAME = os.environ.get("DROVER_PROCESS", "?") + "." + os.environ.get("DROVER_REPLICA", "?")
READY_FILE = os.environ.get("READY_FILE")
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as they are written: no 40-ms delayed-ACK stall

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/health"):
            ok = READY_FILE is None or os.path.exists(READY_FILE)
            return self.reply(200 if ok else 503, '{"status":"%s"}' % ("ok" if ok else "starting"))
        if self.path.startswith("/slow"):
            time.sleep(float(os.environ.get("SLOW_SECONDS", "2")))
        if self.path.startswith("/events"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            for i in range(5):
                self.wfile.write(("data: event %d from %s\n\n" % (i, NAME)).encode())
                self.wfile.flush()
                time.sleep(0.5)
            self.close_connection = True
            return
        if self.headers.get("Upgrade", "").lower() == "websocket":
            return self.websocket()
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.reply(200, json.dumps({"name": NAME, "pid": os.getpid(), "path": self.path, "headers": headers}))

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.reply(200, json.dumps({"name": NAME, "received": len(body)}))

    def websocket(self):
        accept = base64.b64encode(hashlib.sha1((self.headers["Sec-WebSocket-Key"] + WS_GUID).encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        while True:
            head = self.rfile.read(2)
            if len(head) < 2:
                return
            opcode, length = head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = struct.unpack(">H", self.rfile.read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self.rfile.read(8))[0]
            mask = self.rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(length)))
            if opcode == 8:
                self.wfile.write(b"\x88\x02" + payload[:2])
                self.wfile.flush()
                return
            if opcode == 9:
                self.frame(10, payload)
                continue
            if opcode == 1:
                self.frame(1, ("echo from %s: " % NAME).encode() + payload)

    def frame(self, opcode, payload):
        n = len(payload)
        head = bytes([0x80 | opcode]) + (bytes([n]) if n < 126 else bytes([126]) + struct.pack(">H", n))
        self.wfile.write(head + payload)
        self.wfile.flush()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True


server = Server(("127.0.0.1", PORT), Handler)
signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
print("%s listening on %d" % (NAME, PORT), flush=True)
server.serve_forever()
server.server_close()
print("%s closed" % NAME, flush=True)
