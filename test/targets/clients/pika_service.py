"""Test target on Debian's python3-pika: the target contract on http.server, publishing with pika.

Healthy by default: one BlockingConnection with one confirm channel, owned by a publishing thread that
HTTP handler threads hand their calls to (BlockingConnection is not thread-safe). It ignores UNITS and
runs as one process, like many small Python services: the broker sees one unit whatever --units says.

LEAK_EVERY=N makes it the leaky twin: every N-th call opens an extra connection, publishes on it and
never closes it.

Run it with /usr/bin/python3: Debian's python3-pika is installed for the system interpreter only.
"""
import os
import queue
import re
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pika

EXCHANGE = os.environ.get("VERIFY_EXCHANGE") or "rushgate.test-targets"
ROUTES = [re.compile(p) for p in (r"^/api/v1/stores/[^/]+/items/[^/]+$", r"^/api/v1/stores/[^/]+/items$", r"^/api/v1/stores/[^/]+/matchings$")]
LEAK_EVERY = int(os.environ.get("LEAK_EVERY") or 0)
NAME = "pika-leak-every-%d" % LEAK_EVERY if LEAK_EVERY else "pika"


def connect(role):
    params = pika.URLParameters(os.environ["AMQP_URL"])
    params.client_properties = {"connection_name": "%s/%s" % (NAME, role)}
    params.socket_timeout = 5
    return pika.BlockingConnection(params)


class Publisher(threading.Thread):
    """Owns every pika object; handler threads talk to it through a queue."""

    def __init__(self):
        super().__init__(daemon=True)
        self.calls = queue.Queue()
        self.connection = connect("publish")
        self.channel = self.connection.channel()
        self.channel.confirm_delivery()
        self.channel.exchange_declare(EXCHANGE, "topic", durable=False)
        self.leaked = []
        self.count = 0

    def publish(self, body, request_id, timeout=10):
        """Called from a handler thread: waits until the broker confirmed the message."""
        done = {"event": threading.Event(), "error": None}
        self.calls.put((body, request_id, done))
        if not done["event"].wait(timeout):
            raise TimeoutError("no confirm within %d s" % timeout)
        if done["error"]:
            raise done["error"]

    def stop(self):
        self.calls.put(None)

    def run(self):
        while True:
            try:
                call = self.calls.get(timeout=0.5)
            except queue.Empty:
                self.connection.process_data_events(0)  # heartbeats while idle
                continue
            if call is None:
                break
            body, request_id, done = call
            try:
                self.count += 1
                channel = self.channel
                if LEAK_EVERY and self.count % LEAK_EVERY == 0:
                    extra = connect("leak-%d" % (len(self.leaked) + 1))
                    self.leaked.append(extra)
                    channel = extra.channel()
                channel.basic_publish(EXCHANGE, "item.update", body, pika.BasicProperties(message_id=request_id))
            except Exception as err:  # answered 500 by the handler
                done["error"] = err
            done["event"].set()
        for conn in [self.connection] + self.leaked:
            try:
                conn.close()
            except Exception:
                pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the load driver expects

    def log_message(self, *args):
        pass

    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.answer(200, b"ok") if self.path.split("?")[0] == "/healthz" else self.answer(404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not any(r.match(self.path.split("?")[0]) for r in ROUTES):
            return self.answer(404)
        try:
            self.server.publisher.publish(body, self.headers.get("X-Request-Id", ""))
        except Exception as err:
            return self.answer(500, str(err).encode())
        self.answer(202, b'{"accepted":true}')

    do_PUT = do_POST


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: a burst of new connections would be refused.
    request_queue_size = 1024


def main():
    publisher = Publisher()
    publisher.start()
    server = Server(("127.0.0.1", int(os.environ["PORT"])), Handler)
    server.publisher = publisher

    def shutdown(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    server.serve_forever(poll_interval=0.2)
    publisher.stop()
    publisher.join(3)
    sys.exit(0)


if __name__ == "__main__":
    main()
