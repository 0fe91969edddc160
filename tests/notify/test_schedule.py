"""One schedule for the deployment: however many workers look, each periodic run is enqueued
by one of them, once per interval."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ombuds.notify.models import PeriodicRun
from ombuds.notify.schedule import Schedule, take_turn
from ombuds.notify.tasks import periodic_schedule
from tests.notify.workers import SMTPCounter, env_for, running, wait_until

MINUTE = timedelta(minutes=1)


@pytest.mark.django_db
def test_two_workers_looking_every_second_for_ten_minutes_run_it_ten_times():
    first, second = Schedule("worker-a"), Schedule("worker-b")
    start = timezone.now()
    runs = []
    for second_ in range(600):
        now = start + timedelta(seconds=second_)
        for schedule in (first, second) if (second_ // 60) % 2 else (second, first):
            if schedule.due("ombuds.cases.tasks.run_scheduled_checks", MINUTE, now):
                runs.append((now, schedule.worker))
    assert len(runs) == 10
    assert all(b - a == MINUTE for (a, _), (b, _) in itertools.pairwise(runs))
    assert {worker for _, worker in runs} == {"worker-a", "worker-b"}  # whoever looked first


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_racing_at_the_same_moment_one_wins():
    start = timezone.now()
    for round_ in range(10):
        now = start + round_ * MINUTE
        barrier = threading.Barrier(2)
        wins: list[bool] = []

        def race(name: str, now=now, barrier=barrier, wins=wins) -> None:
            try:
                barrier.wait()
                wins.append(take_turn("race", MINUTE, worker=name, now=now))
            finally:
                connection.close()

        threads = [threading.Thread(target=race, args=(f"w{i}",)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(wins) == [False, True], (round_, wins)
    assert PeriodicRun.objects.get(name="race").next_run_at == start + 10 * MINUTE


def test_the_periodic_tasks_and_how_often():
    schedule = {task.module_path: every for task, every in periodic_schedule()}
    assert schedule["ombuds.cases.tasks.run_scheduled_checks"] == MINUTE
    assert schedule["ombuds.cases.tasks.delete_abandoned_uploads"] == timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_two_real_workers_enqueue_each_periodic_task_once(tmp_path):
    from django_tasks_db.models import DBTaskResult

    smtp = SMTPCounter()
    env = env_for("database", smtp.controller.port)
    with (
        running(env, tmp_path / "a.log", interval=0.1) as first,
        running(env, tmp_path / "b.log", interval=0.1) as second,
    ):
        first.wait_started()
        second.wait_started()
        paths = {task.module_path for task, _ in periodic_schedule()}
        wait_until(
            lambda: set(DBTaskResult.objects.values_list("task_path", flat=True)) >= paths,
            30,
            "the periodic tasks were never enqueued",
        )
        time.sleep(2)  # twenty more looks each
        assert first.stop() == 0
        assert second.stop() == 0
    enqueued = list(
        DBTaskResult.objects.filter(task_path__in=paths).values_list("task_path", flat=True)
    )
    assert sorted(enqueued) == sorted(paths), "each periodic task once, not once per worker"
    assert {run.last_worker[:6] for run in PeriodicRun.objects.all()} == {"ombuds"}
