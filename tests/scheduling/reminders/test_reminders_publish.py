"""Publishing to the broker from a web process: fast, and never waiting on Redis."""

from clinic.celery import app
from scheduling.reminders import dispatch


def test_publishing_never_subscribes_to_a_result_so_a_redis_outage_cannot_hang_a_booking(
    monkeypatch,
):
    """Found by the fault drill (bench/drill, "Redis stopped"): gunicorn has not imported the
    tasks, so each publish went through send_task without ignore_result and subscribed to a
    result channel; with Redis down that subscription retried for 20 s inside the booking."""

    def subscribes(*args, **kwargs):
        raise AssertionError("subscribed to a result channel")

    monkeypatch.setattr(type(app.backend), "on_task_call", subscribes)
    # As in gunicorn: the task is not imported there, so the name goes to send_task.
    monkeypatch.delitem(app.tasks, dispatch.DISPATCH_TASK, raising=False)
    assert dispatch.publish(dispatch.DISPATCH_TASK, [()])
