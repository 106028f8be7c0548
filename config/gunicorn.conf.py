# gunicorn settings for the Kavalu API. Override any of them on the command line.
import multiprocessing

bind = "127.0.0.1:8000"
workers = multiprocessing.cpu_count() * 2
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = None
errorlog = "-"
loglevel = "info"


def child_exit(server, worker):
    # Metrics of a gunicorn worker that exited must not count as live gauges (prometheus multiprocess mode).
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
