#!/usr/bin/env bash
# Installs every build, test and run dependency of Olifantenpad from Debian 12
# packages and the npm registry. Idempotent: installs only what is missing and
# says what it installs. Works as root or through sudo.
#
# This file is the single list of dependencies; README.md explains each one.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

# name                      why
DEBIAN_PACKAGES=(
  build-essential           # g++ 12, make
  cmake                     # build system (3.25)
  ninja-build               # fast builds; the Makefile uses it when present
  pkg-config                # finds libzmq, libsodium, yaml-cpp
  clang-format              # make fmt
  clang                     # make thread-safety: clang's -Wthread-safety over the tree
  python3                   # runs that pass (tests/static/thread_safety.py)
  ccache                    # rebuilds compile only what changed (used when present)
  libgrpc++-dev             # gRPC 1.51 (server, client, health, reflection)
  protobuf-compiler         # protoc 3.21
  protobuf-compiler-grpc    # grpc_cpp_plugin (needed by find_package(gRPC CONFIG))
  libprotobuf-dev           # protobuf 3.21 runtime and well-known types
  libabsl-dev               # abseil 20220623: Status, StatusOr, strings
  libzmq3-dev               # libzmq 4.3.4 (event bus)
  cppzmq-dev                # cppzmq 4.9 C++ bindings
  libsqlite3-dev            # SQLite 3.40: every service's store
  libyaml-cpp-dev           # YAML config files
  libspdlog-dev             # structured logging
  libfmt-dev                # spdlog's formatting
  libcpp-httplib-dev        # /metrics and /healthz HTTP endpoint
  libcurl4-openssl-dev      # the adapters' HTTP client connector (TLS, client certificates)
  libssl-dev                # needed by cpp-httplib's headers
  nlohmann-json3-dev        # reading and writing FHIR JSON in the adapters
  libsodium-dev             # the console's password hashes (argon2id) and session tokens
  libcairo2-dev             # the handover PDF: cairo draws it
  libpango1.0-dev           # the handover PDF: pango lays out the text (any script, any name)
  fonts-dejavu-core         # the handover PDF's font (fontconfig falls back for other scripts)
  poppler-utils             # pdftotext: the PDF test reads every page back
  libcsv-dev                # the childcare adapter's CSV reading (RFC 4180, streaming)
  chromium                  # the browser of the receipt page test (driven by playwright-core)
  libgtest-dev              # GoogleTest 1.12
  libgmock-dev              # GoogleMock
  libbenchmark-dev          # Google Benchmark for make bench
  librabbitmq-dev           # AMQP client of the RabbitMQ comparison in make bench
  sqlite3                   # operators inspect databases
  ca-certificates
  openssl                   # the mutual-TLS test makes a throwaway CA and certificates
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: not root and no sudo; install these packages by hand: ${DEBIAN_PACKAGES[*]}" >&2
    exit 1
  fi
fi

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js runs the test tools (buf, the gRPC smoke client). A machine may carry a
# newer Node.js whose package ships npm itself; Debian's npm conflicts with it,
# so each is installed only when its command is missing.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
if ! command -v npm >/dev/null 2>&1; then
  if dpkg-query -W -f='${Status}' nodejs 2>/dev/null | grep -q "install ok installed" \
     && dpkg -L nodejs 2>/dev/null | grep -q '/bin/npm$'; then :; else missing+=(npm); fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: Debian packages present"
fi

# npm test tools (versions pinned in tests/package-lock.json): buf (proto lint),
# @grpc/grpc-js (the smoke client a new user would write), the FHIR validators
# ical.js (reads the calendar feeds), ajv (checks the JSON Schemas of the
# childcare formats against their examples) and playwright-core (drives
# Debian's chromium in the receipt page's browser test).
if [ ! -d "$root/tests/node_modules/@bufbuild/buf" ] || [ ! -d "$root/tests/node_modules/@grpc/grpc-js" ] \
   || [ ! -d "$root/tests/node_modules/ical.js" ] || [ ! -d "$root/tests/node_modules/ajv" ] \
   || [ ! -d "$root/tests/node_modules/playwright-core" ] \
   || [ "$root/tests/package-lock.json" -nt "$root/tests/node_modules/.package-lock.json" ]; then
  echo "install-deps: installing npm test tools from tests/package-lock.json"
  (cd "$root/tests" && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "install-deps: npm test tools present"
fi
