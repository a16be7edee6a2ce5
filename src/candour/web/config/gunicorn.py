"""gunicorn's settings for Candour, read with ``--config python:candour.web.config.gunicorn``
(docs/how-to/deploy.md): command-line options still override them.

Each worker warms up before it takes its first request (``post_worker_init``: after it has
loaded the application, before it accepts): the URL configuration with every view module, the
templates of the oversight pages, and the stored assessment of the current data read into the
worker's memory. Without this the first request a worker served took about 3 s.

The application is loaded by each worker, not preloaded in the master (``preload_app``):
Polars' thread pool, vl-convert's JavaScript runtime and database connections do not survive a
fork, and a master that had used them would hand broken copies to its workers.
"""

from __future__ import annotations

preload_app = False


def post_worker_init(worker) -> None:
    from candour.web.core.warmup import warm_up

    seconds = warm_up()
    worker.log.info("Candour worker %s warmed up in %.1f s", worker.pid, seconds)
