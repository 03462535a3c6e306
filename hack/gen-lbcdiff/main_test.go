package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/test/lbcdiff"
)

func TestMigrationDocListsTheAcceptedDifferences(t *testing.T) {
	got, err := os.ReadFile("../../docs/migration.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := rewrite(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/migration.md's list of accepted differences is stale: run make generate")
	}
	for _, a := range lbcdiff.AcceptedDifferences {
		if !strings.Contains(string(got), "`"+a.ID+"`") {
			t.Errorf("docs/migration.md does not list %s", a.ID)
		}
	}
}

func TestRewriteReplacesOnlyTheSection(t *testing.T) {
	doc := "intro\n" + begin + "old\n" + end + "outro\n"
	got, err := rewrite([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if want := "intro\n" + begin + lbcdiff.Markdown() + end + "outro\n"; string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := rewrite([]byte("no markers\n")); err == nil {
		t.Fatal("a document without markers must be an error")
	}
}
