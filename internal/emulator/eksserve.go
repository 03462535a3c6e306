package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
)

func (s *Server) serveEKS(w http.ResponseWriter, r *http.Request, reqID string) {
	if e := s.faults.inject(ServiceEKS, eksAction(r)); e != nil {
		s.calls.record(ServiceEKS, eksAction(r), e.Code)
		writeEKSError(w, e.Status, e.Code, e.Message, reqID)
		return
	}
	s.mu.RLock()
	action, status, body, err := s.eks.Serve(r.Method, r.URL)
	s.mu.RUnlock()
	if err != nil {
		s.calls.record(ServiceEKS, action, err.Type)
		writeEKSError(w, err.Status, err.Type, err.Msg, reqID)
		return
	}
	s.calls.record(ServiceEKS, action, "")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", reqID)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func eksAction(r *http.Request) string {
	if strings.TrimSuffix(r.URL.Path, "/") == "/clusters" {
		return "ListClusters"
	}
	return "DescribeCluster"
}

func writeEKSError(w http.ResponseWriter, status int, typ, msg, reqID string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", reqID)
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
