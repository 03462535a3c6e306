package v1beta1_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/lbcsource"
)

// lbcJSONFields returns the JSON names of a struct type's fields in LBC's
// source file.
func lbcJSONFields(t *testing.T, file, typ string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != typ {
			return true
		}
		for _, fld := range ts.Type.(*ast.StructType).Fields.List {
			if fld.Tag == nil {
				continue
			}
			tag, _ := strconv.Unquote(fld.Tag.Value)
			name, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
			if name != "" {
				out = append(out, name)
			}
		}
		return false
	})
	slices.Sort(out)
	return out
}

func jsonFields(v any) []string {
	var out []string
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if name != "" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// TestTheCRDHasEveryFieldOfLBCs: lbsg's IngressClassParams has every field
// of LBC v3.6.2's, under the same JSON names, so an object written for LBC
// keeps all its fields (a structural CRD prunes unknown ones silently).
func TestTheCRDHasEveryFieldOfLBCs(t *testing.T) {
	file := filepath.Join(lbcsource.Dir(t), "apis", "elbv2", "v1beta1", "ingressclassparams_types.go")
	for typ, v := range map[string]any{
		"IngressClassParamsSpec": v1beta1.IngressClassParamsSpec{}, "Listener": v1beta1.Listener{},
		"MinimumLoadBalancerCapacity": v1beta1.MinimumLoadBalancerCapacity{}, "IPAMConfiguration": v1beta1.IPAMConfiguration{},
		"SubnetSelector": v1beta1.SubnetSelector{}, "IngressGroup": v1beta1.IngressGroup{}, "Tag": v1beta1.Tag{}, "Attribute": v1beta1.Attribute{},
	} {
		want := lbcJSONFields(t, file, typ)
		if len(want) == 0 {
			t.Errorf("LBC has no type %s: the parity list needs updating", typ)
			continue
		}
		if got := jsonFields(v); !slices.Equal(got, want) {
			t.Errorf("%s: lbsg's fields %v, LBC's %v", typ, got, want)
		}
	}
}
