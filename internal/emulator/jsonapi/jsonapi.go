package jsonapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/lbsg/lbsg/internal/emulator/core"
)

// Error is an awsJson error reply: the type goes to __type.
type Error struct {
	Status int
	Type   string
	Msg    string
}

func (e *Error) Error() string { return e.Type + ": " + e.Msg }

// BadRequest is a 400 reply of type typ.
func BadRequest(typ, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Type: typ, Msg: fmt.Sprintf(format, args...)}
}

// Decode reads a JSON request body (an empty body is {}).
func Decode(body []byte, v any) *Error {
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return BadRequest("SerializationException", "%v", err)
	}
	return nil
}

// UUID returns a random version-4-shaped UUID from the emulator's seeded
// ID generator (deterministic per seed).
func UUID(ids *core.IDs) string {
	return ids.Hex(8) + "-" + ids.Hex(4) + "-4" + ids.Hex(3) + "-a" + ids.Hex(3) + "-" + ids.Hex(12)
}

// Page cuts n items at the offset a marker names; it returns the range and
// the next marker ("" at the end). A marker that is not one of ours is
// refused by the caller's bad(marker) error.
func Page(marker string, limit, n, defLimit int) (start, end int, next string, ok bool) {
	if limit <= 0 {
		limit = defLimit
	}
	if marker != "" {
		off, err := strconv.Atoi(marker)
		if err != nil || off < 0 || off > n {
			return 0, 0, "", false
		}
		start = off
	}
	end = min(start+limit, n)
	if end < n {
		next = strconv.Itoa(end)
	}
	return start, end, next, true
}

// ACLState is the persisted state of a web ACL service (WAFv2, WAF
// Regional): its ID sequence, its web ACLs by ID or ARN and the
// resource → web ACL associations.
type ACLState[T any] struct {
	Seq   int64             `json:"seq"`
	ACLs  map[string]*T     `json:"acls"`
	Assoc map[string]string `json:"associations"`
}

// SnapshotACLs returns the state as JSON, without the associations of
// resources that are gone (live false).
func SnapshotACLs[T any](seq int64, acls map[string]*T, assoc map[string]string, live func(resource string) bool) (json.RawMessage, error) {
	kept := map[string]string{}
	for res, acl := range assoc {
		if live(res) {
			kept[res] = acl
		}
	}
	return json.Marshal(ACLState[T]{Seq: seq, ACLs: acls, Assoc: kept})
}

// RestoreACLs reads what SnapshotACLs saved; empty or null raw is an
// empty state. Its maps are never nil.
func RestoreACLs[T any](raw json.RawMessage) (ACLState[T], error) {
	p := ACLState[T]{}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &p); err != nil {
			return p, err
		}
	}
	if p.ACLs == nil {
		p.ACLs = map[string]*T{}
	}
	if p.Assoc == nil {
		p.Assoc = map[string]string{}
	}
	return p, nil
}
