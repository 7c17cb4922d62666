"""`make bench-load`: the app under gunicorn with production settings, driven by locust.

- ``__main__``: picks the targets from the scale data, signs each role in, starts gunicorn
  and a Celery worker, runs locust headless at each user count, and writes the report;
- ``locustfile``: the endpoints, by role;
- ``live``: what the writes need, made through the services: running infusions (vitals) and
  patients between courses (booking and cancelling);
- ``middleware``: only when ``BENCH_LOAD=1``: the queries of each request in a response
  header, the slowest query of each request to a log, and the floor (``/bench/floor/``: an
  authenticated request that reads one row, answered after the whole middleware stack).
"""
