# Descent behind nginx in one container: the README's commands (`make serve`).
#   docker build -t descent .
#   docker run --rm -p 8501:8501 descent                 # one replica per core
#   docker run --rm -p 8501:8501 -e REPLICAS=4 descent
# Not built on the development machine (it has no container engine); see docs/deploy.md.
FROM python:3.11-slim-bookworm

# make runs the README's targets; nginx is Debian's, as on the development machine; tini
# passes docker's SIGTERM to make serve's whole process group (Ctrl-C in a terminal).
RUN apt-get update \
    && apt-get install -y --no-install-recommends make nginx tini \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /descent
# The same install `make serve` does (.venv + requirements.txt), as its own cached layer.
COPY requirements.txt Makefile ./
RUN make .venv/.stamp-run PYTHON=python3
COPY . .
# COPY gave requirements.txt a newer time than the stamp: nothing to reinstall.
RUN touch .venv/.stamp-run

ENV HOST=0.0.0.0 PORT=8501
EXPOSE 8501
ENTRYPOINT ["tini", "-g", "--"]
CMD ["make", "serve"]
