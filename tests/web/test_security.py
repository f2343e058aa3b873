"""The dashboard locked down, tested against the real uvicorn server on loopback.

CSP (and that the pages still draw under it in Chromium), the trusted-host
check, 414/431 for oversized requests as HTTP answers (not TCP resets), 422
for hostile theses with the keep-alive connection still usable, and the write
token read from a file or the environment, never from argv.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from rotation.thesis_files import default_thesis_text
from rotation.web import BackgroundServer, create_app, free_port

from .web_support import AS_OF_A, Browser, chromium_available

TOKEN = "file-or-env-token-0123456789"


# -- helpers ---------------------------------------------------------------


def _csp(response: httpx.Response) -> dict[str, list[str]]:
    header = response.headers.get("content-security-policy", "")
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _raw_request(port: int, head: bytes, *, timeout: float = 15.0) -> bytes:
    """Send ``head`` on a fresh socket and read the whole answer (bounded)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        chunks, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _body(answer: bytes) -> dict:
    return json.loads(answer.partition(b"\r\n\r\n")[2])


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


# -- fixtures ----------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile_theses")
    (folder / "fine.yaml").write_text(default_thesis_text(), encoding="utf-8")
    (folder / "deep.yaml").write_text("meta: " + "[" * 20_000 + "]" * 20_000)
    nul = default_thesis_text().replace("title:", "title: a\x00b", 1)
    (folder / "nul.yaml").write_text(nul, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def guarded(store_path: Path, hostile_dir: Path) -> Iterator[BackgroundServer]:
    with BackgroundServer(
        store_path,
        thesis_dir=hostile_dir,
        host_allow=["dash.example.org", "pinned.example:9999"],
    ) as running:
        yield running


# -- CSP and headers ------------------------------------------------------------


class TestContentSecurityPolicy:
    @pytest.mark.parametrize(
        "path", ["/api/health", "/static/dashboard.js", "/no/such/page", "/api/x"]
    )
    def test_every_answer_has_a_strict_policy(self, guarded, path):
        response = httpx.get(guarded.url + path)
        policy = _csp(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        assert not any("unsafe-eval" in v for values in policy.values() for v in values)
        assert response.headers["x-content-type-options"] == "nosniff"

    def test_replayed_cached_answer_keeps_the_headers_once(self, guarded):
        first = httpx.get(guarded.url + "/api/coverage")
        second = httpx.get(guarded.url + "/api/coverage")
        assert first.status_code == second.status_code == 200
        for response in (first, second):
            assert len(response.headers.get_list("content-security-policy")) == 1

    def test_section_page_has_no_executable_inline_script(self, guarded):
        response = httpx.get(f"{guarded.url}/section/rrg?as_of={AS_OF_A}", timeout=180)
        assert response.status_code == 200
        parser = _Scripts()
        parser.feed(response.text)
        sources = [a.get("src") for a, _ in parser.scripts if a.get("src")]
        assert sources == ["/static/plotly.min.js", "/static/dashboard.js"]
        figures = [(a, t) for a, t in parser.scripts if not a.get("src")]
        assert figures, "the rrg section has charts"
        for attrs, text in figures:
            assert attrs.get("type") == "application/json"
            figure = json.loads(text)
            assert set(figure) == {"data", "layout", "config"}
            assert "</" not in text


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium")
class TestBrowserUnderPolicy:
    def test_dashboard_draws_without_violations_and_the_policy_bites(
        self, server, tmp_path
    ):
        with Browser(tmp_path / "profile") as browser:
            page = browser.page
            page.add_init_script(
                "window.__csp = [];"
                "document.addEventListener('securitypolicyviolation',"
                " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            response = page.goto(
                f"{server.url}/?as_of={AS_OF_A}&sections=rrg", timeout=180_000
            )
            assert response is not None and response.status == 200
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_function(
                "() => document.querySelectorAll('.plotly-graph-div').length > 0 &&"
                " Array.from(document.querySelectorAll('.plotly-graph-div'))"
                ".every(d => d.querySelector('svg.main-svg'))",
                timeout=60_000,
            )
            assert browser.rendered_charts() >= 2  # explorer + rrg
            assert page.evaluate("() => window.__csp") == []
            assert browser.console_errors == []
            # The policy is enforced: an injected inline script does not run.
            ran = page.evaluate(
                "() => { const s = document.createElement('script');"
                " s.textContent = 'window.__ran = true';"
                " document.body.appendChild(s); return window.__ran === true; }"
            )
            assert ran is False
            page.wait_for_function("() => window.__csp.length > 0", timeout=5_000)
            assert any("script-src" in v for v in page.evaluate("() => window.__csp"))


# -- Host ------------------------------------------------------------------------


class TestTrustedHost:
    @pytest.mark.parametrize("path", ["/api/health", "/"])
    def test_foreign_host_is_refused_with_the_allowed_names(self, guarded, path):
        response = httpx.get(guarded.url + path, headers={"Host": "evil.example"})
        assert response.status_code == 400
        assert "evil.example" in response.text
        assert f"localhost:{guarded.port}" in response.text
        assert "--host-allow" in response.text
        if path.startswith("/api"):
            body = response.json()
            assert body["parameter"] == "Host"
            assert f"[::1]:{guarded.port}" in body["allowed"]
        else:
            assert response.headers["content-type"].startswith("text/html")

    @pytest.mark.parametrize(
        "host",
        [
            "127.0.0.1:{port}",
            "localhost:{port}",
            "[::1]:{port}",
            "LOCALHOST:{port}",
            "dash.example.org",
            "dash.example.org:{port}",
            "pinned.example:9999",
        ],
    )
    def test_loopback_and_allowed_names_pass(self, guarded, host):
        response = httpx.get(
            guarded.url + "/api/health",
            headers={"Host": host.format(port=guarded.port)},
        )
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "host",
        [
            "localhost:1",
            "dash.example.org:1",
            "pinned.example",
            "127.0.0.2:{port}",
            "localhost.:{port}",
            "evil.localhost:{port}",
            "localhost:{port}@evil",
        ],
    )
    def test_near_misses_are_refused(self, guarded, host):
        response = httpx.get(
            guarded.url + "/api/health",
            headers={"Host": host.format(port=guarded.port)},
        )
        assert response.status_code == 400

    def test_a_cached_answer_is_not_replayed_to_a_foreign_host(self, guarded):
        assert httpx.get(guarded.url + "/api/coverage").status_code == 200
        foreign = httpx.get(
            guarded.url + "/api/coverage", headers={"Host": "evil.example"}
        )
        assert foreign.status_code == 400

    @pytest.mark.parametrize("entry", ["http://x.org", "x.org/path", "", "*.x.org"])
    def test_bad_host_allow_entries_are_refused(self, store_path, entry):
        with pytest.raises(ValueError, match="not a host name"):
            create_app(store_path, host_allow=[entry])


# -- sizes -----------------------------------------------------------------------


class TestOversizedRequests:
    def test_one_megabyte_query_is_414_not_a_reset(self, guarded):
        query = b"q=" + b"a" * (1 << 20)
        answer = _raw_request(
            guarded.port,
            b"GET /api/health?" + query + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        )
        assert _status(answer) == 414
        assert "8192" in _body(answer)["error"]
        assert b"content-security-policy" in answer.lower()

    def test_ten_kilobyte_query_is_414_and_keeps_the_connection(self, guarded):
        with httpx.Client(base_url=guarded.url) as client:
            response = client.get("/api/health", params={"q": "a" * 10_000})
            assert response.status_code == 414
            assert response.json()["status"] == 414
            assert client.get("/api/health").status_code == 200

    def test_forty_kilobytes_of_headers_is_431(self, guarded):
        with httpx.Client(base_url=guarded.url) as client:
            response = client.get("/api/health", headers={"X-Big": "b" * 40_000})
            assert response.status_code == 431
            assert "32768" in response.json()["error"]
            assert client.get("/api/health").status_code == 200

    def test_huge_header_block_is_431_not_a_reset(self, guarded):
        headers = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 4000) for i in range(100))
        answer = _raw_request(
            guarded.port,
            b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n",
        )
        assert _status(answer) == 431

    def test_normal_request_is_untouched(self, guarded):
        response = httpx.get(guarded.url + "/api/health", params={"q": "a" * 4_000})
        assert response.status_code == 200


# -- hostile theses ------------------------------------------------------------------


class TestHostileThesis:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [("deep", "nesting is deeper"), ("nul", "NUL character")],
    )
    def test_422_and_the_same_connection_serves_the_next_request(
        self, guarded, name, expected
    ):
        conn = http.client.HTTPConnection("127.0.0.1", guarded.port, timeout=60)
        try:
            conn.request("GET", f"/api/thesis/status?thesis={name}")
            first = conn.getresponse()
            body = json.loads(first.read())
            assert first.status == 422
            assert expected in body["error"]
            assert body["parameter"] == "thesis"
            sock = conn.sock
            conn.request("GET", "/api/health")
            second = conn.getresponse()
            assert second.status == 200
            assert json.loads(second.read())["theses"]
            assert conn.sock is sock  # kept alive, not reset and reopened
        finally:
            conn.close()

    def test_dashboard_page_for_a_deep_thesis_is_a_422_page(self, guarded):
        response = httpx.get(guarded.url + "/", params={"thesis": "deep"}, timeout=60)
        assert response.status_code == 422
        assert "nesting is deeper" in response.text
        assert "Traceback" not in response.text


# -- write token -------------------------------------------------------------------------


def _wait_up(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.communicate()[0].decode()[-2000:])
        try:
            httpx.get(url + "/api/health", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"rotation serve did not answer on {url} in {timeout} s")


class TestWriteToken:
    @pytest.mark.parametrize("source", ["file", "env"])
    def test_serve_reads_the_token_without_argv(self, store_path, tmp_path, source):
        store = tmp_path / "store.duckdb"
        shutil.copyfile(store_path, store)
        env = {k: v for k, v in os.environ.items() if k != "ROTATION_TOKEN"}
        port = free_port()
        argv = [sys.executable, "-m", "rotation.cli", "serve", "--store", str(store)]
        argv += ["--port", str(port), "--allow-writes"]
        if source == "file":
            token_file = tmp_path / "token"
            token_file.write_text(TOKEN + "\n", encoding="utf-8")
            token_file.chmod(0o600)
            argv += ["--token-file", str(token_file)]
        else:
            env["ROTATION_TOKEN"] = TOKEN
        proc = subprocess.Popen(
            argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_up(url, proc)
            cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
            assert TOKEN.encode() not in cmdline
            update = f"{url}/api/data/update"
            wrong = httpx.post(update, headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            ok = httpx.post(
                update, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
            )
            assert ok.status_code == 200, ok.text
        finally:
            proc.terminate()
            output = proc.communicate(timeout=20)[0].decode()
        assert "deprecated" not in output

    def test_allow_writes_without_a_token_says_where_to_put_it(self, tmp_path):
        env = {k: v for k, v in os.environ.items() if k != "ROTATION_TOKEN"}
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "rotation.cli",
                "serve",
                "--allow-writes",
                "--store",
                str(tmp_path / "none.duckdb"),
                "--port",
                str(free_port()),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2
        message = " ".join(result.stderr.split())
        assert "--token-file" in message and "ROTATION_TOKEN" in message
        assert "Traceback" not in result.stderr

    def test_missing_token_file_is_named(self, tmp_path):
        from rotation.web._server import read_token

        with pytest.raises(FileNotFoundError, match="absent.txt"):
            read_token(tmp_path / "absent.txt")

    def test_group_readable_token_file_warns(self, tmp_path):
        from rotation.web._server import TokenFileWarning, read_token

        path = tmp_path / "token"
        path.write_text(f"  {TOKEN}\n", encoding="utf-8")
        path.chmod(0o644)
        with pytest.warns(TokenFileWarning, match="chmod 600"):
            assert read_token(path) == TOKEN

    def test_env_is_read_only_when_no_file_is_given(self):
        from rotation.web._server import read_token

        assert read_token(environ={"ROTATION_TOKEN": f" {TOKEN} "}) == TOKEN
        assert read_token(environ={}) is None
        with pytest.raises(ValueError, match="never read from argv"):
            read_token(environ={}, required=True)


class TestCliMessages:
    def test_web_extra_message_keeps_its_brackets(self, monkeypatch):
        from typer.testing import CliRunner

        from rotation.cli import app

        monkeypatch.setitem(sys.modules, "rotation.web", None)
        result = CliRunner().invoke(app, ["serve"])
        assert result.exit_code == 2
        assert "[web] extra" in " ".join(result.output.split())

    def test_deprecated_token_option_still_works_with_a_warning(self, monkeypatch):
        from typer.testing import CliRunner

        import rotation.web
        from rotation.cli import app

        seen: dict = {}
        monkeypatch.setattr(rotation.web, "serve", lambda *a, **k: seen.update(k))
        result = CliRunner().invoke(
            app, ["serve", "--allow-writes", "--token", TOKEN, "--host-allow", "x.org"]
        )
        assert result.exit_code == 0, result.output
        assert "deprecated" in result.output
        assert seen["token"] == TOKEN
        assert seen["host_allow"] == ["x.org"]
