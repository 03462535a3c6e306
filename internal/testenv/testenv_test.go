package testenv_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestKubeAllocatesClusterIPAndNodePortForLoadBalancerService(t *testing.T) {
	k := testenv.Kube(t)
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: k.Namespace, Name: "web"},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeLoadBalancer,
			Selector: map[string]string{"app": "web"},
			Ports:    []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP}},
		},
	}
	if err := k.Client.Create(t.Context(), svc); err != nil {
		t.Fatal(err)
	}
	var got corev1.Service
	if err := k.Client.Get(t.Context(), client.ObjectKeyFromObject(svc), &got); err != nil {
		t.Fatal(err)
	}
	if got.Spec.ClusterIP == "" || got.Spec.Ports[0].NodePort == 0 {
		t.Errorf("service not allocated: clusterIP %q nodePort %d", got.Spec.ClusterIP, got.Spec.Ports[0].NodePort)
	}
}

func TestKubeGivesEachTestItsOwnNamespace(t *testing.T) {
	seen := map[string]bool{}
	for _, name := range []string{"first", "second"} {
		t.Run(name, func(t *testing.T) {
			k := testenv.Kube(t)
			if seen[k.Namespace] {
				t.Errorf("namespace %s reused", k.Namespace)
			}
			seen[k.Namespace] = true
			var ns corev1.Namespace
			if err := k.Client.Get(t.Context(), client.ObjectKey{Name: k.Namespace}, &ns); err != nil {
				t.Errorf("namespace %s: %v", k.Namespace, err)
			}
		})
	}
}

func TestEventuallyPollsUntilTheConditionHolds(t *testing.T) {
	start := time.Now()
	calls := 0
	testenv.Eventually(t, "third call", func(context.Context) (bool, error) {
		calls++
		return calls == 3, nil
	})
	if calls != 3 {
		t.Errorf("calls = %d, want 3", calls)
	}
	if time.Since(start) < 2*testenv.DefaultInterval {
		t.Errorf("returned after %v, before polling twice", time.Since(start))
	}
}
