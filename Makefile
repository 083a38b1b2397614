# modelwatch — the commands a user and CI run. See README.md.
#   make build   install missing Debian packages, configure and build (build/)
#   make run     build, run modelwatch on the bundled examples, then start the daemon fed by the
#                demo stream (Ctrl-C stops it)
#   make test    build, then run every test (unit, golden, CLI, fuzz-corpus replay)
#   make bench   build, then run the benchmarks; results in bench/results/
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
MW_WERROR ?= $(if $(CI),ON,OFF)
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test bench fuzz format clean

all: build

deps:
	@scripts/install-deps --quiet

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DMW_WERROR=$(MW_WERROR) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@echo "== modelwatch metrics on examples/binary.csv"
	$(BUILD_DIR)/modelwatch metrics --task binary --input examples/binary.csv \
	  --label-col label --pred-col prediction --score-col score --format table
	@echo
	@echo "== modelwatch metrics on examples/multiclass.csv"
	$(BUILD_DIR)/modelwatch metrics --task multiclass --input examples/multiclass.csv \
	  --label-col label --pred-col prediction --score-prefix p_ --format table
	@echo
	@echo "== modelwatch drift of examples/current.csv against examples/reference.csv"
	$(BUILD_DIR)/modelwatch drift --reference examples/reference.csv \
	  --current examples/current.csv --format table
	@echo
	@echo "== modelwatch serve (config/demo.yaml) fed by modelwatch demo"
	@scripts/run-demo.sh $(BUILD_DIR)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@bench/run.sh $(BUILD_DIR)

# libFuzzer targets, built with clang into build-fuzz/ (run: build-fuzz/fuzz/<target> fuzz/corpus/<target>)
fuzz: deps
	@CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DMW_FUZZ=ON -DMW_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

format:
	@clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD_DIR) build-fuzz
