# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# ALIGNMENT_DB=… make run uses that database; DB=… does the same.
DB ?= $(or $(ALIGNMENT_DB),data/alignment.duckdb)
PORT ?= 8501
# Empty: Streamlit's default (every address, so phones in the room can join); HOST=127.0.0.1 keeps it local.
HOST ?=

.PHONY: run test lint demo bench browser clean cluster cluster-stop maintain

$(VENV): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)

demo: $(VENV)
	$(BIN)/python -m alignment demo --db $(DB)

# The demo company is loaded when the database is missing or holds no upload; yours is left alone.
run: $(VENV)
	$(BIN)/python -m alignment demo --db $(DB) --if-empty
	ALIGNMENT_DB=$(DB) $(BIN)/streamlit run serve.py --server.port $(PORT) $(if $(HOST),--server.address $(HOST))

# Debian's chromium for the browser tests; Playwright never downloads a browser here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's PostgreSQL server for the shared-store tests (a throwaway cluster per run, tests/pg.py).
.PHONY: postgres
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
		echo "Installing Debian's postgresql for the shared-store tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# Debian's poppler-utils: the board-pack test reads the PDF back with pdftotext.
.PHONY: pdftotext
pdftotext:
	@command -v pdftotext >/dev/null 2>&1 || { \
		echo "Installing Debian's poppler-utils for the board-pack test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }

lint: $(VENV)
	$(BIN)/ruff check .

test: $(VENV) browser postgres pdftotext lint
	$(BIN)/python -m pytest

bench: $(VENV)
	$(BIN)/python -m alignment bench

# The shared store on this machine: PostgreSQL (the lake's catalog), a lake folder and two app
# replicas on 8501/8502, the demo company loaded once, all under data/cluster/ (kept between runs;
# delete it for a fresh start). Ctrl-C, or `make cluster-stop` from another shell, stops everything.
cluster: $(VENV) postgres
	$(BIN)/python -m alignment cluster $(if $(HOST),--host $(HOST))

# The shared store's upkeep (merge small files, expire old snapshots, delete unnamed files); on the file, CHECKPOINT.
maintain: $(VENV)
	ALIGNMENT_DB=$(DB) $(BIN)/python -m alignment maintain

cluster-stop: $(VENV)
	$(BIN)/python -m alignment cluster --stop

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts
