// Package core holds what the emulator's service backends share: the
// environment of one emulated account and Region (clock, deterministic ID
// generator, eventual-consistency knobs), EC2-style filters with wildcards,
// and paging tokens. It imports only the query codec and the standard
// library (plus k8s.io/utils/clock for an injectable clock).
//
// Backends are not safe for concurrent use on their own: the emulator's
// server serialises every request with one lock, so state stays
// linearisable and only reads may lag (see Lag).
package core
