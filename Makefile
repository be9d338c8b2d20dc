# trailpack: build, test, demo and benchmark.
SWIFT ?= swift
DEB_PACKAGES := libcmark-dev libssl-dev libsqlite3-dev libyaml-dev libpq-dev postgresql git
DEMO_SRC ?= .build/demo-source
BENCH_DIR ?= .build/bench
BENCH_EVENTS ?= 1000000

.PHONY: deps build release test demo bench clean

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

bench: release
	Benchmarks/run.sh $(BENCH_EVENTS) $(BENCH_DIR)

clean:
	rm -rf .build
