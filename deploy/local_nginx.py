"""The shipped nginx site, run unprivileged on loopback in front of local app servers.

For bench/exam_day_hosts.py and tests/deploy/: the configuration they run is rendered
from deploy/nginx/, so what they measure and test is the shipped file.

- :func:`loopback_config`: plain HTTP on one port. The upstream block is the shipped one
  (its directives and each server's parameters: max_fails, fail_timeout) with the given
  ports as servers; the location includes the shipped proxy snippet as it is.
- :func:`site_config`: the whole shipped site (redirect, TLS, HSTS, default servers) with
  only addresses, ports, certificate and log paths replaced.

Each runs as ``nginx -p <prefix> -e <prefix>/error.log -c <conf> -g 'daemon off;'`` with
its own pid, log and temporary files under ``prefix``: the system's nginx service is
neither needed nor touched.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
SITE = DEPLOY / "nginx" / "presales-academy.conf"
PROXY_SNIPPET = DEPLOY / "nginx" / "presales-academy-proxy.conf"
SNIPPET_INCLUDE = "/etc/nginx/snippets/presales-academy-proxy.conf"
NGINX = Path(os.environ.get("NGINX_PATH", "/usr/sbin/nginx"))

UPSTREAM = re.compile(r"upstream presales_academy \{(?P<body>.*?)\n\}", re.S)
SERVER_LINE = re.compile(r"^\s*server\s+\S+(?P<params>[^;]*);", re.M)
COMMENT = re.compile(r"#[^\n]*")
# nginx's log: when, status, the request, every upstream tried ("A, B" when nginx passed
# the request on) with its status, and the time taken.
LOG_FORMAT = ("log_format hosts '$msec $status $request_method $uri "
              "\"$upstream_addr\" \"$upstream_status\" $request_time';")


def upstream_block(ports: list[int], host: str = "127.0.0.1") -> str:
    """The shipped upstream block with one server per port, each with the shipped parameters."""
    body = COMMENT.sub("", UPSTREAM.search(SITE.read_text()).group("body"))
    params = SERVER_LINE.search(body).group("params").strip()
    directives = [line.strip() for line in SERVER_LINE.sub("", body).splitlines()
                  if line.strip()]
    servers = [f"server {host}:{port} {params};" for port in ports]
    return "upstream presales_academy {\n    " + "\n    ".join(directives + servers) + "\n}"


def _frame(prefix: Path, body: str) -> str:
    """Main and http context: pid, logs and temporary files under ``prefix``."""
    temp = "\n    ".join(f"{name}_temp_path {prefix / name};"
                         for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # As root, nginx would run its workers as "nobody", which cannot enter a private
    # temporary folder; unprivileged, the directive is ignored with a warning, so omit it.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\n"
            f"error_log {prefix / 'error.log'} warn;\n"
            "events { worker_connections 4096; }\n"
            f"http {{\n    {temp}\n    {LOG_FORMAT}\n"
            f"    access_log {prefix / 'access.log'} hosts;\n{body}\n}}\n")


def loopback_config(prefix: Path, port: int, upstream_ports: list[int]) -> str:
    """Plain HTTP on 127.0.0.1:port, in front of the app servers on ``upstream_ports``."""
    server = (f"server {{\n    listen 127.0.0.1:{port};\n    location / {{\n"
              f"        proxy_pass http://presales_academy;\n"
              f"        include {PROXY_SNIPPET};\n    }}\n}}")
    return _frame(prefix, upstream_block(upstream_ports) + "\n" + server)


def site_config(prefix: Path, http_port: int, https_port: int, upstream_ports: list[int],
                certificate: Path, key: Path) -> str:
    """The whole shipped site on loopback ports, with the given certificate."""
    text = COMMENT.sub("", SITE.read_text())
    text = UPSTREAM.sub(lambda _: upstream_block(upstream_ports), text)
    replacements = [
        (r"^[ \t]*listen \[::\]:[^;\n]*;\n", ""),
        (r"listen 80\b", f"listen 127.0.0.1:{http_port}"),
        (r"listen 443\b", f"listen 127.0.0.1:{https_port}"),
        (r"ssl_certificate\s+\S+;", f"ssl_certificate {certificate};"),
        (r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};"),
        (r"access_log\s+\S+;", f"access_log {prefix / 'access.log'} hosts;"),
        (r"error_log\s+\S+;", f"error_log {prefix / 'error.log'};"),
        (re.escape(f"include {SNIPPET_INCLUDE};"), f"include {PROXY_SNIPPET};"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text, flags=re.M)
        if count == 0:
            raise ValueError(f"the shipped site has nothing matching {pattern!r}")
    return _frame(prefix, text)


def self_signed_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A throwaway certificate for ``name`` (openssl), valid for a day."""
    certificate, key = folder / "site.crt", folder / "site.key"
    subprocess.run(  # noqa: S603 - fixed argument list
        [shutil.which("openssl") or "openssl", "req", "-x509", "-newkey", "rsa:2048",
         "-nodes", "-days", "1", "-subj", f"/CN={name}", "-addext",
         f"subjectAltName=DNS:{name}", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True)
    return certificate, key


class LocalNginx:
    """One nginx master (and its worker) on loopback, with everything under ``prefix``."""

    def __init__(self, prefix: Path, config: str, ports: list[int]):
        self.prefix, self.ports = prefix, ports
        prefix.mkdir(parents=True, exist_ok=True)
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(config)
        self.proc: subprocess.Popen | None = None

    def command(self, *extra: str) -> list[str]:
        return [str(NGINX), "-p", str(self.prefix), "-e", str(self.prefix / "error.log"),
                "-c", str(self.conf), *extra]

    def check(self) -> None:
        """``nginx -t`` on the rendered configuration; raises with nginx's words."""
        result = subprocess.run(self.command("-t"), capture_output=True, text=True)  # noqa: S603
        if result.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{result.stderr}")

    def start(self, timeout: float = 10.0) -> None:
        self.check()
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argument list
            self.command("-g", "daemon off;"), stdout=subprocess.DEVNULL,
            stderr=(self.prefix / "stderr.log").open("wb"))
        deadline = time.monotonic() + timeout
        while not all(_accepts(port) for port in self.ports):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("nginx did not start: " + self.error_log()[-2000:])
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGQUIT: nginx finishes the requests in progress, then exits."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def access_log(self) -> list[dict]:
        """nginx's log lines (format ``hosts``) as dicts: at, status, method, uri, upstreams."""
        path = self.prefix / "access.log"
        rows = []
        for line in path.read_text().splitlines() if path.exists() else []:
            match = re.match(r'(\S+) (\d+) (\S+) (\S+) "([^"]*)" "([^"]*)" (\S+)$', line)
            if match:
                at, status, method, uri, addrs, statuses, took = match.groups()
                rows.append({"at": float(at), "status": int(status), "method": method,
                             "uri": uri, "upstreams": [a.strip() for a in addrs.split(",")],
                             "upstream_statuses": statuses, "seconds": float(took)})
        return rows


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
