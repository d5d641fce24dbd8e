# linkhome: one image for the web process, the capture worker and the scheduler.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data \
    MEDIA_ROOT=/data/media \
    CHROMIUM_BINARY=/usr/bin/chromium \
    CHROMEDRIVER_BINARY=/usr/bin/chromedriver \
    SE_OFFLINE=true

# Chromium and its driver come from Debian, never from Selenium Manager; CJK fonts make Chinese
# pages render as they do for readers; gettext compiles the translation catalogues.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk gettext tini npm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

# Mozilla Readability, which captures run inside the page for the reader copy.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

COPY . .
RUN DATA_DIR=/tmp/build python manage.py compilemessages --ignore=.venv \
    && rm -rf /tmp/build \
    && useradd --create-home --uid 10001 linkhome \
    && mkdir -p /data \
    && chown linkhome:linkhome /data

USER linkhome
VOLUME ["/data"]
EXPOSE 8000
ENTRYPOINT ["tini", "--"]
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py collectstatic --noinput -v0 && exec gunicorn linkhome.wsgi -c linkhome/gunicorn.conf.py -b 0.0.0.0:8000 -w ${WEB_WORKERS:-8} --threads ${WEB_THREADS:-1} --access-logfile -"]
