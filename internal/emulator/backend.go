package emulator

import (
	"encoding/json"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// Backend serves the actions of one AWS Query service (EC2 or ELBv2). The
// server calls it with its lock held: exclusively when Mutating(action) is
// true, shared otherwise.
type Backend interface {
	// Handle runs one action and returns the reply body: for EC2 a pointer
	// to a struct embedding query.EC2Response (nil means <return>true),
	// for ELBv2 a pointer to the struct inside <ActionResult> (nil means an
	// empty result). Errors should be *query.Error; anything else is
	// answered as an InternalError 500 and logged. Unknown actions return
	// query.InvalidAction.
	Handle(action string, p query.Params) (any, error)
	// Mutating reports whether an action changes state.
	Mutating(action string) bool
	// Snapshot returns the backend's whole state as JSON; Restore loads it.
	Snapshot() (json.RawMessage, error)
	Restore(json.RawMessage) error
	// Reset empties the state.
	Reset()
}
