# A tiny web service for the proxy example: answers with which instance served the request,
# is ready once it listens, and finishes the requests it has when it is told to stop.
import http.server, os, signal, socketserver, threading

PORT = int(os.environ["PORT"])
NAME = os.environ["DROVER_PROCESS"] + "." + os.environ["DROVER_REPLICA"]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as they are written: no 40-ms delayed-ACK stall

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = ("ok\n" if self.path == "/health" else "hello from %s (pid %d)\n" % (NAME, os.getpid())).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", PORT), Handler)
signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
print("%s listening on 127.0.0.1:%d" % (NAME, PORT), flush=True)
server.serve_forever()
