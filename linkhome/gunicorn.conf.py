"""How gunicorn runs the site (bin/run and the Dockerfile pass `-c linkhome/gunicorn.conf.py`).

The site is loaded and warmed once in the master process; workers are forked from it, so none
of them pays for importing views, loading catalogs or compiling templates on a visitor's request.
"""

preload_app = True


def when_ready(server) -> None:
    from linkhome.warmup import warm_up

    server.log.info("warmed %d templates before forking the workers", len(warm_up()))
