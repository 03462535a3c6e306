package deploy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/controller/applied"
	"github.com/lbsg/lbsg/internal/controller/readiness"
	"github.com/lbsg/lbsg/internal/localenv"
	"github.com/lbsg/lbsg/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// helmTemplate renders the chart with bin/helm (make tools), skipping the
// test without it unless LBSG_REQUIRE_ASSETS=1.
func helmTemplate(t *testing.T, release, namespace string, set ...string) []*unstructured.Unstructured {
	t.Helper()
	helm, err := filepath.Abs("../bin/helm")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(helm); err != nil {
		if localenv.RequireAssets() {
			t.Fatalf("%s missing (make tools): %v", helm, err)
		}
		t.Skipf("%s missing (make tools)", helm)
	}
	args := []string{"template", release, chart, "--namespace", namespace}
	for _, s := range set {
		args = append(args, "--set", s)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), helm, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm %v: %v\n%s", args, err, stderr.String())
	}
	var objs []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
			return objs
		} else if err != nil {
			t.Fatalf("decoding helm output: %v", err)
		}
		if len(u.Object) != 0 {
			objs = append(objs, u)
		}
	}
}

// access is one question for a SubjectAccessReview.
type access struct {
	verb, group, resource, subresource, namespace, name string
}

// TestChartRBACGrantsExactlyWhatTheControllerNeeds applies the chart's
// ServiceAccount and RBAC to a real kube-apiserver (RBAC authorizer) and asks
// SubjectAccessReviews as that ServiceAccount.
func TestChartRBACGrantsExactlyWhatTheControllerNeeds(t *testing.T) {
	kube := testenv.Kube(t)
	ns := kube.Namespace
	release := ns // cluster-scoped names must not collide between runs
	objs := helmTemplate(t, release, ns, "clusterName=rbac", "fullnameOverride="+release)
	created := 0
	for _, o := range objs {
		switch o.GetKind() {
		case "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding":
		default:
			continue
		}
		if err := kube.Client.Create(t.Context(), o); err != nil {
			t.Fatalf("creating %s %s: %v", o.GetKind(), o.GetName(), err)
		}
		created++
		if o.GetNamespace() == "" && o.GetKind() != "ServiceAccount" {
			t.Cleanup(func() {
				ctx, cancel := testenv.CleanupContext(t)
				defer cancel()
				_ = kube.Client.Delete(ctx, o)
			})
		}
	}
	if created != 7 {
		t.Fatalf("created %d RBAC objects, want 7 (SA, ClusterRole+Binding, lease Role+Binding, applied-record Role+Binding)", created)
	}
	user := "system:serviceaccount:" + ns + ":" + release
	groups := []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}
	allowed := func(ctx context.Context, a access) (bool, error) {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: user, Groups: groups,
			ResourceAttributes: &authorizationv1.ResourceAttributes{
				Verb: a.verb, Group: a.group, Resource: a.resource, Subresource: a.subresource,
				Namespace: a.namespace, Name: a.name,
			},
		}}
		if err := kube.Client.Create(ctx, sar); err != nil {
			return false, err
		}
		return sar.Status.Allowed, nil
	}
	lease := "lbsg-leader-rbac"
	record := applied.Name("rbac") // the applied-model record's ConfigMap
	need := []access{
		{verb: "list", resource: "services"}, {verb: "watch", resource: "services"},
		{verb: "get", resource: "services", namespace: "app"}, {verb: "patch", resource: "services", namespace: "app"},
		{verb: "patch", resource: "services", subresource: "status", namespace: "app"},
		{verb: "update", resource: "services", subresource: "finalizers", namespace: "app"},
		{verb: "list", group: "discovery.k8s.io", resource: "endpointslices"},
		{verb: "watch", group: "discovery.k8s.io", resource: "endpointslices"},
		{verb: "list", resource: "nodes"}, {verb: "watch", resource: "nodes"}, {verb: "get", resource: "nodes", name: "n1"},
		{verb: "list", resource: "pods"}, {verb: "watch", resource: "pods"},
		{verb: "create", group: "events.k8s.io", resource: "events", namespace: "app"},
		{verb: "patch", group: "events.k8s.io", resource: "events", namespace: "app"},
		{verb: "create", resource: "events", namespace: "app"},
		{verb: "list", group: "networking.k8s.io", resource: "ingresses"},
		{verb: "watch", group: "networking.k8s.io", resource: "ingresses"},
		{verb: "patch", group: "networking.k8s.io", resource: "ingresses", subresource: "status", namespace: "app"},
		{verb: "list", group: "networking.k8s.io", resource: "ingressclasses"},
		{verb: "list", group: "elbv2.k8s.aws", resource: "ingressclassparams"},
		{verb: "watch", group: "elbv2.k8s.aws", resource: "ingressclassparams"},
		{verb: "create", group: "coordination.k8s.io", resource: "leases", namespace: ns},
		{verb: "get", group: "coordination.k8s.io", resource: "leases", namespace: ns, name: lease},
		{verb: "update", group: "coordination.k8s.io", resource: "leases", namespace: ns, name: lease},
		{verb: "create", resource: "configmaps", namespace: ns},
		{verb: "get", resource: "configmaps", namespace: ns, name: record},
		{verb: "update", resource: "configmaps", namespace: ns, name: record},
		// Readiness gates: the condition patch, the leader's published gate
		// names, a TargetGroupBinding's existence, LBC's QUIC worker ID.
		{verb: "patch", resource: "pods", subresource: "status", namespace: "app"},
		{verb: "get", resource: "configmaps", namespace: ns, name: readiness.SharedName("rbac")},
		{verb: "update", resource: "configmaps", namespace: ns, name: readiness.SharedName("rbac")},
		{verb: "get", group: "elbv2.k8s.aws", resource: "targetgroupbindings", namespace: "app", name: "tgb"},
		{verb: "update", resource: "configmaps", namespace: "kube-system", name: "quic-server-id-worker-tracker"},
		// Multi-cluster target groups: LBC's aws-lbc-targets-<TG> record in
		// the Service's namespace.
		{verb: "create", resource: "configmaps", namespace: "app"},
		{verb: "get", resource: "configmaps", namespace: "app", name: "aws-lbc-targets-k8s-app-web-0123456789"},
		{verb: "update", resource: "configmaps", namespace: "app", name: "aws-lbc-targets-k8s-app-web-0123456789"},
		{verb: "delete", resource: "configmaps", namespace: "app", name: "aws-lbc-targets-k8s-app-web-0123456789"},
		// Gateway API → NLB.
		{verb: "list", group: "gateway.networking.k8s.io", resource: "gatewayclasses"},
		{verb: "watch", group: "gateway.networking.k8s.io", resource: "gateways"},
		{verb: "patch", group: "gateway.networking.k8s.io", resource: "gateways", namespace: "app"},
		{verb: "patch", group: "gateway.networking.k8s.io", resource: "gateways", subresource: "status", namespace: "app"},
		{verb: "patch", group: "gateway.networking.k8s.io", resource: "gatewayclasses", subresource: "status"},
		{verb: "patch", group: "gateway.networking.k8s.io", resource: "gatewayclasses"},
		{verb: "list", group: "gateway.networking.k8s.io", resource: "tcproutes"},
		{verb: "list", group: "gateway.networking.k8s.io", resource: "udproutes"},
		{verb: "list", group: "gateway.networking.k8s.io", resource: "tlsroutes"},
		{verb: "patch", group: "gateway.networking.k8s.io", resource: "tcproutes", subresource: "status", namespace: "app"},
		{verb: "patch", group: "gateway.networking.k8s.io", resource: "tlsroutes", subresource: "status", namespace: "app"},
		{verb: "watch", group: "gateway.networking.k8s.io", resource: "referencegrants"},
		{verb: "list", resource: "namespaces"},
		{verb: "watch", group: "gateway.k8s.aws", resource: "loadbalancerconfigurations"},
		{verb: "list", group: "gateway.k8s.aws", resource: "targetgroupconfigurations"},
	}
	deny := []access{
		{verb: "delete", resource: "nodes", name: "n1"}, {verb: "update", resource: "nodes", name: "n1"},
		{verb: "get", resource: "secrets", namespace: ns}, {verb: "list", resource: "secrets"},
		// ConfigMaps are read and written one by one, never listed or
		// watched (the multi-cluster records need create, get, update and
		// delete in every namespace, as LBC's ClusterRole grants them).
		{verb: "list", resource: "configmaps", namespace: ns}, {verb: "watch", resource: "configmaps", namespace: ns},
		{verb: "list", resource: "configmaps"}, {verb: "patch", resource: "configmaps", namespace: ns, name: record},
		{verb: "create", resource: "services", namespace: "app"}, {verb: "delete", resource: "services", namespace: "app"},
		{verb: "update", resource: "services", namespace: "app"},
		{verb: "delete", resource: "pods", namespace: "app"}, {verb: "create", resource: "pods", subresource: "exec", namespace: "app"},
		{verb: "create", resource: "serviceaccounts", subresource: "token", namespace: ns, name: release},
		{verb: "update", group: "networking.k8s.io", resource: "ingresses", namespace: "app"},
		{verb: "create", group: "networking.k8s.io", resource: "ingressclasses"},
		{verb: "update", group: "gateway.networking.k8s.io", resource: "tcproutes", namespace: "app"},
		{verb: "delete", group: "gateway.networking.k8s.io", resource: "gateways", namespace: "app"},
		{verb: "patch", group: "gateway.k8s.aws", resource: "loadbalancerconfigurations", namespace: "app"},
		{verb: "get", group: "coordination.k8s.io", resource: "leases", namespace: ns, name: "kube-controller-manager"},
		{verb: "update", group: "coordination.k8s.io", resource: "leases", namespace: "kube-system", name: lease},
		{verb: "escalate", group: "rbac.authorization.k8s.io", resource: "clusterroles"},
		{verb: "create", group: "rbac.authorization.k8s.io", resource: "clusterrolebindings"},
		{verb: "impersonate", resource: "users"},
	}
	// RBAC objects reach the authorizer through informers: wait for the
	// grants, then every denial is final.
	for _, a := range need {
		testenv.Eventually(t, "allowed: "+describe(a), func(ctx context.Context) (bool, error) { return allowed(ctx, a) })
	}
	for _, a := range deny {
		ok, err := allowed(t.Context(), a)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			t.Errorf("the chart's ServiceAccount may %s", describe(a))
		}
	}
}

// TestAppliedRecordWorksWithTheChartsRBAC keeps the applied-model record
// (internal/controller/applied) as the chart's ServiceAccount: the first
// write creates the ConfigMap, later ones update it, a restart reads it.
func TestAppliedRecordWorksWithTheChartsRBAC(t *testing.T) {
	kube := testenv.Kube(t)
	kubeconfig, _ := chartServiceAccount(t, kube)
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	newStore := func() *applied.Store {
		c, err := client.New(cfg, client.Options{Scheme: testenv.Scheme()})
		if err != nil {
			t.Fatal(err)
		}
		return applied.New(c, applied.Namespace(kube.Namespace), "sandbox")
	}
	s := newStore()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Start(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Start: %v", err)
		}
	}()
	// RBAC reaches the authorizer through informers: the first Get may be
	// forbidden for a moment.
	testenv.Eventually(t, "the record readable as the chart's ServiceAccount", func(ctx context.Context) (bool, error) {
		_, _, err := s.Get(ctx, "service:app/web")
		return err == nil, err
	})
	s.Set("service:app/web", "f1")
	s.Set("service:app/api", "f2")
	testenv.Eventually(t, "the Sets read back by a restarted controller", func(ctx context.Context) (bool, error) {
		fp, ok, err := newStore().Get(ctx, "service:app/api")
		return ok && fp == "f2", err
	})
	if err := s.Clear(t.Context(), "service:app/web"); err != nil {
		t.Fatalf("Clear as the chart's ServiceAccount: %v", err)
	}
	if fp, ok, err := newStore().Get(t.Context(), "service:app/web"); err != nil || ok {
		t.Errorf("after Clear a restarted controller reads %q, %v, %v; want no record", fp, ok, err)
	}
}

func describe(a access) string {
	r := a.resource
	if a.group != "" {
		r += "." + a.group
	}
	if a.subresource != "" {
		r += "/" + a.subresource
	}
	s := a.verb + " " + r
	if a.namespace != "" {
		s += " in " + a.namespace
	}
	if a.name != "" {
		s += " named " + a.name
	}
	return s
}
