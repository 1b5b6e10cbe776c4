# Kafka Playground. `make serve` serves the playground; `make test` runs every test.
# Both install what is missing first (scripts/install-tools.sh), so they work on a fresh machine.

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export CHROMEDRIVER := /usr/bin/chromedriver
# Property tests draw from a fixed seed so a CI run is repeatable; set another to explore.
export PROPTEST_RNG_SEED ?= 20261125

.PHONY: serve test tools lint test-native test-browser test-e2e build

serve:
	bash scripts/install-tools.sh serve
	trunk serve --open=false

build:
	bash scripts/install-tools.sh serve
	trunk build --release

test: tools lint test-native test-browser test-e2e

# `make test PRUNE=1` (what CI runs) deletes each stage's build once the stage has passed, so the
# run needs the disk of its largest stage (~1 GB) rather than of all of them together.
prune = $(if $(PRUNE),rm -rf $(1))

tools:
	bash scripts/install-tools.sh test

lint:
	cargo fmt --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --features ui --lib --bins --test browser --locked -- -D warnings
	$(call prune,target/debug target/wasm32-unknown-unknown/debug)

test-native:
	cargo test --workspace --locked
	$(call prune,target/debug)

test-browser:
	cargo test --target wasm32-unknown-unknown --features ui --test browser --locked
	$(call prune,target/wasm32-unknown-unknown/debug)

test-e2e:
	node --test tests/e2e/embed_codec.test.mjs
	trunk build --release
	node tests/e2e/run.mjs

# Benchmarks: every figure of the performance issue against its target (README table).
# Native: the `bench-native` profile is the release build at opt-level 3 (release itself is
# sized for wasm); `cargo bench` runs the criterion micro-benchmarks of the hot paths.
# Browser: the release build in headless Chromium (bundle, first render, frames, long tasks,
# and the engine in WebAssembly, held to 0.6x the native engine_throughput written first).
.PHONY: bench bench-browser
bench:
	mkdir -p target
	cargo run --profile bench-native -- bench --json | tee target/bench-native.jsonl
	$(MAKE) bench-browser

bench-browser:
	trunk build --release
	node tests/e2e/bench.mjs
