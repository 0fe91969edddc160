from django.db import migrations, models
from django.db.models import Q


def mark_attached(apps, schema_editor):
    """Files already attached to a complaint or a statement are attached."""
    Evidence = apps.get_model("evidence", "Evidence")
    attached = Evidence.objects.filter(
        Q(complaints__isnull=False) | Q(statements__isnull=False)
    ).values_list("pk", flat=True)
    Evidence.objects.filter(pk__in=list(attached)).update(attached_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0001_initial"),
        ("cases", "0007_deadlines_and_actors"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="attached_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When it was attached to a filing or a statement; it is never attached twice.",
                null=True,
            ),
        ),
        migrations.RunPython(mark_attached, migrations.RunPython.noop),
    ]
