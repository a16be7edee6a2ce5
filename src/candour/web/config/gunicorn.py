"""gunicorn's settings for Candour, read with ``--config python:candour.web.config.gunicorn``
(docs/how-to/deploy.md): command-line options still override them.

Each worker warms up before it takes its first request (``post_worker_init``: after it has
loaded the application, before it accepts): the URL configuration with every view module and
every namespace's reverse lookup, every template of Candour's, the stored assessment of the
current data read into the worker's memory, and one organisation page drawn and thrown away
(candour.web.core.warmup). Without this the first request a worker served took about 3 s. Then what the
warm-up left in memory (modules, templates, the assessment: about 240,000 objects, all living as
long as the worker) is moved out of the garbage collector's reach (``gc.freeze``): otherwise the
collector's first full pass over them, about 180 ms, fell in one of the worker's first requests
(benchmarks/pages/RESULTS.md).

The application is loaded by each worker, not preloaded in the master (``preload_app``):
Polars' thread pool, vl-convert's JavaScript runtime and database connections do not survive a
fork, and a master that had used them would hand broken copies to its workers.
"""

from __future__ import annotations

import gc

preload_app = False


def post_worker_init(worker) -> None:
    from candour.web.core.warmup import warm_up

    seconds = warm_up()
    gc.collect()  # what the warm-up threw away is freed, not frozen
    gc.freeze()
    worker.log.info("Candour worker %s warmed up in %.1f s", worker.pid, seconds)
