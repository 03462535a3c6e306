package query

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Params is one decoded request: each key maps to its first value.
type Params struct {
	m map[string]string
}

// MaxBody bounds the size of a request body the emulator accepts.
const MaxBody = 4 << 20

// Parse decodes a form-encoded body. Keys repeated in the body keep their
// first value, as AWS does.
func Parse(body string) (Params, error) {
	v, err := url.ParseQuery(body)
	if err != nil {
		return Params{}, Errorf(400, "MalformedQueryString", "The query string is malformed: %v", err)
	}
	return FromValues(v), nil
}

// FromValues builds Params from url.Values (first value of each key).
func FromValues(v url.Values) Params {
	m := make(map[string]string, len(v))
	for k, vs := range v {
		if len(vs) > 0 {
			m[k] = vs[0]
		}
	}
	return Params{m: m}
}

// Merge returns p with the keys of o added where p lacks them.
func (p Params) Merge(o Params) Params {
	m := make(map[string]string, len(p.m)+len(o.m))
	for k, v := range o.m {
		m[k] = v
	}
	for k, v := range p.m {
		m[k] = v
	}
	return Params{m: m}
}

// Get returns the value of key k, or "".
func (p Params) Get(k string) string { return p.m[k] }

// Lookup returns the value of key k and whether it is present.
func (p Params) Lookup(k string) (string, bool) {
	v, ok := p.m[k]
	return v, ok
}

// Has reports whether k is present either as a key or as the prefix of a key
// (k.something).
func (p Params) Has(k string) bool {
	if _, ok := p.m[k]; ok {
		return true
	}
	pre := k + "."
	for key := range p.m {
		if strings.HasPrefix(key, pre) {
			return true
		}
	}
	return false
}

// Len is the number of keys.
func (p Params) Len() int { return len(p.m) }

// Keys returns the keys in sorted order.
func (p Params) Keys() []string {
	out := make([]string, 0, len(p.m))
	for k := range p.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Sub returns the parameters under prefix "k." with the prefix removed.
func (p Params) Sub(k string) Params {
	pre := k + "."
	m := map[string]string{}
	for key, v := range p.m {
		if rest, ok := strings.CutPrefix(key, pre); ok {
			m[rest] = v
		}
	}
	return Params{m: m}
}

// Indexed returns the structures k.1.*, k.2.*, … (and scalar k.N values,
// under the empty key) ordered by their numeric index. Non-numeric or
// non-positive indexes are ignored.
func (p Params) Indexed(k string) []Params {
	pre := k + "."
	groups := map[int]map[string]string{}
	for key, v := range p.m {
		rest, ok := strings.CutPrefix(key, pre)
		if !ok {
			continue
		}
		idx, field, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(idx)
		if err != nil || n < 1 || len(idx) > 6 {
			continue
		}
		g := groups[n]
		if g == nil {
			g = map[string]string{}
			groups[n] = g
		}
		g[field] = v
	}
	idxs := make([]int, 0, len(groups))
	for n := range groups {
		idxs = append(idxs, n)
	}
	sort.Ints(idxs)
	out := make([]Params, len(idxs))
	for i, n := range idxs {
		out[i] = Params{m: groups[n]}
	}
	return out
}

// Strings returns the scalar values k.1, k.2, … ordered by index (EC2 lists).
func (p Params) Strings(k string) []string {
	var out []string
	for _, s := range p.Indexed(k) {
		if v, ok := s.m[""]; ok {
			out = append(out, v)
		}
	}
	return out
}

// Members returns the structures k.member.N.* ordered by N (awsquery lists).
func (p Params) Members(k string) []Params { return p.Sub(k).Indexed("member") }

// MemberStrings returns the scalar values k.member.N ordered by N.
func (p Params) MemberStrings(k string) []string { return p.Sub(k).Strings("member") }

// Entries returns the map k.entry.N.key / k.entry.N.value (awsquery maps).
func (p Params) Entries(k string) map[string]string {
	out := map[string]string{}
	for _, e := range p.Sub(k).Indexed("entry") {
		out[e.Get("key")] = e.Get("value")
	}
	return out
}

// Int returns the integer value of k. ok is false when k is absent; err is an
// InvalidParameterValue *Error when it is present but not an integer within
// [lo, hi].
func (p Params) Int(k string, lo, hi int64) (v int64, ok bool, err error) {
	s, present := p.m[k]
	if !present {
		return 0, false, nil
	}
	n, perr := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if perr != nil || n < lo || n > hi {
		return 0, true, InvalidParameterValue(k, s)
	}
	return n, true, nil
}

// Bool returns the boolean value of k ("true"/"false", case-insensitive).
func (p Params) Bool(k string) (v bool, ok bool, err error) {
	s, present := p.m[k]
	if !present {
		return false, false, nil
	}
	switch strings.ToLower(s) {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, true, InvalidParameterValue(k, s)
}

// Require returns the value of k or a MissingParameter error.
func (p Params) Require(k string) (string, error) {
	v, ok := p.m[k]
	if !ok || v == "" {
		return "", MissingParameter(k)
	}
	return v, nil
}
