# The production image: one image for web, worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=moonflow.settings.production

WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir --upgrade pip && pip install --no-cache-dir .
COPY . .
# Static files are collected at build time and served by WhiteNoise.
RUN SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=postgresql://build/build \
    REDIS_URL=redis://build:6379/0 python manage.py collectstatic --no-input -v 0

RUN useradd --create-home --uid 1000 moonflow && chown -R moonflow /app
USER moonflow
EXPOSE 8000
CMD ["gunicorn", "moonflow.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
