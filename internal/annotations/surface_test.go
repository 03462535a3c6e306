package annotations

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/lbcsource"
)

// lbcConstants reads the string constants of LBC's pkg/annotations.
func lbcConstants(t *testing.T, dir string) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, "pkg", "annotations", "constants.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	var eval func(e ast.Expr) (string, bool)
	eval = func(e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		case *ast.Ident:
			s, ok := consts[e.Name]
			return s, ok
		case *ast.BinaryExpr:
			a, ok1 := eval(e.X)
			b, ok2 := eval(e.Y)
			return a + b, ok1 && ok2
		}
		return "", false
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					if v, ok := eval(vs.Values[i]); ok {
						consts[n.Name] = v
					}
				}
			}
		}
	}
	return consts
}

// lbcFamilies finds the prefixed annotation families LBC's model builders
// format (fmt.Sprintf("actions.%v", …)), by the directory they are read in.
func lbcFamilies(t *testing.T, dir string) map[Object][]string {
	t.Helper()
	lit := regexp.MustCompile(`"([a-z][a-z-]*)\.%`)
	out := map[Object][]string{}
	for sub, obj := range map[string]Object{"ingress": OnIngress, "service": OnService} {
		files, _ := filepath.Glob(filepath.Join(dir, "pkg", sub, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
				out[obj] = append(out[obj], m[1]+".")
			}
		}
	}
	return out
}

// TestTheSurfaceListsEveryLBCAnnotation: every annotation key LBC v3.6.2
// defines, and every prefixed family its model builders read, has an entry
// in Surface for the right object, so none can be silently ignored.
func TestTheSurfaceListsEveryLBCAnnotation(t *testing.T) {
	dir := lbcsource.Dir(t)
	consts := lbcConstants(t, dir)
	n := 0
	for name, suffix := range consts {
		var key string
		var obj Object
		switch {
		case strings.HasPrefix(name, "IngressSuffix") || strings.HasPrefix(name, "IngressLBSuffix"):
			key, obj = IngressPrefix+suffix, OnIngress
		case strings.HasPrefix(name, "SvcLBSuffix"):
			key, obj = ServicePrefix+suffix, OnService
		case strings.HasPrefix(suffix, ServicePrefix):
			key, obj = suffix, OnService
		default:
			continue
		}
		n++
		if strings.HasSuffix(name, "AnnotationPrefix") {
			key += "."
		}
		k, ok := LookupSurface(key)
		if !ok || k.Object != obj {
			t.Errorf("LBC's %s (%s on a %s) is not in the surface table", name, key, obj)
		}
	}
	if n < 100 {
		t.Errorf("read only %d annotation constants from LBC; the parser has gone wrong", n)
	}
	for obj, fams := range lbcFamilies(t, dir) {
		prefix := ServicePrefix
		if obj == OnIngress {
			prefix = IngressPrefix
		}
		for _, f := range fams {
			if k, ok := LookupSurface(prefix + f + "x"); !ok || k.Object != obj || !k.Family() {
				t.Errorf("LBC's family %s* on a %s is not in the surface table", prefix+f, obj)
			}
		}
	}
}

func TestUnsupportedKeysAreThoseLBCReadsAndLbsgLacks(t *testing.T) {
	cases := []struct {
		name string
		ann  map[string]string
		obj  Object
		want []string
	}{
		{"supported keys pass", map[string]string{SvcScheme: "internal", SvcSecurityGroups: "sg-1"}, OnService, nil},
		{"an unsupported key is named", map[string]string{IngressPrefix + "dry-run-plan": "true", IngressPrefix + "scheme": "internal"},
			OnIngress, []string{IngressPrefix + "dry-run-plan"}},
		{"a customer-owned pool is supported", map[string]string{IngressPrefix + "dry-run-plan": "true", IngressPrefix + "customer-owned-ipv4-pool": "ipv4pool-coip-1"},
			OnIngress, []string{IngressPrefix + "dry-run-plan"}},
		{"supported families pass", map[string]string{IngressPrefix + "actions.forward": "{}", IngressPrefix + "conditions.web": "[]",
			IngressPrefix + "transforms.web": "[]", IngressPrefix + "listener-attributes.HTTP-80": "a=b"}, OnIngress, nil},
		{"frontend-nlb keys are one supported family", map[string]string{IngressPrefix + "frontend-nlb-scheme": "internal",
			IngressPrefix + "frontend-nlb-healthcheck-path": "/"}, OnIngress, nil},
		{"certificate management's keys are supported", map[string]string{IngressPrefix + "create-acm-cert": "true",
			IngressPrefix + "acm-pca-arn": "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/ca"}, OnIngress, nil},
		{"a Service's ALB annotations are the Ingress side's business", map[string]string{IngressPrefix + "dry-run-plan": "true"}, OnService, nil},
		{"keys LBC does not know are not refused", map[string]string{IngressPrefix + "sheme": "internal", "example.com/x": "y"}, OnIngress, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := UnsupportedKeys(c.ann, c.obj)
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("UnsupportedKeys = %v, want %v", got, c.want)
			}
		})
	}
}

// TestDocumentedAnnotationsAreInTheSurface: every key docs/annotations.md
// describes is in the table, so the docs cannot claim a key the table
// does not decide.
func TestDocumentedAnnotationsAreInTheSurface(t *testing.T) {
	for key := range Docs {
		if _, ok := LookupSurface(key); !ok {
			t.Errorf("%s is documented but not in the surface table", key)
		}
	}
}
