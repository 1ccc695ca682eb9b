# eksiam's tasks. `make test` is what CI runs (.ci/run).
GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build test golden bench bench-peer fuzz demo lint sar

build:
	$(GO) build -o bin/eksiam ./cmd/eksiam

test:
	@unformatted=$$(find . -mindepth 1 \( -name node_modules -o -name '.*' \) -prune -o -name '*.go' -print | xargs gofmt -l); \
	if [ -n "$$unformatted" ]; then echo "gofmt: these files are not formatted:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -count=1 -shuffle=on ./...

# Rewrite the golden files from what eksiam generates now. Read the diff.
golden:
	$(GO) test ./golden -update
	@git --no-pager diff --stat -- golden || true

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

# Compare eksiam with AWS CDK on the same job (N ServiceAccounts, 5 runs each).
N ?= 1000
bench-peer:
	bash bench/peer.sh $(N)

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzLoad -fuzztime=30s ./schema

# Generate from the example spec into ./out.
demo:
	$(GO) run ./cmd/eksiam generate --spec examples/spec.yaml --out out

lint:
	$(GO) run $(STATICCHECK) ./...

# Rewrite the embedded Service Authorization table from the npm package
# sar/npm pins (needs Node.js and npm; building eksiam does not). Read the diff.
sar:
	$(GO) generate ./sar
	@git --no-pager diff --stat -- sar/table.txt || true
