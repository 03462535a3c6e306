package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/controller"
)

// TestHelpNamesEveryControllerComponent: `lbsg --help` names each component
// the controller command registers, and `lbsg controller --help` describes
// each one, so neither can fall behind what Setup runs.
func TestHelpNamesEveryControllerComponent(t *testing.T) {
	var top, ctl, errs bytes.Buffer
	if code := Run(t.Context(), []string{"--help"}, &top, &errs); code != 0 {
		t.Fatalf("lbsg --help exited %d: %s", code, errs.String())
	}
	if code := Run(t.Context(), []string{"controller", "--help"}, &errs, &ctl); code != 0 {
		t.Fatalf("lbsg controller --help exited %d", code)
	}
	var line string
	for _, l := range strings.Split(top.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "controller ") {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("lbsg --help has no controller line:\n%s", top.String())
	}
	for _, c := range controller.Components() {
		if !strings.Contains(line, c.Name) {
			t.Errorf("lbsg --help's controller line %q does not name %q", line, c.Name)
		}
		if !strings.Contains(ctl.String(), c.Summary) {
			t.Errorf("lbsg controller --help does not describe %q (%q):\n%s", c.Name, c.Summary, ctl.String())
		}
	}
}

// TestAnLBCGateLbsgLacksStopsTheController: enabling a feature gate whose
// feature lbsg lacks exits non-zero before anything starts, naming the
// gate.
func TestAnLBCGateLbsgLacksStopsTheController(t *testing.T) {
	var out, errs bytes.Buffer
	code := Run(t.Context(), []string{"controller", "--cluster-name=c", "--feature-gates=ALBTargetControlAgent=true"}, &out, &errs)
	if code == 0 || !strings.Contains(errs.String(), "ALBTargetControlAgent") {
		t.Errorf("exit %d, stderr %q: want non-zero naming the gate", code, errs.String())
	}
}
