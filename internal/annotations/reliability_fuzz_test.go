package annotations_test

import (
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/annotations"
)

// Fuzz targets for the parsers fuzz_test.go does not reach (issue 10): every
// annotation of a kind at once, SourceRanges (annotation or spec field),
// the class and group-name checks. Each asserts no panic and, for the
// annotation parsers, that every error is an *annotations.Error naming a key
// that was set (checkErrors).

// split cuts a fuzzed string into n values at '\x00' (missing ones are "").
func split(raw string, n int) []string {
	out := strings.SplitN(raw, "\x00", n)
	for len(out) < n {
		out = append(out, "")
	}
	return out
}

func FuzzParseServiceEveryAnnotation(f *testing.F) {
	f.Add("external\x00ip\x00name\x00internet-facing\x00true\x00subnet-1\x00dualstack\x00sg-1,web\x00false\x0010.0.0.0/8", uint64(0))
	f.Add("nlb-ip\x00instance\x00\x00internal\x00x\x00\x00ipv4\x00\x00maybe\x00::/0,bad", uint64(1<<20))
	f.Add(strings.Repeat("a=b,\x00", 40), uint64(1<<63))
	f.Fuzz(func(t *testing.T, raw string, present uint64) {
		vals := split(raw, len(serviceKeys))
		ann := map[string]string{}
		for i, k := range serviceKeys {
			if present&(1<<(uint(i)%64)) != 0 || i%3 == 0 {
				ann[k] = vals[i]
			}
		}
		cfg, err := annotations.ParseService(ann)
		checkErrors(t, err, ann)
		if err != nil {
			return
		}
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Annotations: ann}}
		ranges, err := annotations.SourceRanges(svc, cfg)
		checkErrors(t, err, ann)
		for _, r := range ranges {
			if strings.TrimSpace(r) == "" {
				t.Fatalf("empty source range accepted from %q", ann[annotations.SvcSourceRanges])
			}
		}
	})
}

func FuzzParseIngressEveryAnnotation(f *testing.F) {
	f.Add(`shared\x001\x00name\x00internet-facing\x00subnet-1\x00dualstack\x00ip\x00sg-1\x00true\x0010.0.0.0/8\x00pl-1\x00[{"HTTP":80}]`, uint64(0))
	f.Add("UPPER\x00-5\x00\x00x\x00\x00\x00y\x00\x00no\x00::/0\x00\x00[{\"HTTPS\":0}]", uint64(1<<40))
	f.Fuzz(func(t *testing.T, raw string, present uint64) {
		vals := split(raw, len(ingressKeys))
		ann := map[string]string{}
		for i, k := range ingressKeys {
			if present&(1<<(uint(i)%64)) != 0 || i%3 == 0 {
				ann[k] = vals[i]
			}
		}
		_, err := annotations.ParseIngressAnnotations("ns", "name", ann)
		checkErrors(t, err, ann)
	})
}

func FuzzSourceRangesSpec(f *testing.F) {
	f.Add("10.0.0.0/8\x00::/0", "ipv4", "192.168.0.0/16")
	f.Add(" \x00\x00", "dualstack", "")
	f.Add("300.1.1.1/8", "", "::1/128")
	f.Fuzz(func(t *testing.T, spec, ipType, annotation string) {
		ann := map[string]string{annotations.SvcSourceRanges: annotation, annotations.SvcIPAddressType: ipType}
		cfg, err := annotations.ParseService(ann)
		checkErrors(t, err, ann)
		if err != nil {
			return
		}
		svc := &corev1.Service{Spec: corev1.ServiceSpec{LoadBalancerSourceRanges: strings.Split(spec, "\x00")}}
		ranges, err := annotations.SourceRanges(svc, cfg)
		if err != nil {
			var ae *annotations.Error
			if !errors.As(err, &ae) || (ae.Annotation != annotations.SvcSourceRanges && ae.Annotation != "spec.loadBalancerSourceRanges") {
				t.Fatalf("error %v does not name the annotation or the field", err)
			}
			if !strings.Contains(err.Error(), ae.Annotation) {
				t.Fatalf("error text %q does not name %q", err, ae.Annotation)
			}
			return
		}
		for _, r := range ranges {
			if strings.Contains(r, ":") && !cfg.DualStack() {
				t.Fatalf("IPv6 range %q accepted on an IPv4 load balancer", r)
			}
		}
	})
}

func FuzzIsNLBService(f *testing.F) {
	f.Add("external", "ip", "", false)
	f.Add("nlb-ip", "", "service.k8s.aws/nlb", true)
	f.Add("", "instance", "other", false)
	f.Fuzz(func(t *testing.T, typ, target, class string, withClass bool) {
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{
			annotations.SvcType: typ, annotations.SvcNLBTargetType: target}},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer}}
		if withClass {
			svc.Spec.LoadBalancerClass = ptr.To(class)
		}
		got := annotations.IsNLBService(svc, "", false)
		if withClass && got != (class == annotations.DefaultLoadBalancerClass) {
			t.Fatalf("class %q decided %v", class, got)
		}
	})
}

func FuzzMatchIngressClass(f *testing.F) {
	f.Add("alb", true, "alb", "")
	f.Add("", false, "", "nginx")
	f.Fuzz(func(t *testing.T, value string, annotated bool, flag, className string) {
		ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{}}}
		if annotated {
			ing.Annotations[annotations.IngressClassAnnotation] = value
		}
		if className != "" {
			ing.Spec.IngressClassName = ptr.To(className)
		}
		classes := []networkingv1.IngressClass{{ObjectMeta: metav1.ObjectMeta{Name: "alb"},
			Spec: networkingv1.IngressClassSpec{Controller: annotations.IngressController}}}
		m, err := annotations.MatchIngressClass(ing, classes, flag)
		if annotated && (err != nil || m.Managed != (value == flag || (flag == "" && value == annotations.DefaultIngressClass))) {
			t.Fatalf("annotation %q with flag %q: %+v, %v", value, flag, m, err)
		}
	})
}

func FuzzValidateGroupName(f *testing.F) {
	for _, s := range []string{"shared", "a.b-c", "-x", "UPPER", strings.Repeat("a", 64), ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, g string) {
		if err := annotations.ValidateGroupName(g); err == nil {
			if g == "" || strings.ToLower(g) != g || strings.HasPrefix(g, "-") || strings.HasSuffix(g, ".") {
				t.Fatalf("group name %q accepted", g)
			}
			ann := map[string]string{annotations.IngGroupName: g}
			if _, err := annotations.ParseIngressAnnotations("ns", "n", ann); err != nil {
				checkErrors(t, err, ann)
			}
		}
	})
}
