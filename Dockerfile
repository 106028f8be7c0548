# syntax=docker/dockerfile:1
# Kavalu image: the API (gunicorn), Celery workers, beat and Flower all run from it (see docker-compose.yml).
#
#   docker build -t kavalu .                                   # the shipped default abuse model
#   docker build -t kavalu --build-arg DETOXIFY_MODEL=unbiased .  # an official Detoxify model, pulled now
#
# DETOXIFY_MODEL: empty (default) or one of original, unbiased, multilingual, original-small, unbiased-small.
# Models are fetched only while building; at run time nothing is downloaded (HF_HUB_OFFLINE=1).
# No secrets are baked in: DATABASE_URL, BROKER_URL and the rest come from the environment at run time.

ARG PYTHON_IMAGE=python:3.11-slim

# ---- build: a virtual environment in /opt/venv, and /models ---------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv && pip install --upgrade pip

# torch first, the CPU build: the project's plain `torch==2.13.0` would otherwise pull the multi-GB CUDA build.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

# The project's dependencies (read from pyproject.toml) in their own layer, so code changes rebuild quickly.
# Flower is not a dependency of Kavalu; the compose stack runs it from this image.
COPY pyproject.toml /src/pyproject.toml
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('/src/pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt "flower==2.2.0"

COPY README.md /src/README.md
COPY service /src/service
COPY workers /src/workers
COPY config /src/config
RUN pip install --no-deps /src \
    && ! pip list 2>/dev/null | grep -qi '^nvidia-' \
    && cd /tmp && KAVALU_DATA_DIR=/tmp/kavalu python -c "import workers.celery_app, service.app"

ARG DETOXIFY_MODEL=""
RUN mkdir -p /models \
    && if [ -n "$DETOXIFY_MODEL" ]; then kavalu models pull "$DETOXIFY_MODEL" --dest /models; fi

# ---- runtime ------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
ARG DETOXIFY_MODEL=""
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    KAVALU_ABUSE_MODEL_TYPE=${DETOXIFY_MODEL} \
    KAVALU_MODEL_DIR=/models \
    KAVALU_DATA_DIR=/var/lib/kavalu

# A fixed non-root user; the directories that compose mounts volumes on are created here so that
# fresh named volumes inherit this ownership.
RUN groupadd --system --gid 10001 kavalu \
    && useradd --system --uid 10001 --gid kavalu --home-dir /home/kavalu --create-home --shell /usr/sbin/nologin kavalu \
    && mkdir -p /var/lib/kavalu/beat /run/kavalu/metrics \
    && chown -R kavalu:kavalu /var/lib/kavalu /run/kavalu

COPY --from=build /opt/venv /opt/venv
COPY --from=build /models /models
WORKDIR /app
COPY config/gunicorn.conf.py /app/config/gunicorn.conf.py

USER kavalu
EXPOSE 8000
CMD ["gunicorn", "--config", "config/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "service.wsgi:app"]
