package multicluster

import (
	"testing"

	"github.com/lbsg/lbsg/internal/model"
)

func TestRecordFormatIsLBCs(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		targets   []model.Target
	}{
		{"instance targets", "i-0a:30080,i-0b:30080", []model.Target{{ID: "i-0a", Port: 30080}, {ID: "i-0b", Port: 30080}}},
		{"IPv6 addresses keep their colons", "2600:1f14::5:8080", []model.Target{{ID: "2600:1f14::5", Port: 8080}}},
		{"QUIC targets carry their server ID", "10.0.1.5:3000:0x0102030405060708",
			[]model.Target{{ID: "10.0.1.5", Port: 3000, QUICServerID: "0x0102030405060708"}}},
		{"empty", "", []model.Target{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Parse(tc.raw)
			if len(got) != len(tc.targets) {
				t.Fatalf("Parse = %v, want %v", got, tc.targets)
			}
			for i := range got {
				if got[i] != tc.targets[i] {
					t.Fatalf("Parse = %v, want %v", got, tc.targets)
				}
			}
			if f := Format(tc.targets); f != tc.raw {
				t.Errorf("Format = %q, want %q", f, tc.raw)
			}
		})
	}
	if Name("k8s-default-web-0123456789") != "aws-lbc-targets-k8s-default-web-0123456789" {
		t.Error("ConfigMap name is not LBC's")
	}
}
