package emulator

import (
	"net/http"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/route53"
)

// ServiceRoute53 is Route 53's SigV4 service name.
const ServiceRoute53 = "route53"

// isRoute53 reports whether a request is Route 53's (REST-XML under
// /2013-04-01/).
func isRoute53(service string, r *http.Request) bool {
	return service == ServiceRoute53 || (service == "" && strings.HasPrefix(r.URL.Path, route53.APIPrefix))
}

// serveRoute53 answers one Route 53 request.
func (s *Server) serveRoute53(w http.ResponseWriter, r *http.Request, body []byte, reqID string) {
	op := route53.Operation(r.Method, r.URL.Path)
	fail := func(e *route53.Error) {
		s.calls.record(ServiceRoute53, op, e.Code)
		s.log.Info("request failed", "service", ServiceRoute53, "action", op, "status", e.Status, "code", e.Code, "requestId", reqID)
		b, _ := route53.Marshal(route53.NewErrorDocument(e, reqID))
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("x-amzn-RequestId", reqID)
		w.WriteHeader(e.Status)
		_, _ = w.Write(b)
	}
	if op == "" {
		fail(&route53.Error{Status: http.StatusBadRequest, Code: "InvalidAction", Msg: "Unknown operation " + r.Method + " " + r.URL.Path})
		return
	}
	if aerr := s.authenticate(r, body, ServiceRoute53); aerr != nil {
		fail(&route53.Error{Status: aerr.Status, Code: aerr.Code, Msg: aerr.Message})
		return
	}
	if e := s.faults.inject(ServiceRoute53, op); e != nil {
		code := e.Code
		if code == "Throttling" || code == "RequestLimitExceeded" {
			code = "Throttling"
		}
		fail(&route53.Error{Status: e.Status, Code: code, Msg: e.Message})
		return
	}
	mutating := route53.Mutating(op)
	if mutating {
		s.mu.Lock()
	} else {
		s.mu.RLock()
	}
	out, err := s.route53.Serve(op, r, body)
	if mutating {
		s.mu.Unlock()
	} else {
		s.mu.RUnlock()
	}
	if err != nil {
		fail(err)
		return
	}
	if mutating {
		s.stateChanged()
	}
	b, merr := route53.Marshal(out)
	if merr != nil {
		fail(&route53.Error{Status: http.StatusInternalServerError, Code: "InternalFailure", Msg: merr.Error()})
		return
	}
	s.calls.record(ServiceRoute53, op, "")
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", reqID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// AddHostedZone creates a hosted zone (seeds, the control API's POST
// /_lbsg/route53/zones and tests) and returns its ID.
func (s *Server) AddHostedZone(name string, private bool) (string, error) {
	s.mu.Lock()
	id, err := s.route53.AddZone(name, private, "")
	s.mu.Unlock()
	if err == nil {
		s.stateChanged()
	}
	return id, err
}

// Route53 returns the Route 53 backend (tests; hold no lock across
// requests).
func (s *Server) Route53() *route53.Backend { return s.route53 }
