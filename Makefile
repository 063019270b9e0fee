# The two commands of the README:
#   make run   — install what is missing, build (server and web application), load the demo
#                data, start the server
#   make test  — install what is missing, build (with sanitizers), run every test (unit, API,
#                CLI, and the web application in Debian's chromium)
BUILD ?= build
BUILD_SAN ?= build-san
DB ?= var/tousu.db
PORT ?= 8080
JOBS ?= $(shell nproc)

.PHONY: all deps deps-test build build-san web run test unit api webtest bench clean

all: build

deps:
	@bash scripts/deps.sh build

deps-test:
	@bash scripts/deps.sh test

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTS_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-san: deps-test
	@cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DTS_SANITIZE=ON -DTS_TESTS=ON >/dev/null
	@cmake --build $(BUILD_SAN) -j $(JOBS)

# The web application (web/: Vue, Element Plus, ECharts, built by Vite into web/dist, which
# `tousu serve --web-dir` serves). npm ci from the committed package-lock.json when
# node_modules is missing or older than the lock; a build when a source is newer than
# web/dist. Nothing is downloaded at run time, and never a browser (the tests drive
# Debian's chromium).
WEB_SRC := $(shell find web/src web/public -type f 2>/dev/null) web/index.html \
           web/vite.config.js web/package.json
web/node_modules/.package-lock.json: web/package-lock.json | deps
	@echo "tousu: npm ci (web/)"
	@cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	@echo "tousu: building the web application (web/dist)"
	@cd web && npm run --silent build -- --logLevel warn
web: web/dist/index.html

run: build web
	@mkdir -p $(dir $(DB))
	@$(BUILD)/tousu demo --db $(DB)
	@echo "tousu: serving on http://127.0.0.1:$(PORT) (Ctrl-C stops)"
	@$(BUILD)/tousu serve --db $(DB) --port $(PORT) --web-dir web/dist

# Unit tests (cmocka, through ctest), the black-box API and CLI tests (node) against the
# sanitizer build of the real server, then the web application in a real browser
# (tests/web: Debian's chromium, headless, driven by playwright-core).
test: build-san web
	@cd $(BUILD_SAN) && ctest --output-on-failure
	@TOUSU_BIN=$(abspath $(BUILD_SAN))/tousu TOUSU_WEB_DIR=$(abspath web/dist) \
	  node --test --test-concurrency=1 tests/api/ tests/cli/ tests/web/

unit: build-san
	@cd $(BUILD_SAN) && ctest --output-on-failure

api: build-san
	@TOUSU_BIN=$(abspath $(BUILD_SAN))/tousu node --test --test-concurrency=1 tests/api/ tests/cli/

webtest: build-san web
	@TOUSU_BIN=$(abspath $(BUILD_SAN))/tousu TOUSU_WEB_DIR=$(abspath web/dist) \
	  node --test --test-concurrency=1 tests/web/

bench:
	@bash bench/run.sh

clean:
	rm -rf $(BUILD) $(BUILD_SAN) web/dist
