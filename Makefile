# musc: the two set-up commands are `make demo` and `make test`.
# CMake does the work underneath; this file only names the builds.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX     ?= /usr/local

.PHONY: all deps configure demo test test-fast test-asan install clean bench format

all: configure
	cmake --build $(BUILD) -j $(JOBS)

deps:
	sh scripts/deps.sh

configure:
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX)

# The main job: build, then run the toolkit end to end on a piece musc writes itself.
demo: deps all
	sh scripts/demo.sh $(BUILD)/musc

# Build and run every test, then the sanitizer build (clang, ASan+UBSan) with
# its tests and a short libFuzzer run of each parser.
test: deps all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) test-asan

test-fast: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan:
	@test -f $(ASAN_BUILD)/CMakeCache.txt || CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DMUSC_SANITIZE=ON -DMUSC_FUZZ=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

install: all
	cmake --install $(BUILD)

bench: all
	sh bench/midi.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
