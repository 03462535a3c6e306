package state

import "testing"

func TestInstanceIDFromProviderID(t *testing.T) {
	for pid, want := range map[string]string{
		"aws:///us-west-2a/i-0123":              "i-0123",
		"aws:///us-west-2a/fargate-ip-10-0-0-1": "",
		"kind://docker/kind/node":               "",
	} {
		if got := InstanceIDFromProviderID(pid); got != want {
			t.Errorf("%q: got %q want %q", pid, got, want)
		}
	}
}
