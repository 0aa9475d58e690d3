# Summit — the two commands a new machine needs are `make run` and `make test`;
# both install what is missing first (`make deps`), so a machine with only the
# Swift toolchain is enough.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

# Debian packages the build and tests need (headers, code generators, libraries).
APT_PACKAGES := libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libprotobuf-dev \
  libnghttp2-dev libsqlite3-dev zlib1g-dev systemd openssl postgresql libpq-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null && [ "$$(id -u)" != 0 ] && echo sudo)
VENV := .venv
PYTHON := $(VENV)/bin/python
ASAN_BUILD := .build-asan

.PHONY: deps system-deps bench-deps bench-build bench-profile bench-replicas summitd-order build run test test-swift test-python test-asan check-generated protos bench clean deploy-check fuzz test-fuzz

## deps: install missing Debian packages and the Python test venv (idempotent).
deps: system-deps $(VENV)/.installed

# $(call apt-install,PACKAGES): installs those of PACKAGES that dpkg does not list as installed.
define apt-install
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

system-deps:
	$(call apt-install,$(APT_PACKAGES))

$(VENV)/.installed: Tests/Interop/requirements.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --disable-pip-version-check -r Tests/Interop/requirements.txt
	touch $@

## build: debug build of every product.
build: system-deps
	swift build

## run: start summitd on its embedded default store (data/summit.db) with the seed data.
run: deps build
	exec "$$(swift build --show-bin-path)/summitd" $(ARGS)

## test: everything CI runs — Swift tests, generated-code freshness, Python suites, ASan,
## a bounded fuzz run, and the Docker image's build stage as plain shell.
test: deps build test-swift check-generated test-python test-asan test-fuzz deploy-check

## test-fuzz: each fuzz target for a fixed number of inputs from a fixed seed (repeatable in CI).
test-fuzz:
	$(MAKE) fuzz FUZZ_RUNS=20000

# The store and service tests run against PostgreSQL too: one throw-away cluster
# for the run (scripts/pg-scratch.sh), deleted however the run ends.
test-swift: system-deps
	@dir=$$(mktemp -d /tmp/summit-swift-pg.XXXXXX); trap 'scripts/pg-scratch.sh stop "'"$$dir"'"' EXIT; \
	url=$$(scripts/pg-scratch.sh start "$$dir"); \
	SUMMIT_TEST_PG_URL=$$url swift test

## check-generated: regenerate into a scratch folder and fail if the committed output differs.
check-generated: system-deps
	scripts/check-generated.sh

# Each suite runs in its own pytest process: each compiles Protos/ into
# Python modules of its own, and one process cannot import two copies.
INTEROP_SUITES := "Tests/Interop/test_*.py" Tests/Interop/transport Tests/Interop/service Tests/Interop/cli Tests/Interop/client Tests/Interop/deploy Tests/Interop/security Tests/Interop/faults Tests/Interop/replicas

# Suites run a second time with every summitd on PostgreSQL (a throw-away cluster
# each run starts and deletes; Tests/Interop/pg_scratch.py).
POSTGRES_SUITES := Tests/Interop/service

test-python: $(VENV)/.installed build
	@bin=$$(swift build --show-bin-path); status=0; \
	for suite in $(INTEROP_SUITES); do \
	  echo "== pytest $$suite"; \
	  SUMMIT_CODEC_PROBE=$$bin/summit-codec-probe SUMMIT_BIN_DIR=$$bin \
	    $(PYTHON) -m pytest -q $$suite || status=1; \
	done; \
	for suite in $(POSTGRES_SUITES); do \
	  echo "== pytest $$suite (SUMMIT_STORE=postgres)"; \
	  SUMMIT_STORE=postgres SUMMIT_BIN_DIR=$$bin $(PYTHON) -m pytest -q $$suite || status=1; \
	done; exit $$status

## test-asan: the codec compatibility corpus through an AddressSanitizer build, leaks included.
test-asan: $(VENV)/.installed
	swift build --sanitize=address --scratch-path $(ASAN_BUILD) --product summit-codec-probe
	SUMMIT_CODEC_PROBE=$$(swift build --sanitize=address --scratch-path $(ASAN_BUILD) --show-bin-path)/summit-codec-probe \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=23 \
	  $(PYTHON) -m pytest -q Tests/Interop/test_codec_compat.py

## protos: regenerate the C codec, descriptor sets and Swift from Protos/.
protos: system-deps
	scripts/generate-protos.sh

## deploy-check: the Docker image's build stage as plain shell (release build), then the deploy tests.
deploy-check: $(VENV)/.installed build
	deploy/build-release.sh
	SUMMIT_BIN_DIR=$$(swift build --show-bin-path) $(PYTHON) -m pytest -q Tests/Interop/deploy

## fuzz: each libFuzzer target (deframer, codec, connection bytes) for FUZZ_SECONDS, with ASan.
## With FUZZ_RUNS set (as make test does), a fixed number of inputs from seed 1: repeatable.
FUZZ_BUILD := .build-fuzz
FUZZ_SECONDS ?= 20
FUZZ_LIMIT = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS) -seed=1,-max_total_time=$(FUZZ_SECONDS))
FUZZ_TARGETS := deframer codec connection
fuzz: system-deps
	@for t in $(FUZZ_TARGETS); do \
	  swift build --sanitize=fuzzer --sanitize=address --scratch-path $(FUZZ_BUILD) --product fuzz-$$t || exit 1; \
	done
	@bin=$$(swift build --sanitize=fuzzer --sanitize=address --scratch-path $(FUZZ_BUILD) --show-bin-path); \
	for t in $(FUZZ_TARGETS); do \
	  work=$$(mktemp -d); mkdir $$work/corpus; cp Fuzz/corpus/$$t/* $$work/corpus/; \
	  echo "== fuzz-$$t ($(FUZZ_LIMIT))"; \
	  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1 $$bin/fuzz-$$t $(FUZZ_LIMIT) -max_len=65536 \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$$work/ $$work/corpus \
	    > $$work/log 2>&1; status=$$?; \
	  grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss)" $$work/log || true; \
	  if [ $$status -ne 0 ]; then \
	    echo "fuzz-$$t failed ($$status):"; grep -vE "^(INFO|#)" $$work/log | tail -25; \
	    for f in $$work/crash-* $$work/leak-* $$work/timeout-* $$work/oom-*; do \
	      if [ -f "$$f" ]; then echo "input: $$(basename $$f) = $$(xxd -p $$f | tr -d '\n' | head -c 400)"; fi; done; \
	    rm -rf $$work; exit 1; \
	  fi; rm -rf $$work; \
	done

## bench: Summit against grpc-swift-2, grpc-go and gRPC C++ side by side (see BENCHMARKS.md);
## BENCH_QUICK=1 for a short run. Builds everything in release mode; never part of make test.
BENCH_APT_PACKAGES := nghttp2-client nghttp2-server golang-go golang-google-grpc-dev golang-goprotobuf-dev protoc-gen-go-1-3 \
  libgrpc++-dev protobuf-compiler-grpc linux-perf valgrind
BENCH_BUILD := .build-bench
# summitd as deploy/build-release.sh builds it, Swift runtime linked in (Package.swift adds
# the release link flags); make bench measures the server that ships.
SUMMITD_RELEASE := swift build -c release --static-swift-stdlib
BENCH_SWIFT := swift build -c release --package-path Benchmarks --scratch-path $(BENCH_BUILD)/swift
bench: bench-build
	python3 Benchmarks/run.py --codec-bench $(BENCH_BUILD)/swift/release/codec-bench
	$(MAKE) bench-replicas

bench-deps: system-deps
	$(call apt-install,$(BENCH_APT_PACKAGES))

## bench-build: summitd, the peers, the load generator and the codec benchmark, release mode.
bench-build: bench-deps $(BENCH_BUILD)/peers/go-peer $(BENCH_BUILD)/peers/cpp-peer
	$(SUMMITD_RELEASE) --product summitd
	$(MAKE) -C Benchmarks/loadgen OUT=$(CURDIR)/$(BENCH_BUILD)/bin/grpcload
	$(BENCH_SWIFT) --product grpc-swift-peer
	$(BENCH_SWIFT) --product codec-bench

BENCH_PROTOS := Protos/summit/v1/leader.proto Protos/summit/v1/common.proto
$(BENCH_BUILD)/peers/go-peer: Benchmarks/peers/go/main.go Benchmarks/peers/go/build.sh $(BENCH_PROTOS)
	Benchmarks/peers/go/build.sh
$(BENCH_BUILD)/peers/cpp-peer: Benchmarks/peers/cpp/server.cc Benchmarks/peers/cpp/build.sh $(BENCH_PROTOS)
	Benchmarks/peers/cpp/build.sh

## bench-profile: perf record of summitd under GetLeader load (see BENCHMARKS.md, where the time goes).
bench-profile: bench-build
	Benchmarks/profile.sh

## summitd-order: rewrite Sources/summitd/startup.order, the functions an idle summitd has run, which
## the release link lays out together (BENCHMARKS.md, Idle memory); callgrind, about a minute.
summitd-order: bench-deps
	$(SUMMITD_RELEASE) --product summitd
	$(MAKE) -C Benchmarks/loadgen OUT=$(CURDIR)/$(BENCH_BUILD)/bin/grpcload
	python3 Benchmarks/startup_order.py "$$($(SUMMITD_RELEASE) --show-bin-path)/summitd"
	@# SwiftPM does not know the link reads the list: relink on the next build.
	rm -f "$$($(SUMMITD_RELEASE) --show-bin-path)/summitd"

## bench-replicas: calls/s and CPU per call of 1, 2 and 3 replicas over PostgreSQL (release build).
bench-replicas: $(VENV)/.installed
	$(SUMMITD_RELEASE) --product summitd
	SUMMIT_BIN_DIR=$$($(SUMMITD_RELEASE) --show-bin-path) $(PYTHON) scripts/bench-replicas.py

clean:
	rm -rf .build $(ASAN_BUILD) $(FUZZ_BUILD) .build-release $(BENCH_BUILD) $(VENV)
