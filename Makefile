# linkhome: `make run` starts the site, `make test` runs the whole suite. Both set up first.
.PHONY: setup run staff test lint messages bench

setup:
	@bash bin/setup

run: setup
	@bash bin/run

# A staff account in the database `make run` uses (same DATA_DIR and DATABASE_URL defaults).
# STAFF_ARGS go to createsuperuser, e.g. STAFF_ARGS="--noinput --username ada".
staff: setup
	@bash bin/staff $(STAFF_ARGS)

test: setup
	@bash bin/test

lint: setup
	.venv/bin/ruff check .

# New English entries, and those whose msgid changed, take their msgid as their wording (msgen);
# Chinese ones are written by hand.
# tests/linkhome/test_catalogs.py fails while either catalog has an empty or fuzzy entry.
messages: setup
	.venv/bin/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=data --ignore=node_modules
	msgattrib --clear-fuzzy --empty -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po
	msgen -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po
	.venv/bin/python manage.py compilemessages --ignore=.venv

bench: setup
	.venv/bin/python bench/bench_e2e.py
