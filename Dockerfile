# syntax=docker/dockerfile:1
#
# One image for every Python service of the portal: web (gunicorn), migrate, the Celery
# workers and beat. docker-compose.yml picks the command per service.
#
#   docker compose build                                  # portable x86-64-v3 (AVX2) build
#   docker compose build --build-arg LLAMA_CMAKE_ARGS="-DGGML_NATIVE=ON"   # this CPU only

# --- build: compile the locked dependencies into /app/.venv -------------------------------
FROM python:3.11-slim-bookworm AS build

# llama-cpp-python ships as a source distribution only; it is compiled here with cmake.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential cmake \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv

# Not -march=native by default: an image built on one machine must also run on the other
# machines that host workers. SSE4.2/AVX/AVX2/FMA/F16C/BMI2 (x86-64-v3) covers x86 server
# CPUs since Haswell (2013). The flags are spelled out because ggml turns them off when
# SOURCE_DATE_EPOCH is set; they are ignored on arm64.
ARG LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
# Parallel compile jobs for llama.cpp; empty means one per CPU of the build machine.
ARG BUILD_JOBS=""
ENV CMAKE_ARGS=${LLAMA_CMAKE_ARGS} \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never

WORKDIR /app
# Only the lock files: this layer (and the long llama.cpp compile) is rebuilt only when the
# dependencies change, not on every source edit. [tool.uv] package = false, so the project
# itself is not installed and needs no source here.
COPY pyproject.toml uv.lock ./
RUN CMAKE_BUILD_PARALLEL_LEVEL="${BUILD_JOBS:-$(nproc)}" uv sync --frozen --no-dev

# --- runtime ------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime

# libgomp1: llama.cpp is built with OpenMP.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

# A real home directory: gunicorn puts its control socket there, libraries their caches.
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --create-home --home-dir /home/portal portal \
    && mkdir -p /data \
    && chown portal:portal /data

ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=portal.settings \
    PORTAL_DATA_DIR=/data

WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY . .

# Settings refuse to load without these; the values exist for this one step only (they are
# not ENV, so they do not end up in the image) and nothing connects to them.
RUN PORTAL_DEBUG=false \
    PORTAL_SECRET_KEY=collectstatic-only \
    PORTAL_ALLOWED_HOSTS=localhost \
    PORTAL_SITE_URL=https://localhost \
    PORTAL_EMAIL_HOST=localhost \
    PORTAL_DATABASE_URL=postgres://build:build@localhost:5432/build \
    PORTAL_REDIS_URL=redis://localhost:6379 \
    python manage.py collectstatic --noinput

USER portal
EXPOSE 8000
# The access log without the secrets some addresses carry (calendar feeds; portal/logs.py).
# --timeout 120: a recording of up to PORTAL_AUDIO_MAX_MB is received, written and probed in
# one request (the reverse proxy buffers it first, so the network's speed does not count).
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-", "--logger-class", "portal.gunicorn_logger.RedactingLogger"]
