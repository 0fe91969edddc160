"""The project's settings, with the benchmark's URLs (the project's plus `POST /bench/bare`).

DJANGO_SETTINGS_MODULE=bench.benchsite.settings PYTHONPATH=/work/main gunicorn ombuds.wsgi
"""

from ombuds.settings import *  # noqa: F403

ROOT_URLCONF = "bench.benchsite.urls"
