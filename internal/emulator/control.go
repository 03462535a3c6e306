package emulator

import (
	"encoding/json"
	"net/http"
)

// serveControl answers the inspection API:
//
//	GET  /_lbsg/calls         call log (JSON)
//	POST /_lbsg/calls/reset   empty the call log
//	GET  /_lbsg/state         state dump (JSON, the state-file format)
//	POST /_lbsg/reset         empty the state and re-apply the seed
//	POST /_lbsg/faults        body: {"spec": "throttle=0.3,…"} or {"fail": {"action": "X", "code": "Y", "count": N}}
//	POST /_lbsg/throttle      body: {"enabled": true}
//	POST /_lbsg/acm/issue     body: {"certificateArn": "…"}: a requested
//	                          certificate passes validation (ISSUED)
//	POST /_lbsg/route53/zones body: {"name": "example.com", "private": false}:
//	                          a hosted zone (the API cannot create one)
//	POST /_lbsg/shield        body: {"subscribed": true} (Shield Advanced subscription)
//	POST /_lbsg/health        body: {"scale": 0.01} (target health timing; see Options.HealthScale)
//	POST /_lbsg/targets/health body: {"targetGroupArn": "…", "id": "…", "port": 80, "state": "unhealthy" | "healthy"}
//	POST /_lbsg/roles         body: {"roleArn": "…", "externalId": "…"} (STS: the external ID the role requires)
//	GET  /_lbsg/healthz       ok
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_lbsg/healthz":
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case "/_lbsg/calls":
		writeJSON(w, http.StatusOK, s.Calls())
	case "/_lbsg/calls/reset":
		if !isPost(w, r) {
			return
		}
		s.ResetCalls()
		writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
	case "/_lbsg/state":
		b, err := s.State()
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	case "/_lbsg/reset":
		if !isPost(w, r) {
			return
		}
		if err := s.Reset(); err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
	case "/_lbsg/faults":
		if !isPost(w, r) {
			return
		}
		var req struct {
			Spec *string `json:"spec"`
			Fail *struct {
				Action string `json:"action"`
				Code   string `json:"code"`
				Count  int    `json:"count"`
			} `json:"fail"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if req.Spec != nil {
			spec, err := ParseFaults(*req.Spec)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			s.Faults().Set(spec)
			s.mu.Lock()
			s.env.Lag = spec.Lag
			s.mu.Unlock()
		}
		if req.Fail != nil {
			s.Faults().Fail(req.Fail.Action, req.Fail.Code, max(req.Fail.Count, 1))
		}
		writeJSON(w, http.StatusOK, map[string]any{"injected": s.Faults().Injected()})
	case "/_lbsg/throttle":
		if !isPost(w, r) {
			return
		}
		var req struct {
			Enabled bool `json:"enabled"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		s.SetThrottle(req.Enabled)
		writeJSON(w, http.StatusOK, map[string]bool{"enabled": req.Enabled})
	case "/_lbsg/acm/issue":
		if !isPost(w, r) {
			return
		}
		var req struct {
			CertificateArn string `json:"certificateArn"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if err := s.IssueCertificate(req.CertificateArn); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ISSUED"})
	case "/_lbsg/route53/zones":
		if !isPost(w, r) {
			return
		}
		var req struct {
			Name    string `json:"name"`
			Private bool   `json:"private"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Name == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {name, private}"})
			return
		}
		id, err := s.AddHostedZone(req.Name, req.Private)
		if err != nil {
			writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": id})
	case "/_lbsg/shield":
		if !isPost(w, r) {
			return
		}
		var req struct {
			Subscribed bool `json:"subscribed"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		s.SetShieldSubscription(req.Subscribed)
		writeJSON(w, http.StatusOK, map[string]bool{"subscribed": req.Subscribed})
	case "/_lbsg/health":
		if !isPost(w, r) {
			return
		}
		var req struct {
			Scale float64 `json:"scale"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Scale < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {\"scale\": <non-negative number>}"})
			return
		}
		s.SetHealthScale(req.Scale)
		writeJSON(w, http.StatusOK, map[string]float64{"scale": req.Scale})
	case "/_lbsg/targets/health":
		if !isPost(w, r) {
			return
		}
		var req struct {
			TargetGroupArn string `json:"targetGroupArn"`
			ID             string `json:"id"`
			Port           int    `json:"port"`
			State          string `json:"state"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || (req.State != "unhealthy" && req.State != "healthy") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {targetGroupArn, id, port, state: unhealthy|healthy}"})
			return
		}
		if err := s.MarkTargetHealth(req.TargetGroupArn, req.ID, req.Port, req.State == "unhealthy"); err != nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"state": req.State})
	case "/_lbsg/roles":
		if !isPost(w, r) {
			return
		}
		var req struct {
			RoleArn    string `json:"roleArn"`
			ExternalID string `json:"externalId"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.RoleArn == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {roleArn, externalId}"})
			return
		}
		s.RequireExternalID(req.RoleArn, req.ExternalID)
		writeJSON(w, http.StatusOK, map[string]string{"roleArn": req.RoleArn})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown control path " + r.URL.Path})
	}
}

// SetThrottle turns AWS's token buckets on or off (buckets start full).
func (s *Server) SetThrottle(on bool) { s.throttle.setEnabled(on) }

// OverrideBucket changes one throttling bucket, by category ("mutating",
// "elbv2-registration", …) or exact key ("ec2/CreateTags/tags").
func (s *Server) OverrideBucket(name string, spec BucketSpec) { s.throttle.override(name, spec) }

func isPost(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST"})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	_ = enc.Encode(v)
}
