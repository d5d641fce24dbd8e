# linkhome: `make run` starts the site, `make test` runs the whole suite. Both set up first.
.PHONY: setup run test lint messages bench

setup:
	@bash bin/setup

run: setup
	@bash bin/run

test: setup
	@bash bin/test

lint: setup
	.venv/bin/ruff check .

messages: setup
	.venv/bin/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=data
	.venv/bin/python manage.py compilemessages --ignore=.venv

bench: setup
	.venv/bin/python bench/bench_e2e.py
