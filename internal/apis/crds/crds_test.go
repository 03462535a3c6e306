package crds_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/apis/crds"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/lbcsource"
	"github.com/lbsg/lbsg/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// files are the embedded CRDs: lbsg's IngressClassParams and
// TargetGroupBinding, and LBC's gateway.k8s.aws CRDs.
var files = []string{
	"elbv2.k8s.aws_ingressclassparams.yaml",
	"elbv2.k8s.aws_targetgroupbindings.yaml",
	"gateway.k8s.aws_listenerruleconfigurations.yaml",
	"gateway.k8s.aws_loadbalancerconfigurations.yaml",
	"gateway.k8s.aws_targetgroupconfigurations.yaml",
}

func TestChartInstallsTheEmbeddedCRD(t *testing.T) {
	for _, file := range files {
		embedded, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		chart, err := os.ReadFile("../../../deploy/helm/lbsg/crds/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(embedded, chart) {
			t.Errorf("deploy/helm/lbsg/crds/%s differs from internal/apis/crds/%s: run make generate", file, file)
		}
	}
}

// LBC's gateway CRDs are LBC's bytes: the same schema, so objects written
// for LBC are stored unchanged (nothing pruned) and lbsg can refuse the
// fields it does not implement instead of losing them.
func TestGatewayCRDsAreLBCs(t *testing.T) {
	src := lbcsource.Dir(t)
	for _, file := range files[2:] {
		want, err := os.ReadFile(filepath.Join(src, "config", "crd", "gateway", file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from LBC's config/crd/gateway: run make generate", file)
		}
	}
}

func TestListHoldsLBCsIngressClassParamsCRD(t *testing.T) {
	list, err := crds.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(files) {
		t.Fatalf("List() = %d CRDs, want %d", len(list), len(files))
	}
	crd := list[0]
	if crd.Name != "ingressclassparams.elbv2.k8s.aws" || crd.Spec.Scope != apiextensionsv1.ClusterScoped ||
		crd.Spec.Names.Kind != v1beta1.IngressClassParamsKind || crd.Spec.Names.Plural != v1beta1.IngressClassParamsResource {
		t.Errorf("CRD identity = %s %s %+v", crd.Name, crd.Spec.Scope, crd.Spec.Names)
	}
	if len(crd.Spec.Versions) != 1 || crd.Spec.Versions[0].Name != v1beta1.Version || !crd.Spec.Versions[0].Storage {
		t.Errorf("versions = %+v", crd.Spec.Versions)
	}
	list[0].Name = "changed"
	again, _ := crds.List()
	if again[0].Name == "changed" {
		t.Error("List returns shared objects; want fresh copies")
	}
}

func TestInstalledCRDValidatesIngressClassParams(t *testing.T) {
	k := testenv.Kube(t) // testenv installs the CRDs with crds.Install
	// A second Install (the sandbox resuming) updates in place.
	if err := crds.Install(t.Context(), k.Config); err != nil {
		t.Fatalf("reinstall: %v", err)
	}
	icp := func(name string, spec v1beta1.IngressClassParamsSpec) *v1beta1.IngressClassParams {
		return &v1beta1.IngressClassParams{ObjectMeta: metav1.ObjectMeta{Name: k.Namespace + "-" + name}, Spec: spec}
	}
	for _, tt := range []struct {
		name    string
		obj     *v1beta1.IngressClassParams
		wantErr string // "" = accepted
	}{
		{name: "every supported field is accepted", obj: icp("full", v1beta1.IngressClassParamsSpec{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}},
			Group:             &v1beta1.IngressGroup{Name: "shared.group-1"},
			Scheme:            v1beta1.LoadBalancerSchemeInternetFacing,
			IPAddressType:     v1beta1.IPAddressTypeDualStackWithoutPublicIPv4,
			Subnets:           &v1beta1.SubnetSelector{IDs: []v1beta1.SubnetID{"subnet-0abc"}, Tags: map[string][]string{"tier": {"public"}}},
			CertificateArn:    []string{"arn:aws:acm:us-west-2:111122223333:certificate/abc"},
			SSLPolicy:         "ELBSecurityPolicy-2016-08", SSLRedirectPort: "443",
			InboundCIDRs: []string{"10.0.0.0/8"}, PrefixListsIDs: []string{"pl-1"},
			Tags: []v1beta1.Tag{{Key: "team", Value: "a"}}, TargetType: v1beta1.TargetTypeIP,
			LoadBalancerName:       "my-alb",
			LoadBalancerAttributes: []v1beta1.Attribute{{Key: "idle_timeout.timeout_seconds", Value: "60"}},
		})},
		{name: "an unknown scheme is rejected", obj: icp("scheme", v1beta1.IngressClassParamsSpec{Scheme: "public"}), wantErr: "spec.scheme"},
		{name: "an unknown IP address type is rejected", obj: icp("ipt", v1beta1.IngressClassParamsSpec{IPAddressType: "ipv6"}), wantErr: "spec.ipAddressType"},
		{name: "an unknown target type is rejected", obj: icp("tt", v1beta1.IngressClassParamsSpec{TargetType: "alb"}), wantErr: "spec.targetType"},
		{name: "a malformed subnet ID is rejected", obj: icp("subnet", v1beta1.IngressClassParamsSpec{Subnets: &v1beta1.SubnetSelector{IDs: []v1beta1.SubnetID{"sn-1"}}}), wantErr: "spec.subnets.ids"},
		{name: "an invalid group name is rejected", obj: icp("group", v1beta1.IngressClassParamsSpec{Group: &v1beta1.IngressGroup{Name: "Upper"}}), wantErr: "spec.group.name"},
		{name: "both prefix list fields are rejected", obj: icp("pl", v1beta1.IngressClassParamsSpec{PrefixListsIDs: []string{"pl-1"}, PrefixListsIDsLegacy: []string{"pl-2"}}),
			wantErr: "cannot specify both 'prefixListsIDs' and 'PrefixListsIDs' fields"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := k.Client.Create(t.Context(), tt.obj)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("create: %v", err)
				}
				t.Cleanup(func() {
					ctx, cancel := testenv.CleanupContext(t)
					defer cancel()
					_ = k.Client.Delete(ctx, tt.obj)
				})
				got := &v1beta1.IngressClassParams{}
				if err := k.Client.Get(t.Context(), client.ObjectKeyFromObject(tt.obj), got); err != nil {
					t.Fatal(err)
				}
				if got.Spec.Group.Name != tt.obj.Spec.Group.Name || got.Spec.Subnets.Tags["tier"][0] != "public" ||
					got.Spec.LoadBalancerAttributes[0] != tt.obj.Spec.LoadBalancerAttributes[0] {
					t.Errorf("read back %+v", got.Spec)
				}
				return
			}
			if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("create error = %v, want Invalid mentioning %q", err, tt.wantErr)
			}
		})
	}
}
