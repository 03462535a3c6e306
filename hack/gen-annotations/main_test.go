package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/annotations"
)

const src = "../../internal/annotations"

func TestAnnotationsDocIsCurrent(t *testing.T) {
	got, err := os.ReadFile("../../docs/annotations.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := render(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimRight(got, "\n"), want) {
		t.Fatal("docs/annotations.md is stale: run make generate")
	}
}

func TestEveryAnnotationIsDocumentedAndEveryDocIsAnAnnotation(t *testing.T) {
	found, err := keys(src)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for prefix, ks := range found {
		for _, k := range ks {
			seen[k.Key] = true
			if _, ok := annotations.Docs[k.Key]; !ok {
				t.Errorf("annotation %s (%s) has no entry in annotations.Docs", k.Key, k.Const)
			}
			if !strings.HasPrefix(k.Key, prefixes[prefix]) {
				t.Errorf("%s: key %s lacks its prefix", k.Const, k.Key)
			}
		}
	}
	for k := range annotations.Docs {
		if !seen[k] {
			t.Errorf("annotations.Docs documents %s, which is no annotation constant", k)
		}
	}
	// Known keys are found, so the parser is not silently missing a form.
	for _, k := range []string{annotations.SvcSecurityGroups, annotations.IngSecurityGroups, annotations.SvcSourceRanges} {
		if !seen[k] {
			t.Errorf("%s not found by parsing %s", k, src)
		}
	}
}
