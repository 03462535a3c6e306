package events

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

type fakeSink struct{ got []string }

func (f *fakeSink) Eventf(_, _ runtime.Object, typ, reason, _, note string, args ...any) {
	f.got = append(f.got, typ+" "+reason+" "+fmt.Sprintf(note, args...))
}

func TestRecorderDropsRepeats(t *testing.T) {
	s := &fakeSink{}
	r := NewRecorder(s)
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{UID: "u1"}}
	r.Normal(svc, ReasonSuccessfullyReconciled, ActionReconcile, "Successfully reconciled")
	r.Normal(svc, ReasonSuccessfullyReconciled, ActionReconcile, "Successfully reconciled")
	r.Warn(svc, ReasonFailedDeployModel, ActionReconcile, "Failed deploy model due to x")
	r.Normal(svc, ReasonSuccessfullyReconciled, ActionReconcile, "Successfully reconciled")
	if len(s.got) != 3 {
		t.Fatalf("want 3 events (repeat dropped), got %q", s.got)
	}
}
