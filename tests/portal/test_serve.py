"""`onewindow users add` and `onewindow serve` as an operator runs them: the first admin
created from the command line logs in to the portal served on loopback."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import httpx

from portal_kit import PASSWORD


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen) -> None:
    while process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(process.stderr.read())


def test_the_first_admin_from_the_cli_logs_in_to_the_served_portal(tmp_path):
    env = {**os.environ, "ONEWINDOW_ARCHIVE": str(tmp_path / "archive")}
    env.pop("ONEWINDOW_REDIS_URL", None)
    added = subprocess.run([sys.executable, "-m", "cli", "users", "add", "admin1", "--role", "admin",
                            "--password-stdin"], input=PASSWORD + "\n", env=env, capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    short = subprocess.run([sys.executable, "-m", "cli", "users", "add", "weak", "--password-stdin"],
                           input="short\n", env=env, capture_output=True, text=True)
    assert short.returncode != 0 and "10 characters" in short.stderr

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(port, server)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert "待遇领取银行账户变更" in client.get("/").text
            form = client.get("/console/login").text
            token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
            response = client.post("/console/login", data={"csrf": token, "username": "admin1", "password": PASSWORD})
            assert response.status_code == 303 and response.headers["location"] == "/console"
            assert "运行指标" in client.get("/admin").text
    finally:
        server.terminate()
        server.wait(timeout=30)
