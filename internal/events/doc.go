// Package events holds the event reasons lbsg emits, as constants in one
// place, and a Recorder that drops an event identical to the last one emitted
// for the same object (style R8). Reasons users alert on keep LBC's strings
// (lbc-load-balancers.md §8); lbsg's own reasons are new names, never reused
// LBC names with another meaning.
//
// Imports: client-go events API types, apimachinery. The recorder is safe for
// concurrent use; its memory is bounded by the number of objects it has seen
// (Forget drops one).
package events
