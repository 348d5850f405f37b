# Vigil: the two commands a new user needs are `make demo` and `make test` (see README.md).
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
DURATION   ?=

.PHONY: deps build build-asan test demo cluster bench bench-e2e bench-soak bench-store bench-faults format clean

deps:
	@bash scripts/install-deps.sh

$(BUILD)/Makefile: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

# Unit tests and fuzz targets under AddressSanitizer + UBSan, built with clang (libFuzzer).
$(ASAN_BUILD)/Makefile: CMakeLists.txt | deps
	CC=clang CXX=clang++ cmake -S . -B $(ASAN_BUILD) -DVIGIL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug

build-asan: deps $(ASAN_BUILD)/Makefile
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# The third-party FHIR validators and client the API tests run (tests/fhir).
tests/fhir/node_modules/.package-lock.json: tests/fhir/package-lock.json | deps
	cd tests/fhir && npm ci --no-audit --no-fund

# The browser the console's tests drive (Debian's Chromium, from deps) and its driver and
# accessibility checker (tests/console).
tests/console/node_modules/.package-lock.json: tests/console/package-lock.json | deps
	cd tests/console && npm ci --no-audit --no-fund

test: build build-asan tests/fhir/node_modules/.package-lock.json \
      tests/console/node_modules/.package-lock.json
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure

demo: build
	DURATION=$(DURATION) bash scripts/demo.sh

# Three PostgreSQL nodes under Patroni with etcd, two hubs and HAProxy on this machine, with
# `vigil sim` streaming through it (docs/cluster.md). DURATION=seconds, or until Ctrl-C.
cluster: build
	bash scripts/install-cluster-deps.sh
	/usr/bin/python3 scripts/cluster.py --seconds $(or $(DURATION),0)

bench: build
	$(BUILD)/bench/ingest_bench

# End-to-end: vigil sim against Vigil and Mosquitto 2 on loopback (a few minutes).
bench-e2e: build
	/usr/bin/python3 bench/e2e_ingest.py

# Soak: a steady fleet for 30 minutes, sampled every 30 s; writes docs/soak.{csv,png}.
bench-soak: build
	bash scripts/install-bench-deps.sh
	/usr/bin/python3 bench/soak.py

# Ingest on SQLite, on PostgreSQL with a synchronous standby, and two hubs on one PostgreSQL.
bench-store: build
	/usr/bin/python3 bench/store_ingest.py

# kill -9 of the database primary, a hub and etcd's leader under load, 5 times each (~15 min).
bench-faults: build
	bash scripts/install-cluster-deps.sh
	/usr/bin/python3 bench/cluster_faults.py

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
