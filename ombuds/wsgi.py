"""WSGI entry point. Refuses to start on an invalid policy file."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombuds.settings")
application = get_wsgi_application()

from ombuds.intake.language import warm_up  # noqa: E402
from ombuds.policy.loader import get_policy  # noqa: E402

get_policy()
warm_up()  # load the language model before the first request, not during it
