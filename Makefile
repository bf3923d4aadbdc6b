# Event-gRPC for Swift. The two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
STACK_DIR ?= .run/stack

.PHONY: help deps build run test fuzz bench bench-smoke stack-up stack-down stack-status clean golden

help:
	@echo "make run          install what is missing, build, start the stack, gateway and workers, send a demo batch"
	@echo "make test         the same set-up on test ports, then every unit, integration and interop test"
	@echo "make build        release build of IngestGateway and SinkWorker"
	@echo "make fuzz         random HTTP/2 frames, gRPC requests and protobuf bytes for a minute (FUZZ_SECONDS)"
	@echo "make bench        gateway, raw broker ceiling, end to end, flood and Python peer (bench/results/, BENCHMARKS.md)"
	@echo "make bench-smoke  every bench case for about a second (part of make test; no performance checks)"
	@echo "make stack-up     start RabbitMQ and ClickHouse on loopback (data in $(STACK_DIR))"
	@echo "make stack-down   stop them"
	@echo "make clean        stop the stack and remove build products, run data and the test virtualenv"

deps:
	@scripts/install-deps.sh

build: deps
	@scripts/version.sh > /dev/null
	swift build -c release

run:
	@scripts/run.sh

test:
	@scripts/test.sh

fuzz: deps
	swift build --build-tests
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} swift test --skip-build --filter HTTP2FuzzTests

bench:
	@BENCH_MODE=full scripts/bench.sh

bench-smoke:
	@BENCH_MODE=smoke scripts/bench.sh

stack-up:
	@scripts/stack.sh start $(STACK_DIR)

stack-down:
	@scripts/stack.sh stop $(STACK_DIR)

stack-status:
	@scripts/stack.sh status $(STACK_DIR)

golden:
	@scripts/golden.sh

clean:
	-@scripts/stack.sh stop $(STACK_DIR)
	-@scripts/stack.sh stop .run/test-stack
	rm -rf .build .run .venv .venv-bench interop/generated bench/generated
