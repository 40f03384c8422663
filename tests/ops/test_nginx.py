"""deploy/nginx/opencity.conf, run by Debian's nginx (paths moved to a temporary directory, a
self-signed certificate made here) in front of gunicorn with the production settings."""

from __future__ import annotations

import http.client
import re
import shutil
import ssl
import subprocess
import time

import pytest
from django.conf import settings

from tests.ops.conftest import ROOT, manage, production_env
from tests.ops.servers import UnixConnection, free_port, start_gunicorn

pytestmark = pytest.mark.ops

SITE = ROOT / "deploy" / "nginx" / "opencity.conf"


def test_the_site_allows_the_apps_largest_upload():
    limit = re.search(r"client_max_body_size (\d+)m;", SITE.read_text())
    assert limit is not None
    assert int(limit.group(1)) == settings.OPENCITY_MAX_VIDEO_MB + 1  # the video plus the form around it


def _site_for(tmp, *, http_port: int, https_port: int, socket: str) -> str:
    site = SITE.read_text()
    replacements = {
        "listen [::]:80;": "",
        "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/letsencrypt/live/opencity.example.gov.ua/fullchain.pem": str(tmp / "cert.pem"),
        "/etc/letsencrypt/live/opencity.example.gov.ua/privkey.pem": str(tmp / "key.pem"),
        "/srv/opencity/staticfiles/": f"{tmp}/static/",
        "/srv/opencity/media/uploads/": f"{tmp}/media/uploads/",
        "unix:/run/opencity/web.sock": f"unix:{socket}",
        "/var/www/html": str(tmp),
    }
    for old, new in replacements.items():
        assert old in site, old
        site = site.replace(old, new)
    return site


@pytest.fixture
def nginx_in_front(transactional_db, tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    env = production_env(tmp_path, DJANGO_SECURE_COOKIES="1")
    manage(env, "createcachetable")
    # Hashed, compressed static files as on a server; the bulky admin, API-docs and map libraries are
    # skipped for time (the login page needs none of them).
    ignore = [f"--ignore={name}" for name in ("drf_spectacular_sidecar", "rest_framework", "gis", "admin", "leaflet")]
    manage(env, "collectstatic", "--no-input", "-v", "0", *ignore)
    (tmp_path / "media" / "uploads").mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    web_socket = str(tmp_path / "web.sock")
    http_port, https_port = free_port(), free_port()
    site = _site_for(tmp_path, http_port=http_port, https_port=https_port, socket=web_socket)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"""
daemon off;
user root;  # the test's files are private to root
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp_path}/nginx-access.log;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/site.conf;
}}
"""
    )
    check = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    server = start_gunicorn("web-nginx", tmp_path, environment=env, bind=f"unix:{web_socket}")
    proxy = subprocess.Popen(
        [nginx, "-c", str(tmp_path / "nginx.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    context = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPSConnection("localhost", https_port, context=context, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "nginx-error.log").read_text()
            time.sleep(0.2)
        yield {"https_port": https_port, "http_port": http_port, "context": context, "socket": web_socket}
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        server.stop()


def test_https_page_static_cache_and_upload_limit(nginx_in_front):
    port, context = nginx_in_front["https_port"], nginx_in_front["context"]

    def get(path: str, **headers):
        conn = http.client.HTTPSConnection("localhost", port, context=context, timeout=10)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response, response.read()

    page, body = get("/accounts/login/")
    assert page.status == 200
    assert re.fullmatch(r"[0-9a-f]{32}", page.getheader("X-Request-ID"))  # nginx's $request_id, kept by the app
    assert page.getheader("Content-Encoding") is None or page.getheader("Content-Encoding") == "gzip"
    # Behind TLS the app knows it is secure (X-Forwarded-Proto): its cookies demand HTTPS.
    assert "; secure" in page.getheader("Set-Cookie").lower()

    hashed = re.search(rb'/static/[^"]+\.[0-9a-f]{12}\.(?:css|js)', body)
    assert hashed is not None, body[:500]
    static, static_body = get(hashed.group().decode(), **{"Accept-Encoding": "gzip"})
    assert static.status == 200
    assert static.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert static.getheader("Content-Encoding") == "gzip"  # the .gz collectstatic wrote, sent as is

    # Without nginx (make run-prod), WhiteNoise serves the same file from gunicorn, cached as long.
    direct = UnixConnection(nginx_in_front["socket"])
    direct.request("GET", hashed.group().decode(), headers={"Host": "localhost", "Accept-Encoding": "gzip"})
    answer = direct.getresponse()
    assert answer.status == 200
    assert answer.getheader("Cache-Control") == "max-age=315360000, public, immutable"
    assert answer.getheader("Content-Encoding") == "gzip"

    # An upload larger than the limit is refused by nginx before the body is read.
    conn = http.client.HTTPSConnection("localhost", port, context=context, timeout=10)
    conn.putrequest("POST", "/api/v1/media/")
    conn.putheader("Content-Type", "multipart/form-data; boundary=x")
    conn.putheader("Content-Length", str(200 * 1024 * 1024))
    conn.endheaders()
    conn.send(b"--x\r\n")
    assert conn.getresponse().status == 413

    plain = http.client.HTTPConnection("127.0.0.1", nginx_in_front["http_port"], timeout=5)
    plain.request("GET", "/issues/", headers={"Host": "localhost"})
    redirect = plain.getresponse()
    assert redirect.status == 301
    assert redirect.getheader("Location") == "https://localhost/issues/"
