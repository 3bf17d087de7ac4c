# Thin wrappers around cmake and ctest. `make demo` and `make test` are the
# README's two Quick start commands: each installs what is missing first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
SANITIZE ?=
WERROR ?= $(if $(CI),ON,OFF)
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

# A sanitizer build gets its own directory so it never mixes with the normal one.
ifneq ($(SANITIZE),)
BUILD_DIR := $(BUILD_DIR)-$(subst $(comma),-,$(SANITIZE))
endif
comma := ,

# ccache hashes absolute paths; relative to the checkout, clones at other
# paths (CI) hit the same cache entries.
export CCACHE_BASEDIR := $(CURDIR)

CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DET_WERROR=$(WERROR) \
              -DET_SANITIZE=$(SANITIZE)

.PHONY: deps configure build test demo bench lint format clean install

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

demo: build
	@scripts/demo $(BUILD_DIR)/bin/et

# Runs the benchmarks (about two minutes) and merges their rows into one JSON array.
bench: build
	@$(BUILD_DIR)/bin/et-bench-decoders --json $(BUILD_DIR)/bench-decoders.json
	@echo
	@$(BUILD_DIR)/bin/et-bench-request --json $(BUILD_DIR)/bench-request.json
	@echo
	@$(BUILD_DIR)/bin/et-bench-pool --json $(BUILD_DIR)/bench-pool.json
	@echo
	@$(BUILD_DIR)/bin/et-bench-remote --json $(BUILD_DIR)/bench-remote.json
	@{ echo '['; sed '1d;$$d' $(BUILD_DIR)/bench-decoders.json | sed '$$s/$$/,/'; \
	   sed '1d;$$d' $(BUILD_DIR)/bench-request.json | sed '$$s/$$/,/'; \
	   sed '1d;$$d' $(BUILD_DIR)/bench-pool.json | sed '$$s/$$/,/'; \
	   sed '1d;$$d' $(BUILD_DIR)/bench-remote.json; echo ']'; } > $(BUILD_DIR)/bench.json
	@echo "results: $(BUILD_DIR)/bench.json"

lint: configure
	@scripts/lint $(BUILD_DIR)

format:
	@git ls-files '*.hpp' '*.cpp' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR) build-*

install: build
	@cmake --install $(BUILD_DIR) --prefix $(PREFIX)
