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
# Sanitizer builds keep line tables only: enough for file:line in every report,
# and a sixth quicker to build than full debug info.
SANITIZER_DEBUG_INFO := -DCMAKE_CXX_FLAGS_DEBUG=-g1
SOURCES     = $(shell git ls-files '*.cc' '*.h' 2>/dev/null || find services tests -name '*.cc' -o -name '*.h')

.PHONY: all deps configure build run test sanitize tsan bench fmt lint check-config clean

all: build

deps:
	@./deploy/install-deps.sh

configure:
	@cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DOLIF_WERROR=$(WERROR) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Starts the hub on the embedded default (config/dev/) with the launcher.
run: deps build
	@echo ""
	@echo "Starting on the dev config (loopback only; data in var/; stop with Ctrl-C):"
	@echo "  consent    gRPC 127.0.0.1:7411, metrics http://127.0.0.1:9411/metrics, bus tcp://127.0.0.1:7412"
	@echo "  referrals  gRPC 127.0.0.1:7401, metrics http://127.0.0.1:9401/metrics, bus tcp://127.0.0.1:7402"
	@echo "  fake_fhir  a stand-in youth-care provider: FHIR http://127.0.0.1:7480 (dev only)"
	@echo "  youthcare_fhir  gRPC 127.0.0.1:7421 (adapter admin), metrics http://127.0.0.1:9421/metrics,"
	@echo "             webhook http://127.0.0.1:7422/fhir/notify"
	@echo "Try from another terminal:"
	@echo "  node tools/demo/try-direct-line.mjs   # a question reaches the FHIR server and comes back resolved"
	@echo "  curl -s 'http://127.0.0.1:7480/Task?_sort=_lastUpdated'                     # what the provider has"
	@echo "  $(BUF) curl --protocol grpc --http2-prior-knowledge \\"
	@echo "      http://127.0.0.1:7421/olifantenpad.admin.v1.AdapterAdminService/ListDeadLetters"
	@echo "  $(BUF) curl --protocol grpc --http2-prior-knowledge -d @tests/smoke/example-consent.json \\"
	@echo "      http://127.0.0.1:7411/olifantenpad.consent.v1.ConsentService/RecordConsent"
	@echo "  $(BUF) curl --protocol grpc --http2-prior-knowledge -d '{\"child\":{\"childRef\":\"5d1e8a43-2b6f-4c7d-9e10-a2b3c4d5e6f7\"},\"purpose\":\"PURPOSE_DIRECT_LINE\",\"recipientOrganisationId\":\"org-jz-het-kompas\"}' \\"
	@echo "      http://127.0.0.1:7411/olifantenpad.consent.v1.ConsentService/CheckConsent"
	@echo "  $(BUF) curl --protocol grpc --http2-prior-knowledge -d @tests/smoke/example-request.json \\"
	@echo "      http://127.0.0.1:7401/olifantenpad.referrals.v1.ReferralsService/CreateRequest"
	@echo "  $(BUF) curl --protocol grpc --http2-prior-knowledge -d @tests/smoke/example-child-request.json \\"
	@echo "      http://127.0.0.1:7401/olifantenpad.referrals.v1.ReferralsService/CreateRequest   # waits for consent"
	@echo "  $(BUF) curl --protocol grpc --http2-prior-knowledge http://127.0.0.1:7411/olifantenpad.admin.v1.AdminService/GetStatus"
	@echo "  $(BUILD)/bin/olif-bus-tail --endpoint tcp://127.0.0.1:7412 --producer consent \\"
	@echo "      --consumer bus-tail --db var/bus-tail-consent.db      # consent events as JSON lines"
	@echo ""
	@exec $(BUILD)/bin/olifantenpad up --config-dir config/dev

# The whole suite: lint, then every unit, service and multi-process test.
test: deps build lint
	@cd $(BUILD) && ctest $(CTEST_ARGS)

# The whole suite built with AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize: deps
	@cmake -S . -B $(ASAN_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug $(SANITIZER_DEBUG_INFO) \
	  -DOLIF_WERROR=$(WERROR) -DOLIF_SANITIZE=address -DOLIF_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest $(CTEST_ARGS)

# The suite under ThreadSanitizer, less the tests that drive gRPC's own threads:
# Debian's gRPC and abseil are not built with TSan, so it cannot see how they
# hand calls between threads and reports races that are not there. ZeroMQ's
# blind spots are suppressed narrowly in tests/tsan.supp.
TSAN_SKIP ?= ServerRunnerTest|ReferralsServiceTest|_smoke
tsan: deps
	@cmake -S . -B $(TSAN_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug $(SANITIZER_DEBUG_INFO) \
	  -DOLIF_WERROR=$(WERROR) -DOLIF_SANITIZE=thread -DOLIF_BENCH=OFF >/dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS)
	@cd $(TSAN_BUILD) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp \
	  ctest $(CTEST_ARGS) -E '$(TSAN_SKIP)'

# Benchmarks (not tests): throughput and latency, printed with the machine.
bench: deps build
	@./tests/bench/run.sh $(BUILD)

fmt:
	@clang-format -i $(SOURCES)

lint:
	@cd proto && ../$(BUF) lint && echo "buf lint: proto clean"
	@clang-format --dry-run --Werror $(SOURCES) && echo "clang-format: sources clean"

check-config: build
	@$(BUILD)/bin/referrals --config config/dev/referrals.yaml --check-config
	@$(BUILD)/bin/consent --config config/dev/consent.yaml --check-config
	@$(BUILD)/bin/youthcare_fhir --config config/dev/youthcare_fhir.yaml --check-config
	@$(BUILD)/bin/fake_fhir --config config/dev/fake_fhir.yaml --check-config

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
