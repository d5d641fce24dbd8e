"""How gunicorn runs the site (bin/run and the Dockerfile pass `-c linkhome/gunicorn.conf.py`).

The site is loaded and warmed once in the master process; workers are forked from it, so none
of them pays for importing views, loading catalogs or compiling templates on a visitor's request.
"""

preload_app = True


def when_ready(server) -> None:
    from linkhome.warmup import warm_up

    server.log.info("warmed %d templates before forking the workers", len(warm_up()))


def post_worker_init(worker) -> None:
    """Each worker answers one health check of its own before its first visitor: its database
    connection is opened and the request path run once (a sync worker serves on this thread)."""
    from linkhome.warmup import first_request

    first_request(worker.wsgi)
