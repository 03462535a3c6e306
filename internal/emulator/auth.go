package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// authenticate verifies the request's SigV4 signature when the server was
// given credentials; otherwise every request is accepted.
func (s *Server) authenticate(r *http.Request, body []byte, service string) *query.Error {
	if len(s.opts.Credentials) == 0 {
		return nil
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return authError(service, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	sig, err := parseAuthorization(auth)
	if err != nil {
		return authError(service, "IncompleteSignature", err.Error())
	}
	secret, ok := s.opts.Credentials[sig.accessKey]
	if !ok {
		// Temporary credentials from STS AssumeRole: valid with their
		// session token until they expire.
		cred, issued := s.sts.Lookup(sig.accessKey)
		if !issued || r.Header.Get("X-Amz-Security-Token") != cred.Token {
			return authError(service, "InvalidClientTokenId", "The security token included in the request is invalid.")
		}
		if !s.env.Now().Before(cred.Expires) {
			return authError(service, "ExpiredToken", "The security token included in the request is expired")
		}
		secret = cred.Secret
	}
	want := signature(r, body, sig, secret)
	if !hmac.Equal([]byte(want), []byte(sig.signature)) {
		return authError(service, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return nil
}

// authError maps an authentication failure to each service's code: EC2
// answers AuthFailure for every kind, the others keep the specific code.
func authError(service, code, msg string) *query.Error {
	if service == ServiceEC2 {
		return query.Errorf(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
	}
	return query.Errorf(http.StatusForbidden, code, "%s", msg)
}

type sigV4 struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

func parseAuthorization(h string) (sigV4, error) {
	var s sigV4
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return s, errIncomplete("unsupported signature algorithm")
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return s, errIncomplete("malformed credential scope")
			}
			s.accessKey, s.date, s.region, s.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			s.signedHeaders = strings.Split(v, ";")
		case "Signature":
			s.signature = v
		}
	}
	if s.accessKey == "" || len(s.signedHeaders) == 0 || s.signature == "" {
		return s, errIncomplete("Authorization header requires Credential, SignedHeaders and Signature")
	}
	return s, nil
}

type errIncomplete string

func (e errIncomplete) Error() string { return string(e) }

// signature recomputes the SigV4 signature of r as AWS documents it.
func signature(r *http.Request, body []byte, sig sigV4, secret string) string {
	var canon strings.Builder
	canon.WriteString(r.Method)
	canon.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	canon.WriteString(path)
	canon.WriteByte('\n')
	canon.WriteString(canonicalQuery(r.URL.Query()))
	canon.WriteByte('\n')
	for _, h := range sig.signedHeaders {
		canon.WriteString(h)
		canon.WriteByte(':')
		canon.WriteString(headerValue(r, h))
		canon.WriteByte('\n')
	}
	canon.WriteByte('\n')
	canon.WriteString(strings.Join(sig.signedHeaders, ";"))
	canon.WriteByte('\n')
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	canon.WriteString(payload)

	creq := sha256.Sum256([]byte(canon.String()))
	scope := sig.date + "/" + sig.region + "/" + sig.service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + r.Header.Get("X-Amz-Date") + "\n" + scope + "\n" + hex.EncodeToString(creq[:])

	key := hmacSHA256([]byte("AWS4"+secret), sig.date)
	key = hmacSHA256(key, sig.region)
	key = hmacSHA256(key, sig.service)
	key = hmacSHA256(key, "aws4_request")
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		if r.Host == "" { // an in-process request (HTTPClient) keeps the host in its URL
			return r.URL.Host
		}
		return r.Host
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return v
		}
		return strconv.FormatInt(r.ContentLength, 10)
	}
	vals := r.Header.Values(name)
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

func canonicalQuery(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vals := append([]string(nil), v[k]...)
		sort.Strings(vals)
		for _, val := range vals {
			parts = append(parts, uriEncode(k)+"="+uriEncode(val))
		}
	}
	return strings.Join(parts, "&")
}

func uriEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	_, _ = m.Write([]byte(data))
	return m.Sum(nil)
}
