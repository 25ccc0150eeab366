"""The WSGI application: Django, with the cached read path of published threads in front."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxpop.settings.base")
django_application = get_wsgi_application()

from voxpop.reader.fastpath import ThreadReadPath  # noqa: E402 -- needs the settings and apps loaded above
from voxpop.scoring.intake import intake_thread_start  # noqa: E402

application = ThreadReadPath(django_application)
intake_thread_start()  # each worker imports this module after the server started it
