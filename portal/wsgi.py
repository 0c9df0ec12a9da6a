import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# Load jieba's dictionary when a web worker starts, not on the first Chinese search (2-3 s).
import jieba  # noqa: E402

jieba.setLogLevel(30)
jieba.initialize()
