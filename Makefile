# trailpack: build, test, demo and benchmark.
SWIFT ?= swift
DEB_PACKAGES := libcmark-dev libssl-dev libsqlite3-dev libyaml-dev libpq-dev postgresql git chromium poppler-utils
DEMO_SRC ?= .build/demo-source
BENCH_DIR ?= .build/bench
BENCH_EVENTS ?= 1000000
# Fuzzing: seconds per harness, its own build path (the sanitizers never touch .build/debug).
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= .build/fuzz
FUZZ_HARNESSES ?=

.PHONY: deps build release test demo pdf bench fuzz fuzz-build clean

# Installs any missing Debian package (as root on a fresh machine).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build
	$(SWIFT) test

demo: release
	rm -rf $(DEMO_SRC)
	.build/release/trailpack demo $(DEMO_SRC)
	.build/release/trailpack build $(DEMO_SRC) --out site --trust $(DEMO_SRC)/trust.txt

# The demo site printed as one PDF (needs the site from `make demo`).
pdf: release
	.build/release/trailpack pdf site --out .build/inspection-pack.pdf

bench: release
	Benchmarks/run.sh $(BENCH_EVENTS) $(BENCH_DIR)

# libFuzzer harnesses with AddressSanitizer, built apart in $(FUZZ_BUILD) (only the fuzz product;
# linked with the toolchain's lld: gold fails on the sanitizer build).
fuzz-build: deps
	$(SWIFT) build -c release --build-path $(FUZZ_BUILD) --product trailpack-fuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld

# Runs every harness (or FUZZ_HARNESSES) for FUZZ_SECONDS each; see docs/robustness.md.
fuzz: fuzz-build
	Tests/Fuzz/run.sh $(FUZZ_BUILD)/release/trailpack-fuzz $(FUZZ_SECONDS) $(FUZZ_BUILD)/run $(FUZZ_HARNESSES)

clean:
	rm -rf .build
