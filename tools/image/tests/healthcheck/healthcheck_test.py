"""The health probe asks the container's own server (or a URL) and exits 0 only on 200."""

import http.server
import threading
from collections.abc import Iterator

import pytest

from platform_image.healthcheck import check, main, own_server, target


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@pytest.fixture()
def port() -> Iterator[int]:
    """A server on 127.0.0.1 answering 200 on /healthz and 503 elsewhere."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_200_is_healthy_and_anything_else_is_not(port: int) -> None:
    assert check("127.0.0.1", port, "/healthz") is None
    assert check("127.0.0.1", port, "/readyz") == f"GET http://127.0.0.1:{port}/readyz: status 503"


def test_an_unreachable_server_is_unhealthy() -> None:
    problem = check("127.0.0.1", 1, "/healthz", timeout_s=1.0)
    assert problem is not None
    assert problem.startswith("GET http://127.0.0.1:1/healthz: ")


def test_the_server_is_found_from_its_settings() -> None:
    assert own_server({"HOST": "0.0.0.0", "PORT": "8002"}) == ("127.0.0.1", 8002)
    assert own_server({"PORT": " 8001 "}) == ("127.0.0.1", 8001)
    assert own_server({"HOST": "::", "PORT": "80"}) == ("::1", 80)
    assert own_server({"HOST": "10.0.0.7", "PORT": "80"}) == ("10.0.0.7", 80)
    with pytest.raises(ValueError, match="PORT is '', not a port number"):
        own_server({})


def test_the_argument_is_a_path_or_a_url() -> None:
    env = {"PORT": "8003"}
    assert target(None, env) == ("127.0.0.1", 8003, "/healthz")
    assert target("/readyz", env) == ("127.0.0.1", 8003, "/readyz")
    assert target("http://transcript-api:8003/readyz", {}) == ("transcript-api", 8003, "/readyz")
    assert target("http://api", {}) == ("api", 80, "/")
    with pytest.raises(ValueError, match="not an http:// URL with a host"):
        target("https://api/readyz", {})


def test_main_exits_0_when_healthy_and_1_with_the_reason(
    port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([], {"HOST": "127.0.0.1", "PORT": str(port)}) == 0
    assert main([f"http://127.0.0.1:{port}/healthz"], {}) == 0
    assert main(["/readyz"], {"PORT": str(port)}) == 1
    assert "status 503" in capsys.readouterr().err
    assert main([], {"PORT": "x"}) == 1
    assert "PORT is 'x'" in capsys.readouterr().err
