package core

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

func TestWildcard(t *testing.T) {
	for _, tt := range []struct {
		pattern, value string
		want           bool
	}{
		{"a*", "alpha", true},
		{"a*", "beta", false},
		{"*ph*", "alpha", true},
		{"al?ha", "alpha", true},
		{"al?ha", "alpPPha", false},
		{"exact", "exact", true},
		{"Exact", "exact", false},
		{"*", "", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
	} {
		if got := Wildcard(tt.pattern, tt.value); got != tt.want {
			t.Errorf("Wildcard(%q, %q) = %v, want %v", tt.pattern, tt.value, got, tt.want)
		}
	}
}

func TestTagFilters(t *testing.T) {
	tags := map[string]string{"team": "alpha"}
	for _, tt := range []struct {
		name string
		f    Filter
		want bool
	}{
		{"tag:key with a wildcard value matches", Filter{"tag:team", []string{"a*"}}, true},
		{"tag:key with another value does not match", Filter{"tag:team", []string{"beta"}}, false},
		{"tag-key matches any value", Filter{"tag-key", []string{"team"}}, true},
		{"tag-value matches any key", Filter{"tag-value", []string{"alpha"}}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			handled, ok := MatchTagFilter(tt.f, tags)
			if !handled || ok != tt.want {
				t.Fatalf("handled=%v ok=%v, want %v", handled, ok, tt.want)
			}
		})
	}
}

func TestParseFilters(t *testing.T) {
	allowed := Names("vpc-id")
	p := query.FromValues(url.Values{"Filter.1.Name": {"bogus"}})
	if _, err := ParseFilters(p, allowed); err == nil || err.(*query.Error).Code != "InvalidParameterValue" {
		t.Fatalf("unknown filter: got %v", err)
	}
	v := url.Values{"Filter.1.Name": {"vpc-id"}}
	for i := 1; i <= 201; i++ {
		v.Set("Filter.1.Value."+strconv.Itoa(i), "vpc-x")
	}
	if _, err := ParseFilters(query.FromValues(v), allowed); err == nil || err.(*query.Error).Code != "FilterLimitExceeded" {
		t.Fatalf("201 values: got %v", err)
	}
}

func TestEC2Paging(t *testing.T) {
	p := query.FromValues(url.Values{"MaxResults": {"5"}, "Action": {"X"}})
	first, err := EC2Page(p, 7)
	if err != nil || first.Start != 0 || first.End != 5 || first.Next == "" {
		t.Fatalf("first page %+v, %v", first, err)
	}
	p2 := query.FromValues(url.Values{"MaxResults": {"5"}, "Action": {"X"}, "NextToken": {first.Next}})
	second, err := EC2Page(p2, 7)
	if err != nil || second.Start != 5 || second.End != 7 || second.Next != "" {
		t.Fatalf("second page %+v, %v", second, err)
	}
	if _, err := EC2Page(query.FromValues(url.Values{"MaxResults": {"4"}}), 7); err == nil {
		t.Fatal("MaxResults=4 must be refused")
	}
	other := query.FromValues(url.Values{"MaxResults": {"5"}, "Filter.1.Name": {"x"}, "NextToken": {first.Next}})
	if _, err := EC2Page(other, 7); err == nil || err.(*query.Error).Code != "InvalidNextToken" {
		t.Fatalf("token replayed on another query: %v", err)
	}
}
