# iotguard build, test and lint. `make test` is the README's test command.
GO        ?= go
FUZZTIME  ?= 30s
STATICCHECK_VERSION ?= v0.8.2
BIN       ?= bin/iotguard
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: all build test test-race lint vet staticcheck fuzz bench bench-server bench-vulndb bench-go demo clean

all: build

build:
	$(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BIN) ./cmd/iotguard

# Every test: unit, data, golden, conformance, CLI and integration tests,
# then the benchmark harnesses' own tests (bench/ is a separate module:
# small fleets, checking what the harnesses compute, not how fast).
test:
	$(GO) test -count=1 ./...
	cd bench && $(GO) test -count=1 ./...

test-race:
	$(GO) test -count=1 -race ./...

vet:
	$(GO) vet ./...
	cd bench && $(GO) vet ./...

staticcheck:
	@command -v staticcheck >/dev/null 2>&1 || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	"$$(command -v staticcheck || echo $$($(GO) env GOPATH)/bin/staticcheck)" ./...
	cd bench && "$$(command -v staticcheck || echo $$($(GO) env GOPATH)/bin/staticcheck)" ./...

lint: vet staticcheck
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

# Run every fuzz target for FUZZTIME each (make fuzz FUZZTIME=1m).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/func //'); do \
	    echo "== $$pkg $$f"; $(GO) test $$pkg -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME); \
	  done; \
	done

# The fleet benchmark (bench/, its own Go module so that OPA never becomes
# a dependency of iotguard): parse floor, built-in assessment, ten rules in
# Go vs CEL vs OPA Rego, peak RSS. docs/benchmarks.md has the figures.
BENCH_DEVICES ?= 100000
bench:
	cd bench && $(GO) run . --devices $(BENCH_DEVICES)

# The server load benchmark (100,000 devices, 200 connections, SQLite and
# PostgreSQL) and the vulnerability matching comparison with osv-scanner.
bench-server:
	cd bench && $(GO) run ./serverload
bench-vulndb:
	cd bench && $(GO) run ./vulnbench

# The Go micro-benchmarks of the main module's packages.
bench-go:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

demo:
	$(GO) run ./cmd/iotguard demo

clean:
	rm -rf bin iotguard-demo
