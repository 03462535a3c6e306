package core

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// PageRange is what one page covers: items[Start:End], and the token for the
// next page ("" on the last page).
type PageRange struct {
	Start, End int
	Next       string
}

// QueryHash identifies a request's query (everything except the paging
// parameters), so a token cannot be replayed against another query.
func QueryHash(p query.Params, paging ...string) uint32 {
	skip := map[string]bool{"Action": true, "Version": true}
	for _, k := range paging {
		skip[k] = true
	}
	h := fnv.New32a()
	for _, k := range p.Keys() {
		if skip[k] {
			continue
		}
		_, _ = h.Write([]byte(k))
		_, _ = h.Write([]byte{0})
		_, _ = h.Write([]byte(p.Get(k)))
		_, _ = h.Write([]byte{0})
	}
	return h.Sum32()
}

// EC2Page computes the page for an EC2 Describe with MaxResults (5–1000;
// absent means everything) and NextToken over n items. The error is EC2's
// InvalidParameterValue or InvalidNextToken.
func EC2Page(p query.Params, n int) (PageRange, error) {
	limit := n
	if s, ok := p.Lookup("MaxResults"); ok {
		v, err := strconv.Atoi(s)
		if err != nil || v < 5 || v > 1000 {
			return PageRange{}, query.BadRequest("InvalidParameterValue",
				"Value ( %s ) for parameter maxResults is invalid. Expecting a value greater than 5.", s)
		}
		limit = v
	}
	start := 0
	hash := QueryHash(p, "MaxResults", "NextToken")
	if tok := p.Get("NextToken"); tok != "" {
		off, ok := decodeToken(tok, hash)
		if !ok || off > n {
			return PageRange{}, query.BadRequest("InvalidNextToken", "The token '%s' is invalid.", tok)
		}
		start = off
	}
	return pageFrom(start, limit, n, hash), nil
}

// ELBv2Page computes the page for an ELBv2 Describe with PageSize (1–400)
// and Marker over n items.
func ELBv2Page(p query.Params, n int) (PageRange, error) {
	limit := n
	if s, ok := p.Lookup("PageSize"); ok {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 || v > 400 {
			return PageRange{}, query.ValidationError("1 validation error detected: Value '%s' at 'pageSize' failed to satisfy constraint: Member must have value less than or equal to 400", s)
		}
		limit = v
	}
	start := 0
	hash := QueryHash(p, "PageSize", "Marker")
	if tok := p.Get("Marker"); tok != "" {
		off, ok := decodeToken(tok, hash)
		if !ok || off > n {
			return PageRange{}, query.ValidationError("Invalid marker '%s'", tok)
		}
		start = off
	}
	return pageFrom(start, limit, n, hash), nil
}

func pageFrom(start, limit, n int, hash uint32) PageRange {
	if limit <= 0 {
		limit = n
	}
	end := start + limit
	if end >= n {
		return PageRange{Start: start, End: n}
	}
	return PageRange{Start: start, End: end, Next: encodeToken(end, hash)}
}

func encodeToken(off int, hash uint32) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%08x", off, hash)))
}

func decodeToken(tok string, hash uint32) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	offs, h, ok := strings.Cut(string(raw), ":")
	if !ok || h != fmt.Sprintf("%08x", hash) {
		return 0, false
	}
	off, err := strconv.Atoi(offs)
	if err != nil || off < 0 {
		return 0, false
	}
	return off, true
}
