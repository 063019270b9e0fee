# The two commands of the README:
#   make run   — install what is missing, build, load the demo data, start the server
#   make test  — install what is missing, build (with sanitizers), run every test
BUILD ?= build
BUILD_SAN ?= build-san
DB ?= var/tousu.db
PORT ?= 8080
JOBS ?= $(shell nproc)

.PHONY: all deps deps-test build build-san run test unit api bench clean

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

run: build
	@mkdir -p $(dir $(DB))
	@$(BUILD)/tousu demo --db $(DB)
	@echo "tousu: serving on http://127.0.0.1:$(PORT) (Ctrl-C stops)"
	@$(BUILD)/tousu serve --db $(DB) --port $(PORT)

# Unit tests (cmocka, through ctest) and the black-box API tests (node) against the
# sanitizer build of the real server.
test: build-san
	@cd $(BUILD_SAN) && ctest --output-on-failure
	@TOUSU_BIN=$(abspath $(BUILD_SAN))/tousu node --test --test-concurrency=1 tests/api/ tests/cli/

unit: build-san
	@cd $(BUILD_SAN) && ctest --output-on-failure

api: build-san
	@TOUSU_BIN=$(abspath $(BUILD_SAN))/tousu node --test --test-concurrency=1 tests/api/ tests/cli/

bench:
	@bash bench/run.sh

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
