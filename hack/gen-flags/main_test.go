package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/spf13/pflag"

	"github.com/lbsg/lbsg/internal/options"
)

func TestFlagsDocIsCurrent(t *testing.T) {
	got, err := os.ReadFile("../../docs/flags.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, render()) {
		t.Fatal("docs/flags.md is stale: run make generate")
	}
}

func TestEveryFlagHasAChartValue(t *testing.T) {
	fs := pflag.NewFlagSet("controller", pflag.ContinueOnError)
	options.New().AddFlags(fs)
	seen := map[string]bool{}
	fs.VisitAll(func(f *pflag.Flag) {
		seen[f.Name] = true
		if chartValue[f.Name] == "" && !options.LBCOnly(f.Name) {
			t.Errorf("--%s has no entry in chartValue (and so, likely, no Helm value)", f.Name)
		}
	})
	for name := range chartValue {
		if !seen[name] {
			t.Errorf("chartValue names --%s, which lbsg controller does not have", name)
		}
	}
}
