"""Uploads never attached to a filing are deleted after a day, by a periodic task of the
worker's schedule (hourly); attached ones and younger ones stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from ombuds.evidence.models import Evidence
from ombuds.notify.tasks import periodic_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def _upload(name: str, *, age: timedelta, attached: bool) -> Evidence:
    evidence = Evidence.objects.create(
        file=ContentFile(b"%PDF-1.4 " + name.encode(), name=f"{name}.pdf"),
        safe_name=f"{name}.pdf",
        size=12,
        sha256="0" * 64,
        format="pdf",
        mime="application/pdf",
        type_key="prohibited_goods",
    )
    created = timezone.now() - age
    Evidence.objects.filter(pk=evidence.pk).update(
        created_at=created, attached_at=created if attached else None
    )
    return evidence


def test_unattached_uploads_older_than_a_day_are_deleted_hourly(storage):
    (task, every) = next(
        (task, every)
        for task, every in periodic_schedule()
        if task.module_path == "ombuds.cases.tasks.delete_abandoned_uploads"
    )
    assert every == timedelta(hours=1)
    abandoned = _upload("abandoned", age=timedelta(days=1, minutes=5), attached=False)
    young = _upload("young", age=timedelta(hours=23), attached=False)
    attached = _upload("attached", age=timedelta(days=30), attached=True)
    assert default_storage.exists(abandoned.file.name)
    assert default_storage.path(abandoned.file.name).startswith(str(storage))

    assert task.call() == 1

    assert set(Evidence.objects.values_list("safe_name", flat=True)) == {
        "young.pdf",
        "attached.pdf",
    }
    assert not default_storage.exists(abandoned.file.name)
    assert default_storage.exists(young.file.name) and default_storage.exists(attached.file.name)
    assert task.call() == 0
