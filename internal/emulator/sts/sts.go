package sts

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// Version is STS's Query API version; Namespace its XML namespace.
const (
	Version   = "2011-06-15"
	Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// Credential is one issued set of temporary credentials.
type Credential struct {
	Secret, Token string
	Expires       time.Time
	RoleARN       string
}

// Backend is the STS service.
type Backend struct {
	env *core.Env

	mu       sync.Mutex
	external map[string]string // role ARN → required external ID
	issued   map[string]Credential
}

// New returns an STS backend for env.
func New(env *core.Env) *Backend {
	return &Backend{env: env, external: map[string]string{}, issued: map[string]Credential{}}
}

// RequireExternalID makes role assumable only with externalID ("" lifts
// the requirement).
func (b *Backend) RequireExternalID(role, externalID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if externalID == "" {
		delete(b.external, role)
		return
	}
	b.external[role] = externalID
}

// Lookup returns an issued credential by access key ID.
func (b *Backend) Lookup(accessKey string) (Credential, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.issued[accessKey]
	return c, ok
}

// Mutating: AssumeRole issues credentials (not persisted state).
func (b *Backend) Mutating(string) bool { return false }

// Snapshot returns the external-ID requirements (issued credentials are
// not kept across restarts, as a real session outlives no emulator).
func (b *Backend) Snapshot() (json.RawMessage, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return json.Marshal(b.external)
}

// Restore loads a Snapshot.
func (b *Backend) Restore(raw json.RawMessage) error {
	m := map[string]string{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			return err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.external = m
	return nil
}

// Reset forgets requirements and credentials.
func (b *Backend) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.external, b.issued = map[string]string{}, map[string]Credential{}
}

// Handle serves one action.
func (b *Backend) Handle(action string, p query.Params) (any, error) {
	if action != "AssumeRole" {
		return nil, query.InvalidAction(action)
	}
	return b.assumeRole(p)
}

var (
	roleARN     = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$`)
	sessionName = regexp.MustCompile(`^[\w+=,.@-]*$`)
	externalID  = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
)

func validation(field, value, constraint string) error {
	return query.Errorf(http.StatusBadRequest, "ValidationError",
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

type xCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type xAssumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

type assumeRoleResult struct {
	Credentials     xCredentials     `xml:"Credentials"`
	AssumedRoleUser xAssumedRoleUser `xml:"AssumedRoleUser"`
}

func (b *Backend) assumeRole(p query.Params) (any, error) {
	role, ok := p.Lookup("RoleArn")
	if !ok {
		return nil, query.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	}
	session, ok := p.Lookup("RoleSessionName")
	if !ok {
		return nil, query.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
	}
	if len(role) < 20 || len(role) > 2048 {
		return nil, validation("roleArn", role, "Member must have length between 20 and 2048")
	}
	m := roleARN.FindStringSubmatch(role)
	if m == nil {
		return nil, query.Errorf(http.StatusBadRequest, "ValidationError", "%s is invalid", role)
	}
	if len(session) < 2 || len(session) > 64 || !sessionName.MatchString(session) {
		return nil, validation("roleSessionName", session, "Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*")
	}
	duration := int64(3600)
	if v, ok, err := p.Int("DurationSeconds", 900, 43200); err != nil {
		return nil, validation("durationSeconds", p.Get("DurationSeconds"), "Member must have value between 900 and 43200")
	} else if ok {
		if v > 3600 {
			return nil, query.Errorf(http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		duration = v
	}
	ext, hasExt := p.Lookup("ExternalId")
	if hasExt && (len(ext) < 2 || len(ext) > 1224 || !externalID.MatchString(ext)) {
		return nil, validation("externalId", ext, "Member must have length between 2 and 1224 and satisfy regular expression pattern: [\\w+=,.@:\\/-]*")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if want, ok := b.external[role]; ok && ext != want {
		return nil, query.Errorf(http.StatusForbidden, "AccessDenied",
			"User: arn:aws:iam::%s:user/emulator is not authorized to perform: sts:AssumeRole on resource: %s", b.env.Account, role)
	}
	key := "ASIA" + strings.ToUpper(randomHex(8))
	cred := Credential{Secret: randomHex(20), Token: "FwoGZXIvYXdzE" + randomHex(32),
		Expires: b.env.Now().Add(time.Duration(duration) * time.Second).UTC(), RoleARN: role}
	b.issued[key] = cred
	roleName := m[3]
	return &assumeRoleResult{
		Credentials: xCredentials{AccessKeyID: key, SecretAccessKey: cred.Secret, SessionToken: cred.Token,
			Expiration: cred.Expires.Format(time.RFC3339)},
		AssumedRoleUser: xAssumedRoleUser{AssumedRoleID: "AROA" + strings.ToUpper(randomHex(8)) + ":" + session,
			Arn: fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", m[1], roleName, session)},
	}, nil
}

func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}
