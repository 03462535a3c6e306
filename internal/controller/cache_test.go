package controller

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestCachedNodesKeepOnlyWhatTheModelsRead(t *testing.T) {
	in := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "n1", UID: "u", ResourceVersion: "7", Labels: map[string]string{"zone": "a"},
			Annotations: map[string]string{"big": "x"}, ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubelet"}}},
		Spec: corev1.NodeSpec{ProviderID: "aws:///us-west-2a/i-1", PodCIDR: "10.0.0.0/24",
			Taints: []corev1.Taint{{Key: "ToBeDeletedByClusterAutoscaler", Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{Images: []corev1.ContainerImage{{Names: []string{"img"}, SizeBytes: 1}},
			Conditions: []corev1.NodeCondition{
				{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse},
				{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastHeartbeatTime: metav1.Now(), Reason: "KubeletReady", Message: "kubelet is posting ready status"},
			}},
	}
	out, err := slimNode(in)
	if err != nil {
		t.Fatal(err)
	}
	n := out.(*corev1.Node)
	if n.Name != "n1" || n.UID != "u" || n.ResourceVersion != "7" || n.Labels["zone"] != "a" || n.Spec.ProviderID != in.Spec.ProviderID ||
		len(n.Spec.Taints) != 1 || n.Spec.Taints[0] != in.Spec.Taints[0] {
		t.Errorf("lost what the controllers read: %+v", n)
	}
	if want := []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}; !slices.Equal(n.Status.Conditions, want) {
		t.Errorf("conditions = %+v, want only Ready's status %+v", n.Status.Conditions, want)
	}
	if n.Annotations != nil || n.ManagedFields != nil || n.Spec.PodCIDR != "" || len(n.Status.Images) != 0 {
		t.Errorf("kept what no model reads: %+v", n)
	}
	if other, _ := slimNode("not a node"); other != "not a node" {
		t.Error("a non-Node was changed")
	}
}
