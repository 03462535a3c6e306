# lbsg — run `make help` for targets.
SHELL := /usr/bin/env bash
GO    ?= go
BIN   := $(CURDIR)/bin

.PHONY: help
help: ## show this help
	@awk 'BEGIN{FS=":.*## "} /^[a-zA-Z_-]+:.*## /{printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## build bin/lbsg
	$(GO) build -o $(BIN)/lbsg ./cmd/lbsg

.PHONY: test
test: ## run all tests (unit, emulator conformance, envtest, e2e)
	$(GO) test -race -count=1 ./...

.PHONY: fmt
fmt: ## gofmt the tree
	gofmt -w $$(git ls-files '*.go')
