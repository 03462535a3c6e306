package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Sanitize drops every character outside ASCII [A-Za-z0-9], as LBC's
// invalidNameChars regexp does.
func Sanitize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Cut returns the first n bytes of s (all of s if shorter). Callers cut only
// sanitised, hence ASCII, strings.
func Cut(n int, s string) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Hash10 is the first 10 lowercase hex characters of SHA-256 over the parts
// concatenated with no separator.
func Hash10(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))[:10]
}

// shortName is k8s-<cut8(ns)>-<cut8(name)>-<hash>.
func shortName(ns, name, hash string) string {
	return "k8s-" + Cut(8, Sanitize(ns)) + "-" + Cut(8, Sanitize(name)) + "-" + hash
}

// groupName is k8s-<cut17(group)>-<hash>.
func groupName(group, hash string) string {
	return "k8s-" + Cut(17, Sanitize(group)) + "-" + hash
}
