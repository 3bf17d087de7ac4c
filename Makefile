# Thin wrappers around cmake and ctest. `make demo` and `make test` are the
# README's two Quick start commands: each installs what is missing first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
# Tests build without optimisation (assertions on, CAF-heavy files compile in
# half the time) in a directory of their own next to the main build.
TEST_BUILD_TYPE ?= Debug
SANITIZE ?=
WERROR ?= $(if $(CI),ON,OFF)
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
CTEST_ARGS ?=
# Build only these targets for `make test` (default: all), e.g. with SANITIZE=thread.
TEST_TARGETS ?=
ARCH ?= arm64

# A sanitizer build gets its own directory so it never mixes with the normal one.
comma := ,
ifneq ($(SANITIZE),)
BUILD_DIR := $(BUILD_DIR)-$(subst $(comma),-,$(SANITIZE))
endif
TEST_DIR ?= $(BUILD_DIR)-test

# ccache hashes absolute paths; relative to the checkout, clones at other
# paths (CI) hit the same cache entries.
export CCACHE_BASEDIR := $(CURDIR)

CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DET_WERROR=$(WERROR) \
              -DET_SANITIZE=$(SANITIZE)

.PHONY: ci tsan deps configure build test demo bench soak lint format clean install cross cross-test dist static fuzz

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: deps
	@cmake -S . -B $(TEST_DIR) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=$(TEST_BUILD_TYPE) >/dev/null
	@cmake --build $(TEST_DIR) -j $(JOBS) $(if $(TEST_TARGETS),--target $(TEST_TARGETS))
	@cd $(TEST_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The demo needs only `et`, not the tests and benchmarks `make build` adds.
demo: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target et
	@scripts/demo $(BUILD_DIR)/bin/et

# ThreadSanitizer run of the suites with threads of their own: the actors (CAF's scheduler,
# the remote and network suites) and the HTTP client and pool. The HTTP suites and the actor
# suites on CAF's deterministic coordinator pass; errors, message_types, router_network,
# Every suite the ctest regex below selects is built. Six run CAF's real scheduler and fail on
# reports inside Debian's libcaf_core, which is not built with -fsanitize=thread (TSan cannot see
# its synchronisation, so every message handed between workers is reported): actors/detail/errors,
# message_types, handoff_policy's one real-scheduler test, router_network, router_embed and
# remote_loopback (see cmake/sanitizers/tsan.supp). The rest are clean; handoff_policy's other
# tests (stand-in workers with threads of their own) too: run them with -T "two actors.*".
TSAN_TARGETS := test_actors_detail_errors test_actors_detail_message_types test_actors_detail_handoff_policy test_actors_router test_actors_router_lifecycle test_actors_ledger test_actors_ledger_writer \
  test_actors_router_network test_actors_roles test_actors_pool test_actors_pool_review test_actors_node test_actors_remote test_actors_remote_loopback \
  test_actors_gateway_calls test_actors_router_fallback test_actors_router_embed test_actors_run test_actors_run_phases test_actors_remote_connect \
  test_libet_http_client test_libet_http_run_loop test_libet_http_pool test_libet_http_timeouts test_libet_http_tls \
  test_libet_http_server test_libet_http_server_bodies test_libet_http_whole test_libet_http_runtime \
  test_libet_provider_http_provider
tsan:
	@$(MAKE) --no-print-directory test SANITIZE=thread TEST_TARGETS="$(TSAN_TARGETS)" \
	  CTEST_ARGS="-R '^(actors/|libet/http/|libet/provider/http_provider)'"

# Runs the benchmarks (about two and a half minutes) and merges their rows into one JSON array.
bench: build
	@$(BUILD_DIR)/bin/et-bench-decoders --json $(BUILD_DIR)/bench-decoders.json
	@echo
	@$(BUILD_DIR)/bin/et-bench-request --json $(BUILD_DIR)/bench-request.json
	@echo
	@$(BUILD_DIR)/bin/et-bench-pool --json $(BUILD_DIR)/bench-pool.json
	@echo
	@$(BUILD_DIR)/bin/et-bench-remote --json $(BUILD_DIR)/bench-remote.json
	@echo
	@$(BUILD_DIR)/bin/et-bench-scale --json $(BUILD_DIR)/bench-scale.json
	@echo
	@$(BUILD_DIR)/bin/et-bench-index --json $(BUILD_DIR)/bench-index.json
	@echo
	@$(BUILD_DIR)/bin/et-bench-budget --json $(BUILD_DIR)/bench-budget.json
	@{ echo '['; sed '1d;$$d' $(BUILD_DIR)/bench-decoders.json | sed '$$s/$$/,/'; \
	   sed '1d;$$d' $(BUILD_DIR)/bench-request.json | sed '$$s/$$/,/'; \
	   sed '1d;$$d' $(BUILD_DIR)/bench-pool.json | sed '$$s/$$/,/'; \
	   sed '1d;$$d' $(BUILD_DIR)/bench-remote.json | sed '$$s/$$/,/'; \
	   sed '1d;$$d' $(BUILD_DIR)/bench-scale.json | sed '$$s/$$/,/'; \
	   sed '1d;$$d' $(BUILD_DIR)/bench-index.json | sed '$$s/$$/,/'; \
	   sed '1d;$$d' $(BUILD_DIR)/bench-budget.json; echo ']'; } > $(BUILD_DIR)/bench.json
	@echo "results: $(BUILD_DIR)/bench.json"

# The soak (about a minute): 1,000+ model calls through pool runs against the fake upstream
# in its own process, with about 20 % faults and provider actors killed mid-call. Fails
# when a subtask is lost, the ledger differs from what the upstream billed, or memory grows.
# One pool member is an `et serve` node, killed mid-call at every SOAK_NODE-th of its streams
# and started again (0: no node).
SOAK_CALLS ?= 1000
SOAK_NODE ?= 4
soak: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target et-bench-soak et-fake-upstream et
	@$(BUILD_DIR)/bin/et-bench-soak --calls $(SOAK_CALLS) --node $(SOAK_NODE) \
	  --json $(BUILD_DIR)/bench-soak.json
	@echo "results: $(BUILD_DIR)/bench-soak.json"

# A self-contained (static except glibc), stripped `et` for ARCH (arm64, ppc64le, riscv64,
# ppc64) in build-cross/ARCH/et, then the smoke test under qemu-user in a root file system
# holding only the C library. arm64 and ppc64le take Debian's static archives from a Debian
# sysroot; riscv64 and ppc64 build every library from Debian's source packages. Not in CI
# (time budget: 10 to 30 minutes per ARCH from cold). See cross/README.md.
cross:
	@JOBS=$(JOBS) cross/build.sh $(ARCH)
	@cross/smoke.sh $(ARCH)

# A self-contained amd64 `et` (static except glibc) in build-cross/amd64-static: CAF built
# static from Debian's source package, Debian's static archives for the rest; then the smoke
# test in a root file system with only the C library (bwrap). Not in CI (a cold build takes
# about half an hour on 2 cores). Same as `make cross ARCH=amd64-static`. See cross/README.md.
static:
	@JOBS=$(JOBS) cross/static.sh amd64-static
	@cross/smoke.sh amd64-static

# libet's unit suites cross-built for ARCH and run under qemu-user (after `make cross`);
# ARCH=ppc64 runs them big-endian.
cross-test:
	@JOBS=$(JOBS) cross/test.sh $(ARCH)

# Release tarballs in dist/: self-contained amd64 (as `make static` builds it), arm64, ppc64le,
# riscv64 and ppc64 (as `make cross` builds them; DIST_ARCHS picks others), each with LICENSE,
# README.md and the configs; dist/sha256sums.txt.
dist:
	@JOBS=$(JOBS) cross/dist.sh

# Builds the libFuzzer targets (fuzz/) with clang, ASan and UBSan in build-fuzz/ and runs each
# for FUZZ_SECONDS (FUZZ_TARGETS: only these); fails when one finds a crash. See fuzz/targets.txt.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz:
	@ET_EXTRA_PACKAGES="clang libclang-rt-14-dev libfuzzer-14-dev" scripts/install-deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DET_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target et_fuzz_all
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz $(FUZZ_DIR) $(FUZZ_TARGETS)

# What CI runs (.ci/run, with CI=true: -Werror), lane by lane, each after a "=== ci lane"
# header and with its time: the whole suite (`make test`), every fuzz target for
# CI_FUZZ_SECONDS, and the unit suites CI_SANITIZE_TARGETS (ctest CI_SANITIZE_CTEST) under
# ASan+UBSan; .ci/run says what is left out and why. Every lane runs even after one failed;
# the last line names the lanes that failed and the exit code is 1.
CI_FUZZ_SECONDS ?= 20
CI_SANITIZE_TARGETS ?= et_unit_tests_libet
CI_SANITIZE_CTEST ?= -L unit -R ^libet/ --no-tests=error
ci:
	@failed=; \
	lane() { name=$$1; shift; echo "=== ci lane $$name: $$*"; start=$$(date +%s); \
	  if "$$@"; then result=passed; else result=FAILED; failed="$$failed $$name"; fi; \
	  echo "=== ci lane $$name $$result in $$(( $$(date +%s) - start )) s"; }; \
	lane test $(MAKE) --no-print-directory test; \
	lane fuzz $(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(CI_FUZZ_SECONDS); \
	lane asan-ubsan-unit $(MAKE) --no-print-directory test SANITIZE=address,undefined \
	  TEST_TARGETS="$(CI_SANITIZE_TARGETS)" CTEST_ARGS="$(CI_SANITIZE_CTEST)"; \
	if [ -n "$$failed" ]; then echo "=== ci FAILED:$$failed"; exit 1; fi; \
	echo "=== ci passed: test, fuzz, asan-ubsan-unit"

lint: configure
	@scripts/lint $(BUILD_DIR)

format:
	@git ls-files '*.hpp' '*.cpp' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR) build-*

install: build
	@cmake --install $(BUILD_DIR) --prefix $(PREFIX)
