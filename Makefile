# credit-recon — make targets:
#   make build      debug build of credit-recon and openrouter-sim
#   make test       build and run the whole test suite (this is what CI runs)
#   make run        the demo: build, start openrouter-sim on a free port, run the pipeline on samples/, write reports/
#                   (CREDIT_RECON_LEDGER=postgresql://USER@HOST:PORT/DB runs it on an empty PostgreSQL database)
#   make sim        run openrouter-sim in the foreground on a free port (Ctrl-C stops it)
#   make sdk-check  check the official OpenRouter Python SDKs 0.6.0 and 1.3.84 against openrouter-sim (needs PyPI)
#   make bench      release build, then the speed benchmarks beside their references (generated inputs under .bench/)
#   make soak       the reliability tests, longer: hundreds of kills, thousands of hostile inputs; prints the counts
#   make install    install both executables into $(PREFIX)/bin (default /usr/local)
#   make clean      remove build output, the demo ledger and the generated reports (keeps reports/README.md)
#   make deps       install what is missing: libsqlite3-dev, pkg-config, sqlite3 shell, postgresql, hledger (apt-get);
#                   beancount 3 into .build/beancount-venv (pip)
#   make help       print this list

SWIFT ?= swift
PREFIX ?= /usr/local

.PHONY: build test run sim sdk-check bench install clean deps soak help

deps:
	@missing=""; \
	if ! pkg-config --exists sqlite3 2>/dev/null || ! command -v sqlite3 >/dev/null 2>&1; then \
		missing="$$missing libsqlite3-dev pkg-config sqlite3"; \
	fi; \
	if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then \
		missing="$$missing postgresql"; \
	fi; \
	if ! command -v hledger >/dev/null 2>&1; then \
		missing="$$missing hledger"; \
	fi; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing (not found on this machine)"; \
		mkdir -p /etc/postgresql-common/createcluster.d; \
		echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/credit-recon.conf; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@if ! .build/beancount-venv/bin/bean-check --version >/dev/null 2>&1; then \
		echo "installing beancount 3 into .build/beancount-venv (bean-check checks the exports)"; \
		mkdir -p .build && python3 -m venv .build/beancount-venv && \
		.build/beancount-venv/bin/pip install --quiet --disable-pip-version-check "beancount>=3,<4"; \
	fi

help:
	@sed -n '1,/^$$/s/^# \{0,1\}//p' Makefile

build: deps
	$(SWIFT) build --product credit-recon
	$(SWIFT) build --product openrouter-sim

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

run: build
	./scripts/demo.sh

sim: build
	.build/debug/openrouter-sim --port 0

sdk-check: build
	./scripts/sdk-check.sh

bench: deps
	./scripts/bench.sh

install: deps
	$(SWIFT) build -c release --product credit-recon
	$(SWIFT) build -c release --product openrouter-sim
	install -d $(PREFIX)/bin
	install -m 0755 .build/release/credit-recon .build/release/openrouter-sim $(PREFIX)/bin/

clean:
	rm -rf .build .demo
	@# Everything in reports/ is generated except its README (dot files too: a write
	@# interrupted mid-way can leave a temporary file behind).
	[ ! -d reports ] || find reports -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +

soak: deps
	./scripts/soak.sh
