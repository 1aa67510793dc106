"""gunicorn settings for one app host behind nginx (deploy/README.md).

    gunicorn -c deploy/gunicorn.conf.py wsgi:app

Every value can be overridden on the command line (``-w 4``) or, for the few read
here, from the environment (deploy/presales-academy.env.example).
"""

import multiprocessing
import os

# Where nginx connects: the host's private address (never a public one: a client that
# reached gunicorn directly could forge X-Forwarded-For and dodge the sign-in throttle).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: one request at a time each, nginx buffers slow clients in front of
# them. gunicorn's rule of thumb, 2 per core + 1, keeps the cores busy while some
# workers wait for PostgreSQL. Each worker holds one database connection while it
# works: hosts x workers must stay below PostgreSQL's max_connections (100 by default).
workers = int(os.environ.get("GUNICORN_WORKERS") or 0) or multiprocessing.cpu_count() * 2 + 1
worker_class = "sync"

# A worker silent for 60 s is killed and replaced (its request answers 502 at nginx).
# Long enough for the slowest legitimate request (a large bank import, an archive PDF);
# nginx's proxy_read_timeout (90 s) is longer, so the app gives up first.
timeout = 60
# SIGTERM (systemctl stop/restart): stop accepting, let requests in progress finish for
# up to 30 s. systemd's TimeoutStopSec (45 s) is longer.
graceful_timeout = 30

# Only nginx's address may tell gunicorn the request came over https (X-Forwarded-Proto).
# The app reads the same headers itself through ProxyFix (TRUSTED_PROXY_HOPS=1).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The access log goes to standard output (journald under systemd). Client address as
# nginx saw it, nginx's request id (the same as in nginx's log), time in milliseconds.
accesslog = "-"
access_log_format = (
    '%({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms '
    'id=%({x-request-id}i)s via=%(h)s'
)
errorlog = "-"
loglevel = "info"

# The workers' heartbeat files on tmpfs: on a disk, a slow fsync elsewhere could stall
# the heartbeat and get healthy workers killed.
if os.path.isdir("/dev/shm"):  # noqa: S108 - gunicorn's documented advice
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# gunicorn 25+ opens a control socket, by default one shared path under $HOME: keep it in
# the unit's RuntimeDirectory, and open none outside systemd (two instances on one
# machine would take each other's socket).
_runtime = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
if _runtime:
    control_socket = os.path.join(_runtime, "gunicorn.ctl")
else:
    control_socket_disable = True
