package crds_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/apis/crds"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/lbcsource"
	"github.com/lbsg/lbsg/internal/testenv"
)

// withoutDescriptions drops every "description" key of a decoded schema:
// the doc texts are lbsg's own; everything else must be LBC's.
func withoutDescriptions(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if k != "description" {
				out[k] = withoutDescriptions(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutDescriptions(e)
		}
		return out
	}
	return v
}

func crdVersions(t *testing.T, crd *apiextensionsv1.CustomResourceDefinition) any {
	t.Helper()
	raw, err := json.Marshal(crd.Spec)
	if err != nil {
		t.Fatal(err)
	}
	var m any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return withoutDescriptions(m)
}

// TestTargetGroupBindingCRDIsLBCs: names, versions (v1alpha1 served,
// v1beta1 storage, no conversion webhook), printer columns, schemas and
// status are LBC v3.6.2's, descriptions aside.
func TestTargetGroupBindingCRDIsLBCs(t *testing.T) {
	dir := lbcsource.Dir(t)
	theirs, err := crds.ListFS(os.DirFS(filepath.Join(dir, "config", "crd", "bases")))
	if err != nil {
		t.Fatal(err)
	}
	ours, err := crds.List()
	if err != nil {
		t.Fatal(err)
	}
	find := func(list []*apiextensionsv1.CustomResourceDefinition) *apiextensionsv1.CustomResourceDefinition {
		for _, c := range list {
			if c.Name == "targetgroupbindings.elbv2.k8s.aws" {
				return c
			}
		}
		t.Fatal("no targetgroupbindings.elbv2.k8s.aws CRD")
		return nil
	}
	a, b := crdVersions(t, find(theirs)), crdVersions(t, find(ours))
	ja, _ := json.MarshalIndent(a, "", " ")
	jb, _ := json.MarshalIndent(b, "", " ")
	if !bytes.Equal(ja, jb) {
		t.Errorf("lbsg's TargetGroupBinding CRD differs from LBC's:\nLBC:  %s\nlbsg: %s", ja, jb)
	}
}

var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// lbcExamples are the TargetGroupBinding manifests of LBC's guide, as
// written (placeholders included); a block that is an excerpt ("...") is
// not a manifest.
func lbcExamples(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, name := range []string{"targetgroupbinding.md", "spec.md"} {
		raw, err := os.ReadFile(filepath.Join(lbcsource.Dir(t), "docs", "guide", "targetgroupbinding", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range yamlBlock.FindAllStringSubmatch(string(raw), -1) {
			if strings.Contains(m[1], "kind: TargetGroupBinding") && !strings.Contains(m[1], "...") {
				out = append(out, m[1])
			}
		}
	}
	return out
}

// TestLBCsExampleBindingsApplyUnchanged: every TargetGroupBinding of LBC's
// guide is accepted by lbsg's CRD and reads back with its fields intact.
func TestLBCsExampleBindingsApplyUnchanged(t *testing.T) {
	examples := lbcExamples(t)
	if len(examples) < 5 {
		t.Fatalf("found %d example bindings in LBC's guide, want at least 5", len(examples))
	}
	k := testenv.Kube(t)
	for i, doc := range examples {
		dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(doc), 4096)
		for {
			u := &unstructured.Unstructured{}
			if err := dec.Decode(&u.Object); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				t.Fatalf("example %d: %v\n%s", i, err, doc)
			}
			if u.GetKind() != v1beta1.TargetGroupBindingKind {
				continue
			}
			u.SetNamespace(k.Namespace)
			u.SetName(u.GetName() + "-" + string(rune('a'+i)))
			want, _ := json.Marshal(u.Object["spec"])
			if err := k.Client.Create(t.Context(), u); err != nil {
				t.Errorf("example %d is refused: %v\n%s", i, err, doc)
				continue
			}
			got := &unstructured.Unstructured{}
			got.SetGroupVersionKind(u.GroupVersionKind())
			if err := k.Client.Get(t.Context(), client.ObjectKeyFromObject(u), got); err != nil {
				t.Fatal(err)
			}
			if have, _ := json.Marshal(got.Object["spec"]); !bytes.Equal(have, want) {
				t.Errorf("example %d: spec read back as %s, want %s", i, have, want)
			}
		}
	}
}
