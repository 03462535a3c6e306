package emulator

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/acm"
)

// serveACM answers one awsJson1_1 ACM request (X-Amz-Target
// CertificateManager.<Action>).
func (s *Server) serveACM(w http.ResponseWriter, r *http.Request, body []byte, reqID string) {
	action, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), acm.TargetPrefix)
	fail := func(status int, typ, msg string) {
		s.calls.record(ServiceACM, action, typ)
		writeJSONError(w, status, typ, msg, reqID)
	}
	if r.Method != http.MethodPost || !ok || action == "" {
		fail(http.StatusBadRequest, "UnknownOperationException", "missing or unknown X-Amz-Target")
		return
	}
	if aerr := s.authenticate(r, body, ServiceACM); aerr != nil {
		fail(aerr.Status, aerr.Code, aerr.Message)
		return
	}
	if e := s.faults.inject(ServiceACM, action); e != nil {
		fail(e.Status, e.Code, e.Message)
		return
	}
	mutating := acm.Mutating(action)
	if mutating {
		s.mu.Lock()
	} else {
		s.mu.RLock()
	}
	out, err := s.acm.Serve(action, body)
	if mutating {
		s.mu.Unlock()
	} else {
		s.mu.RUnlock()
	}
	if err != nil {
		fail(err.Status, err.Type, err.Msg)
		return
	}
	if mutating {
		s.stateChanged()
	}
	s.calls.record(ServiceACM, action, "")
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", reqID)
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(out)
}

// writeJSONError writes an awsJson error: the type in __type, as AWS does.
func writeJSONError(w http.ResponseWriter, status int, typ, msg, reqID string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", reqID)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

// IssueCertificate completes the validation of a requested AMAZON_ISSUED
// certificate, which turns ISSUED (what DNS validation does in AWS); the
// control API's POST /_lbsg/acm/issue.
func (s *Server) IssueCertificate(arn string) error {
	s.mu.Lock()
	err := s.acm.IssueCertificate(arn)
	s.mu.Unlock()
	if err == nil {
		s.stateChanged()
	}
	return err
}

// AddCertificate places a certificate as a seed does (fixed ID, no PEM).
func (s *Server) AddCertificate(c acm.Seeded) {
	s.mu.Lock()
	s.acm.Add(c)
	s.mu.Unlock()
	s.stateChanged()
}
