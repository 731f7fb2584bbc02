# One command each: build, run, test, flash. All the work is in firmware/ (python3 -m
# firmware), tests/ and tests_hw/; this file only names the steps.
#
#   make run                 build the default board (QEMU_MPS2_AN385), boot it, run the demo
#   make test                lint, set up, build UNIX, QEMU and RPI_PICO images, run every test
#   make lint                ruff check and ruff format --check (ruff.toml), the whole repo
#   make firmware BOARD=X    build one board's image into firmware/images/X/
#   make deploy BOARD=X [PORT=...] [DRY_RUN=1]    flash a board
#
# Options: ASYNCIO_C=0 (pure-Python asyncio, no C module), ASYNCIO_EXTRAS=core|cpython|all,
# ASYNCIO_PRIMITIVES=0 (leave out the primitives/threadsafe packages),
# MPY_DIR=/path/to/micropython (use your own tree instead of the pinned one).

BOARD ?= QEMU_MPS2_AN385
ASYNCIO_C ?= 1
ASYNCIO_EXTRAS ?= all
ASYNCIO_PRIMITIVES ?= 1
PORT ?=
DRY_RUN ?= 0

PYTHON := .venv/bin/python
FIRMWARE := $(PYTHON) -m firmware
BOARD_FLAGS := --board $(BOARD) --extras $(ASYNCIO_EXTRAS) $(if $(filter 0,$(ASYNCIO_C)),--no-c) \
	$(if $(filter 0,$(ASYNCIO_PRIMITIVES)),--no-primitives)
# Boards built and tested here, without hardware (RPI_PICO in rp2040js).
TEST_BOARDS := UNIX QEMU_MPS2_AN385 RPI_PICO

.PHONY: all setup source firmware run lint test test-images test-host test-device test-upstream bench size boards check deploy clean distclean

all: firmware

# Installs Debian toolchains and the pinned Python tools (.venv); quiet when all is there.
setup:
	@python3 -m firmware setup $(foreach b,$(sort $(BOARD) $(if $(filter test%,$(MAKECMDGOALS)),$(TEST_BOARDS))),--board $(b))

source: setup
	@$(FIRMWARE) source

firmware: setup
	@$(FIRMWARE) build $(BOARD_FLAGS)

run: firmware
	@$(FIRMWARE) run $(BOARD_FLAGS)

boards:
	@python3 -m firmware boards

size: setup
	@$(FIRMWARE) size --board $(BOARD)

check:
	@$(FIRMWARE) check

deploy: setup
	@$(FIRMWARE) deploy --board $(BOARD) $(if $(PORT),--port $(PORT)) $(if $(filter 1,$(DRY_RUN)),--dry-run) $(if $(filter 0,$(ASYNCIO_C)),--no-c)

# Lint first: cheap, and a failure here needs no image to explain it.
lint: setup
	@$(PYTHON) -m ruff check --quiet .
	@$(PYTHON) -m ruff format --check --quiet .

# Images the tests need: ours with and without the C module, and stock baselines.
test-images: setup
	@$(FIRMWARE) build --board UNIX
	@$(FIRMWARE) build --board UNIX --no-c
	@$(FIRMWARE) build --board QEMU_MPS2_AN385
	@$(FIRMWARE) build --board UNIX_STOCK
	@$(FIRMWARE) build --board QEMU_MPS2_AN385_STOCK
	@$(FIRMWARE) build --board RPI_PICO

# Host tests: the tooling, image validators, the runner (its fault tests drive real
# emulated boards).
test-host: test-images
	@$(PYTHON) -m pytest -q --timeout=300 tests

# MicroPython's own asyncio tests, unmodified, from the source tree we built from:
# all that pass on the stock image must pass on ours.
test-upstream: test-images
	@$(FIRMWARE) upstream-tests --board UNIX
	@$(FIRMWARE) upstream-tests --board UNIX --no-c
	@$(FIRMWARE) upstream-tests --board QEMU_MPS2_AN385

# Our device suite through our runner, on every image that runs here.
test-device: test-images
	@$(PYTHON) -m pytest -q tests_hw --board UNIX
	@$(PYTHON) -m pytest -q tests_hw --board UNIX=firmware/images/UNIX-pyonly/micropython
	@$(PYTHON) -m pytest -q tests_hw --board QEMU_MPS2_AN385
	@$(PYTHON) -m pytest -q tests_hw --board RPI_PICO

test: lint test-host test-upstream test-device
	@$(FIRMWARE) check

bench: setup
	@$(PYTHON) -m firmware bench

clean:
	@python3 -m firmware clean --keep-source

distclean:
	@python3 -m firmware clean
