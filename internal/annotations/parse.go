package annotations

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Error is a problem with one annotation.
type Error struct {
	Annotation string // full key, e.g. alb.ingress.kubernetes.io/listen-ports
	Value      string // the raw value
	msg        string // LBC's text, or lbsg's where the spec is silent
	err        error
}

// Error is LBC's message, plus the annotation key when the message lacks it.
func (e *Error) Error() string {
	if strings.Contains(e.msg, e.Annotation) {
		return e.msg
	}
	if strings.HasPrefix(e.Annotation, "spec.") {
		return e.msg + " (field " + e.Annotation + ")"
	}
	return e.msg + " (annotation " + e.Annotation + ")"
}

// LBCMessage is the message exactly as LBC words it.
func (e *Error) LBCMessage() string { return e.msg }

// Unwrap returns the underlying parse error, if any.
func (e *Error) Unwrap() error { return e.err }

// NewError is an annotation error found where the annotation is applied
// (the model builder): msg is LBC's text.
func NewError(key, raw string, format string, args ...any) *Error {
	return newErr(key, raw, nil, format, args...)
}

func newErr(key, raw string, err error, format string, args ...any) *Error {
	return &Error{Annotation: key, Value: raw, msg: fmt.Sprintf(format, args...), err: err}
}

// Errorf is a problem with the annotation key whose raw value is raw, for
// checks that need more than the annotation itself (the model's).
func Errorf(key, raw, format string, args ...any) error {
	return newErr(key, raw, nil, format, args...)
}

// CapacityUnits is the one key of the minimum-load-balancer-capacity
// annotations.
const CapacityUnits = "CapacityUnits"

// capacity is LBC's minimum-load-balancer-capacity: a stringMap whose only
// key is CapacityUnits, an int32. An empty map is nil.
func (r *reader) capacity(key string) *int32 {
	m := r.stringMap(key)
	if m == nil {
		return nil
	}
	out, err := Capacity(key, r.ann[key], m)
	if err != nil {
		r.fail(err)
		return nil
	}
	return out
}

// Capacity checks a minimum-load-balancer-capacity map (of annotation key,
// written raw): CapacityUnits only, an int32; nil for an empty map.
func Capacity(key, raw string, m map[string]string) (*int32, error) {
	var out *int32
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if k != CapacityUnits {
			return nil, newErr(key, raw, nil, "invalid key to set the capacity: %s, Expected key: %s", k, CapacityUnits)
		}
		n, err := strconv.ParseInt(m[k], 10, 32)
		if err != nil {
			return nil, newErr(key, raw, err, "invalid value to set the capacity: %s: %v", m[k], err)
		}
		v := int32(n)
		out = &v
	}
	return out, nil
}

// reader collects values and errors from one annotation map.
type reader struct {
	ann  map[string]string
	errs []error
}

func (r *reader) fail(e error) { r.errs = append(r.errs, e) }

func (r *reader) err() error { return errors.Join(r.errs...) }

func (r *reader) raw(key string) (string, bool) {
	v, ok := r.ann[key]
	return v, ok
}

// optional returns the value verbatim, nil when absent.
func (r *reader) optional(key string) *string {
	raw, ok := r.ann[key]
	if !ok {
		return nil
	}
	return &raw
}

// suffixedMaps parses every stringMap annotation whose key starts with
// prefix, by the rest of the key; nil when there is none.
func (r *reader) suffixedMaps(prefix string) map[string]map[string]string {
	var out map[string]map[string]string
	for _, key := range slices.Sorted(maps.Keys(r.ann)) {
		suffix, ok := strings.CutPrefix(key, prefix)
		if !ok || suffix == "" {
			continue
		}
		if m := r.stringMap(key); m != nil {
			if out == nil {
				out = map[string]map[string]string{}
			}
			out[suffix] = m
		}
	}
	return out
}

// str returns the value verbatim ("" when absent).
func (r *reader) str(key string) string { return r.ann[key] }

// list is LBC's stringList: nil when absent, non-nil when present.
func (r *reader) list(key string) []string {
	raw, ok := r.ann[key]
	if !ok {
		return nil
	}
	return splitList(raw)
}

func splitList(raw string) []string {
	out := []string{}
	for item := range strings.SplitSeq(raw, ",") {
		if s := strings.TrimSpace(item); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// boolean is LBC's bool: strconv.ParseBool of the raw value.
func (r *reader) boolean(key string) *bool {
	raw, ok := r.ann[key]
	if !ok {
		return nil
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		r.fail(newErr(key, raw, err, "failed to parse bool annotation, %s: %s: %v", key, raw, err))
		return nil
	}
	return &b
}

// int32v is LBC's int32: strconv.ParseInt(raw, 10, 32).
func (r *reader) int32v(key string) *int32 {
	raw, ok := r.ann[key]
	if !ok {
		return nil
	}
	n, err := strconv.ParseInt(raw, 10, 32)
	if err != nil {
		r.fail(newErr(key, raw, err, "failed to parse int32 annotation, %s: %s: %v", key, raw, err))
		return nil
	}
	v := int32(n)
	return &v
}

// stringMap is LBC's stringMap: k=v pairs separated by commas, "\," a
// literal comma, keys and values trimmed, empty items dropped.
func (r *reader) stringMap(key string) map[string]string {
	raw, ok := r.ann[key]
	if !ok {
		return nil
	}
	m, ok := parseStringMap(raw)
	if !ok {
		r.fail(newErr(key, raw, nil, "failed to parse stringMap annotation, %s: %s", key, raw))
		return nil
	}
	return m
}

// nodeLabels is a target-node-labels annotation: a stringMap that must
// also be a valid label selector (LBC turns it into one, whose parser
// rejects keys that are no qualified names and invalid label values).
func (r *reader) nodeLabels(key string) map[string]string {
	m := r.stringMap(key)
	if len(m) == 0 {
		return nil
	}
	if _, err := metav1.LabelSelectorAsSelector(&metav1.LabelSelector{MatchLabels: m}); err != nil {
		r.fail(newErr(key, r.ann[key], err, "invalid target node labels %s: %s: %v", key, r.ann[key], err))
		return nil
	}
	return m
}

func parseStringMap(raw string) (map[string]string, bool) {
	out := map[string]string{}
	for _, item := range splitEscaped(raw) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, found := strings.Cut(item, "=")
		k = strings.TrimSpace(k)
		// LBC accepts an empty key; AWS would reject the tag later. lbsg
		// rejects it here, where the annotation can be named.
		if !found || k == "" {
			return nil, false
		}
		out[k] = strings.TrimSpace(v)
	}
	return out, true
}

// splitEscaped splits on "," except where escaped as "\,".
func splitEscaped(raw string) []string {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(raw); i++ {
		switch {
		case raw[i] == '\\' && i+1 < len(raw) && raw[i+1] == ',':
			cur.WriteByte(',')
			i++
		case raw[i] == ',':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(raw[i])
		}
	}
	return append(parts, cur.String())
}

// oneOf checks an enumerated value (exact match) and returns it, or "" when
// absent or invalid.
func (r *reader) oneOf(key string, msg func(v string) string, allowed ...string) string {
	raw, ok := r.ann[key]
	if !ok {
		return ""
	}
	if slices.Contains(allowed, raw) {
		return raw
	}
	r.fail(newErr(key, raw, nil, "%s", msg(raw)))
	return ""
}

// cidrs parses a list of CIDRs with net.ParseCIDR; msg wraps the parse error.
func (r *reader) cidrs(key string, msg func(err error) string) []string {
	list := r.list(key)
	for _, c := range list {
		if _, _, err := net.ParseCIDR(c); err != nil {
			r.fail(newErr(key, r.ann[key], err, "%s", msg(err)))
			return nil
		}
	}
	return list
}

func jsonUnmarshal(raw string, into any) error { return json.Unmarshal([]byte(raw), into) }
