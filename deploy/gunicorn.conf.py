"""gunicorn settings for Open City (`gunicorn -c deploy/gunicorn.conf.py opencity.wsgi`).

Used by `make run-prod` and by deploy/systemd/opencity-web.service. Sizing: a request spends most
of its time waiting on PostgreSQL (PLATFORM.md: a report is ~39 ms through HTTP for ~1.5 ms of
SQL, a map layer ~12 ms), so a few threads per process keep a core busy. The default — 2 processes
× 4 threads, 8 requests at once — fits a 2-core machine; take processes = cores and threads 4 on a
bigger one. Each thread may hold one persistent database connection (DATABASE_CONN_MAX_AGE), so
keep processes × threads × servers under PostgreSQL's max_connections (100 by default) minus the
workers' and administrators' own, or put PgBouncer between them.
"""

import os

bind = os.environ.get("OPENCITY_BIND", "127.0.0.1:8000")  # a unix socket: "unix:/run/opencity/web.sock"
workers = int(os.environ.get("OPENCITY_WEB_WORKERS", "2"))
threads = int(os.environ.get("OPENCITY_WEB_THREADS", "4"))
worker_class = "gthread"
# Uploads stream through (up to OPENCITY_MAX_VIDEO_MB) and a video is probed by ffprobe at intake.
timeout = int(os.environ.get("OPENCITY_WEB_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle processes now and then (memory grows with big GeoJSON answers), not all at once.
max_requests = 2000
max_requests_jitter = 200
# The app writes its own JSON line per request (opencity.observability); gunicorn's access log
# would repeat it. Errors still go to stderr, which systemd's journal collects.
accesslog = None
errorlog = "-"
# The reverse proxy on this machine sets X-Forwarded-Proto; only trust it from there.
forwarded_allow_ips = os.environ.get("OPENCITY_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "opencity-web"
# gunicorn's control socket defaults to one path per OS user (~/.gunicorn/gunicorn.ctl), which two
# instances on one machine would fight over; nothing here uses it.
control_socket_disable = True
