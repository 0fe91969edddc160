"""The project's settings; URLs: the project's plus `GET /bench/queue/<code>/`.

DJANGO_SETTINGS_MODULE=bench.casesite.settings PYTHONPATH=/work/main gunicorn ombuds.wsgi
"""

from ombuds.settings import *  # noqa: F403

ROOT_URLCONF = "bench.casesite.urls"
