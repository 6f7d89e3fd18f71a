# Olifantenpad: the two commands a newcomer needs are `make run` and `make test`.
# Both install what is missing first (deploy/install-deps.sh) and build.

BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
BUILD_TYPE ?= RelWithDebInfo
# Warnings are errors in CI (CI=true) and wherever WERROR=ON is given.
WERROR     ?= $(if $(filter true 1,$(CI)),ON,OFF)
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?= --output-on-failure -j $(JOBS) --timeout 300
BUF        := tests/node_modules/.bin/buf
# Every tree keeps line tables only: enough for file:line in every backtrace and
# sanitizer report, and a quarter quicker to build than full debug info. Give
# DEBUG_INFO=-g for a debugger's view of variables.
DEBUG_INFO ?= -g1
SANITIZER_DEBUG_INFO := -DCMAKE_CXX_FLAGS_DEBUG=$(DEBUG_INFO)
SOURCES     = $(shell git ls-files '*.cc' '*.h' 2>/dev/null || find services tests -name '*.cc' -o -name '*.h')

.PHONY: all deps configure build run test thread-safety sanitize tsan bench bench-long fmt lint check-config clean

all: build

deps:
	@./deploy/install-deps.sh

configure:
	@cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 $(DEBUG_INFO) -DNDEBUG" -DOLIF_WERROR=$(WERROR) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Starts the hub on the embedded default (config/dev/) with the launcher, which
# says what each process serves (read from its config file) once it is healthy,
# then runs the live demo's scenario through the adapters' real inputs.
run: deps build
	@echo "Starting on the dev config with the live demo (loopback only; data in var/; stop with Ctrl-C)."
	@echo "The web console: http://127.0.0.1:7500/ (the demo says how to sign in); from another terminal: build/bin/olifantctl status."
	@exec $(BUILD)/bin/olifantenpad up --config-dir config/dev --demo

# The whole suite: lint, then every unit, service and multi-process test.
test: deps build lint
	@cd $(BUILD) && ctest $(CTEST_ARGS)

# Clang's thread-safety analysis (-Wthread-safety -Werror) over every source,
# syntax only, with the main build's compile commands (and its generated headers).
thread-safety: deps build
	@./tests/static/thread_safety.py $(BUILD) -j $(JOBS)

# The whole suite built with AddressSanitizer and UndefinedBehaviorSanitizer
# (LeakSanitizer on; tests/lsan.supp says what it may not report).
sanitize: deps
	@cmake -S . -B $(ASAN_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug $(SANITIZER_DEBUG_INFO) \
	  -DOLIF_WERROR=$(WERROR) -DOLIF_SANITIZE=address -DOLIF_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest $(CTEST_ARGS)

# The suite under ThreadSanitizer, less the tests that drive gRPC's own threads:
# Debian's gRPC and abseil are not built with TSan, so it cannot see how they
# hand calls between threads and reports races that are not there. ZeroMQ's
# blind spots are suppressed narrowly in tests/tsan.supp. Memory accesses made
# inside uninstrumented libraries (memcpy, memcmp called from cpp-httplib's
# compiled code, whose function-local statics are read through a fast path
# TSan cannot see) are not checked (ignore_noninstrumented_modules); their
# locks and socket calls still order threads, and every access of ours is
# checked. The tree builds only
# the test binaries it runs (olif_tests), not the processes the smoke and FHIR
# validation tests start (those run in the other two trees).
TSAN_SKIP ?= ServerRunnerTest|ReferralsServiceTest|ConsentServiceTest|ThroughGrpc|_smoke|_validation
tsan: deps
	@cmake -S . -B $(TSAN_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug $(SANITIZER_DEBUG_INFO) \
	  -DOLIF_WERROR=$(WERROR) -DOLIF_SANITIZE=thread -DOLIF_BENCH=OFF >/dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS) --target olif_tests
	@cd $(TSAN_BUILD) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1:suppressions=$(CURDIR)/tests/tsan.supp \
	  ctest $(CTEST_ARGS) -E '$(TSAN_SKIP)'

# Benchmarks (not tests): throughput and latency, printed with the machine,
# each beside its floor from the same run. Under 10 minutes.
bench: deps build
	@./tests/bench/run.sh $(BUILD)

# The long variant: growth up to 10,000,000 stored requests (about 25 GB of
# disk and half an hour), and a longer end-to-end run.
bench-long: deps build
	@OLIF_BENCH_GROWTH_ROWS=10000000 BENCH_E2E_SECONDS=60 ./tests/bench/run.sh $(BUILD)

fmt:
	@clang-format -i $(SOURCES)

lint:
	@cd proto && ../$(BUF) lint && echo "buf lint: proto clean"
	@clang-format --dry-run --Werror $(SOURCES) && echo "clang-format: sources clean"

# Every config file in config/dev/ checked by the process it configures.
check-config: build
	@for f in config/dev/*.yaml; do n=$$(basename $$f .yaml); \
	  if [ -x $(BUILD)/bin/$$n ]; then $(BUILD)/bin/$$n --config $$f --check-config || exit 1; fi; done

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
