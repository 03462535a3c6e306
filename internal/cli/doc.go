// Package cli is lbsg's composition root: it parses the command line, builds
// each subcommand's dependencies (AWS clients, emulator, Kubernetes clients)
// and runs it. It is the only package that wires packages together; every
// other package receives what it needs as arguments.
package cli
