# The portal image: web (gunicorn), Celery worker and beat all run from it (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings

WORKDIR /app

# Dependencies first (pinned in pyproject.toml), so code changes reuse this layer.
COPY pyproject.toml ./
RUN pip install .

COPY . .

# Static files are collected at build time and served by WhiteNoise. The key below only
# exists for this build step; the container gets the real one from the environment.
RUN DJANGO_PRODUCTION=1 \
    DJANGO_SECRET_KEY=collectstatic-only-not-a-runtime-key-0123456789abcdefghijklmnopqrstuvwxyz \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
 && rm -f /tmp/build.sqlite3 \
 && useradd --system --home-dir /app --shell /usr/sbin/nologin portal \
 && mkdir -p /app/var/media /app/var/beat \
 && chown -R portal:portal /app/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind=0.0.0.0:8000", "--workers=3", "--access-logfile=-"]
