from django.db import migrations


class Migration(migrations.Migration):
    """The counters moved to accounts (ombuds.accounts.ratelimit); counts are short-lived."""

    dependencies = [("intake", "0001_initial")]

    operations = [migrations.DeleteModel(name="RateCounter")]
