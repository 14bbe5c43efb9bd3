# The two commands of the README. Both make a virtual environment in .venv from requirements.txt.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install run test

install: $(VENV)/installed

$(VENV)/installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# The site on SQLite (db.sqlite3) with the reference data and a small demo registry, at
# http://127.0.0.1:8000/ (admin / admin), and beside it the worker that runs the long work (jobs/).
run: $(VENV)/installed
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py load_reference_data
	$(PY) manage.py seed_demo --persons 5000 --if-empty
	$(PY) manage.py shell --no-imports -c "from django.contrib.auth.models import User; \
		User.objects.filter(username='admin').exists() or User.objects.create_superuser('admin', '', 'admin')"
	$(PY) manage.py db_worker --verbosity 0 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver $(or $(ADDR),127.0.0.1:8000)

# The whole test suite; set DATABASE_URL to run it on PostgreSQL.
test: $(VENV)/installed
	$(PY) -m pytest $(PYTEST_ARGS)
