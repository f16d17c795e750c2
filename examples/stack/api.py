"""A tiny HTTP API on $PORT: GET /health, POST /jobs records a job, GET /jobs counts them."""
import json
import os
import signal
import sqlite3
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port = int(os.environ["PORT"])
name = os.environ.get("DROVER_PROCESS", "api")
db_path = os.path.join(os.environ.get("DATA_DIR", ".drover/data"), "stack.db")


class Handler(BaseHTTPRequestHandler):
    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            self._send(200, {"status": "ok", "instance": name})
        elif self.path == "/jobs":
            with sqlite3.connect(db_path) as db:
                count = db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
            self._send(200, {"jobs": count})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/jobs":
            self._send(404, {"error": "not found"})
            return
        with sqlite3.connect(db_path) as db:
            db.execute("INSERT INTO jobs (created, source) VALUES (?, ?)", (time.time(), name))
        self._send(201, {"recorded_by": name})

    def log_message(self, fmt, *args):
        if self.path == "/health":
            return  # probed every half second: not worth a line
        print(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}", flush=True)


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
signal.signal(signal.SIGTERM, lambda *_: (print("shutting down", flush=True), sys.exit(0)))
print(f"{name} listening on 127.0.0.1:{port}", flush=True)
server.serve_forever()
