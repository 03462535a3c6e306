package emulator

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/jsonapi"
	"github.com/lbsg/lbsg/internal/emulator/shield"
	"github.com/lbsg/lbsg/internal/emulator/wafregional"
	"github.com/lbsg/lbsg/internal/emulator/wafv2"
)

// jsonService is an awsJson1_1 service behind one X-Amz-Target prefix.
type jsonService struct {
	name     string // SigV4 service name
	prefix   string // X-Amz-Target prefix
	serve    func(action string, body []byte) (any, *jsonapi.Error)
	mutating func(action string) bool
}

// jsonServices lists the awsJson services other than ACM: WAFv2, WAF
// Regional and Shield.
func (s *Server) jsonServices() []jsonService {
	return []jsonService{
		{ServiceWAFv2, wafv2.TargetPrefix, s.wafv2.Serve, wafv2.Mutating},
		{ServiceWAFRegional, wafregional.TargetPrefix, s.wafRegional.Serve, wafregional.Mutating},
		{ServiceShield, shield.TargetPrefix, s.shield.Serve, shield.Mutating},
	}
}

// jsonServiceFor picks the service by SigV4 scope service name, or else by
// X-Amz-Target prefix (unsigned requests).
func (s *Server) jsonServiceFor(service, target string) (jsonService, bool) {
	for _, js := range s.jsonServices() {
		if service == js.name || (service == "" && strings.HasPrefix(target, js.prefix)) {
			return js, true
		}
	}
	return jsonService{}, false
}

// serveJSON answers one awsJson1_1 request of js.
func (s *Server) serveJSON(js jsonService, w http.ResponseWriter, r *http.Request, body []byte, reqID string) {
	action, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), js.prefix)
	fail := func(status int, typ, msg string) {
		s.calls.record(js.name, action, typ)
		writeJSONError(w, status, typ, msg, reqID)
	}
	if r.Method != http.MethodPost || !ok || action == "" {
		fail(http.StatusBadRequest, "UnknownOperationException", "missing or unknown X-Amz-Target")
		return
	}
	if aerr := s.authenticate(r, body, js.name); aerr != nil {
		fail(aerr.Status, aerr.Code, aerr.Message)
		return
	}
	if e := s.faults.inject(js.name, action); e != nil {
		fail(e.Status, e.Code, e.Message)
		return
	}
	mutating := js.mutating(action)
	if mutating {
		s.mu.Lock()
	} else {
		s.mu.RLock()
	}
	out, err := js.serve(action, body)
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
	s.calls.record(js.name, action, "")
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", reqID)
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(out)
}

// WAFv2 returns the WAFv2 backend (tests and seeding; hold no lock across
// requests).
func (s *Server) WAFv2() *wafv2.Backend { return s.wafv2 }

// WAFRegional returns the WAF Regional backend (same caveat).
func (s *Server) WAFRegional() *wafregional.Backend { return s.wafRegional }

// Shield returns the Shield backend (same caveat).
func (s *Server) Shield() *shield.Backend { return s.shield }

// SetShieldSubscription turns the account's Shield Advanced subscription on
// or off, safely while serving.
func (s *Server) SetShieldSubscription(on bool) {
	s.mu.Lock()
	s.shield.SetSubscribed(on)
	s.mu.Unlock()
	s.stateChanged()
}
