"""A local stand-in for Stripe's API (http.server in a thread): payment intents and refunds,
answered the same again for the same Idempotency-Key, like Stripe. No network leaves the
machine; the tests point STRIPE_API_BASE at it."""

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeStripe:
    def __init__(self):
        self.requests: list[dict] = []
        self.by_key: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.refuse_next = False


def _handler(state: FakeStripe):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _answer(self, status: int, body: dict):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802
            state.requests.append(
                {"method": "GET", "path": self.path, "headers": dict(self.headers)}
            )
            intent = state.intents.get(self.path.rsplit("/", 1)[-1])
            if intent is None:
                return self._answer(
                    404,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "message": "No such payment_intent",
                        }
                    },
                )
            return self._answer(200, intent)

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            key = self.headers.get("Idempotency-Key", "")
            state.requests.append(
                {"method": "POST", "path": self.path, "form": form, "headers": dict(self.headers)}
            )
            if state.refuse_next:
                state.refuse_next = False
                return self._answer(
                    402,
                    {
                        "error": {
                            "type": "card_error",
                            "code": "card_declined",
                            "message": "Your card was declined.",
                        }
                    },
                )
            if key in state.by_key:
                return self._answer(200, state.by_key[key])
            if self.path == "/v1/payment_intents":
                n = len(state.intents) + 1
                body = {"id": f"pi_local_{n}", "object": "payment_intent",
                        "amount": int(form["amount"]), "currency": form["currency"],
                        "status": "requires_payment_method",
                        "client_secret": f"pi_local_{n}_secret_x"}  # fmt: skip
                state.intents[body["id"]] = body
            elif self.path == "/v1/refunds":
                body = {"id": f"re_local_{len(state.by_key) + 1}", "object": "refund",
                        "amount": int(form["amount"]), "payment_intent": form["payment_intent"],
                        "status": "succeeded"}  # fmt: skip
            else:
                return self._answer(
                    404, {"error": {"type": "invalid_request_error", "message": "Unknown path"}}
                )
            state.by_key[key] = body
            return self._answer(200, body)

    return Handler


@contextmanager
def fake_stripe():
    state = FakeStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        state.base = f"http://127.0.0.1:{server.server_address[1]}"
        yield state
    finally:
        server.shutdown()
        server.server_close()
