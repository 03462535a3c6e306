package plan

import (
	"fmt"
	"slices"
	"testing"

	"github.com/lbsg/lbsg/internal/model"
)

const (
	tlsA = "arn:aws:acm:us-west-2:123456789012:certificate/a"
	tlsB = "arn:aws:acm:us-west-2:123456789012:certificate/b"
	tlsC = "arn:aws:acm:us-west-2:123456789012:certificate/c"
)

// tlsStack is stack() with its listener TLS on certificates a (default)
// and b.
func tlsStack() model.Stack {
	s := stack()
	s.Listeners[0].Protocol = "TLS"
	s.Listeners[0].Certificates = []string{tlsA, tlsB}
	s.Listeners[0].SSLPolicy = "ELBSecurityPolicy-2016-08"
	s.Listeners[0].ALPNPolicy = "HTTP2Preferred"
	return s
}

// tlsConverged is what AWS holds once tlsStack() is applied: the default
// certificate a, and a and b on the certificate list.
func tlsConverged() Snapshot {
	o := converged()
	l := &o.Listeners[0]
	l.Protocol, l.Certificates, l.SSLPolicy, l.ALPNPolicy = "TLS", []string{tlsA}, "ELBSecurityPolicy-2016-08", "HTTP2Preferred"
	l.ExtraCertificates = []string{tlsB, tlsA}
	return o
}

// actionLines renders the listener actions with their certificates.
func actionLines(as []Action) []string {
	var out []string
	for _, a := range as {
		s := a.Kind.String() + " " + a.ARN
		if a.Certificates != nil {
			s += fmt.Sprint(" ", a.Certificates)
		}
		out = append(out, s)
	}
	return out
}

func TestDiffTLSListener(t *testing.T) {
	for _, tt := range []struct {
		name     string
		desired  func(*model.Listener)
		observed func(*ObservedListener)
		want     []string
	}{
		{name: "equal certificates and policies need nothing", want: nil},
		{name: "the certificate list compares as a set", observed: func(o *ObservedListener) { o.ExtraCertificates = []string{tlsA, tlsB, tlsB} }},
		{name: "an added certificate is added alone",
			desired: func(d *model.Listener) { d.Certificates = []string{tlsA, tlsB, tlsC} },
			want:    []string{"AddListenerCertificates arn:l80 [" + tlsC + "]"}},
		{name: "a dropped certificate is removed alone",
			desired: func(d *model.Listener) { d.Certificates = []string{tlsA} },
			want:    []string{"RemoveListenerCertificates arn:l80 [" + tlsB + "]"}},
		{name: "a new default certificate modifies the listener; the list follows",
			desired: func(d *model.Listener) { d.Certificates = []string{tlsC, tlsB} },
			want: []string{"ModifyListener arn:l80", "RemoveListenerCertificates arn:l80 [" + tlsA + "]",
				"AddListenerCertificates arn:l80 [" + tlsC + "]"}},
		{name: "reordering makes another certificate the default",
			desired: func(d *model.Listener) { d.Certificates = []string{tlsB, tlsA} },
			want:    []string{"ModifyListener arn:l80"}},
		{name: "a new SSL policy modifies the listener in place",
			desired: func(d *model.Listener) { d.SSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06" },
			want:    []string{"ModifyListener arn:l80"}},
		{name: "a new ALPN policy modifies the listener in place",
			desired: func(d *model.Listener) { d.ALPNPolicy = "HTTP2Only" },
			want:    []string{"ModifyListener arn:l80"}},
		{name: "an unstated ALPN policy keeps AWS's (LBC without EnhancedDefaultBehavior)",
			desired: func(d *model.Listener) { d.ALPNPolicy = "" }},
		{name: "a TCP listener becoming TLS is modified and gets its list",
			observed: func(o *ObservedListener) {
				o.Protocol, o.Certificates, o.SSLPolicy, o.ALPNPolicy, o.ExtraCertificates = "TCP", nil, "", "", nil
			},
			want: []string{"ModifyListener arn:l80", "AddListenerCertificates arn:l80 [" + tlsA + " " + tlsB + "]"}},
		{name: "a TLS listener becoming TCP is modified; AWS drops its list with TLS",
			desired: func(d *model.Listener) {
				d.Protocol, d.Certificates, d.SSLPolicy, d.ALPNPolicy = "TCP", nil, "", ""
			},
			want: []string{"ModifyListener arn:l80"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, o := tlsStack(), tlsConverged()
			if tt.desired != nil {
				tt.desired(&d.Listeners[0])
			}
			if tt.observed != nil {
				tt.observed(&o.Listeners[0])
			}
			got := actionLines(Diff(d, o))
			if !slices.Equal(got, tt.want) {
				t.Errorf("actions:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestANewTLSListenerGetsItsCertificateListAfterItIsCreated(t *testing.T) {
	o := converged()
	o.Listeners = nil
	got := actionLines(Diff(tlsStack(), o))
	want := []string{"CreateListener ", "AddListenerCertificates  [" + tlsA + " " + tlsB + "]"}
	if !slices.Equal(got, want) {
		t.Errorf("actions %q, want %q (the ARN \"\" resolves to the listener just created)", got, want)
	}
}
