# Two commands for a fresh machine:
#   make demo   set up, migrate a SQLite database, load demo data, serve on http://127.0.0.1:5000
#   make test   set up and run the test suite (DATABASE_URL=postgresql+psycopg://… for PostgreSQL)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi.py

# Debian packages the app needs: venv support for a Debian Python, WeasyPrint's
# libraries, a CJK font.
APT_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
# …and what the browser tests drive (Playwright launches Debian's chromium; it downloads no browser).
TEST_APT_PACKAGES := chromium poppler-utils

.PHONY: demo test deps system-deps serve clean

# Demo mode: the first run writes fresh keys to instance/keys.toml (the app refuses to start
# without keys otherwise).
demo: export APEC_DEMO = 1
demo: deps
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data
	@echo "Serving on http://127.0.0.1:$(PORT) — demo accounts use password Demo2026!apec (see README)"
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: deps
	$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(TEST_APT_PACKAGES)"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

deps: system-deps $(VENV)/.installed

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) instance .pytest_cache
