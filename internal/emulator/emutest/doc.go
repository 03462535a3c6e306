// Package emutest starts an in-process emulator for tests and hands out real
// aws-sdk-go-v2 clients wired to it through an in-memory transport (no
// socket). Each Start gives a fresh emulator; nothing is shared between
// tests.
package emutest
