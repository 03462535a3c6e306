package multicluster

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/model"
)

// LBC's names.
const (
	namePrefix = "aws-lbc-targets-"
	dataKey    = "targets"
)

// Name is the record's ConfigMap name for target group tgName.
func Name(tgName string) string { return namePrefix + tgName }

// Store reads and writes the records. The zero value is not usable; use New.
type Store struct {
	c client.Client // uncached

	mu    sync.Mutex
	known map[client.ObjectKey][]model.Target // nil slice: no record
	has   map[client.ObjectKey]bool
}

// New returns a Store using c, which should read through the API server.
func New(c client.Client) *Store {
	return &Store{c: c, known: map[client.ObjectKey][]model.Target{}, has: map[client.ObjectKey]bool{}}
}

func key(namespace, tgName string) client.ObjectKey {
	return client.ObjectKey{Namespace: namespace, Name: Name(tgName)}
}

// Get returns the targets recorded for target group tgName of a Service in
// namespace; ok is false when there is no record.
func (s *Store) Get(ctx context.Context, namespace, tgName string) (targets []model.Target, ok bool, err error) {
	k := key(namespace, tgName)
	s.mu.Lock()
	if t, seen := s.known[k]; seen {
		ok := s.has[k]
		s.mu.Unlock()
		return t, ok, nil
	}
	s.mu.Unlock()
	targets, ok, err = Read(ctx, s.c, namespace, tgName)
	if err != nil {
		return nil, false, err
	}
	s.remember(k, targets, ok)
	return targets, ok, nil
}

// Read reads the record of target group (or binding) name in namespace
// through r, uncached: the targets it holds, and ok false when there is
// none. `lbsg audit` reads the records this way.
func Read(ctx context.Context, r client.Reader, namespace, name string) (targets []model.Target, ok bool, err error) {
	k := key(namespace, name)
	var cm corev1.ConfigMap
	if err := r.Get(ctx, k, &cm); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("reading the multi-cluster target record %s: %w", k, err)
	}
	return Parse(cm.Data[dataKey]), true, nil
}

func (s *Store) remember(k client.ObjectKey, t []model.Target, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t == nil {
		t = []model.Target{}
	}
	s.known[k], s.has[k] = t, ok
}

// Set records targets for target group tgName (a write only when the
// record differs).
func (s *Store) Set(ctx context.Context, namespace, tgName string, targets []model.Target) error {
	targets = normalize(targets)
	have, ok, err := s.Get(ctx, namespace, tgName)
	if err != nil {
		return err
	}
	if ok && slices.Equal(have, targets) {
		return nil
	}
	k := key(namespace, tgName)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: k.Namespace, Name: k.Name},
		Data: map[string]string{dataKey: Format(targets)}}
	if ok {
		err = s.c.Update(ctx, cm)
	}
	if !ok || apierrors.IsNotFound(err) {
		err = s.c.Create(ctx, cm)
	}
	if err != nil {
		s.forget(k) // re-read next time
		return fmt.Errorf("writing the multi-cluster target record %s: %w", k, err)
	}
	s.remember(k, targets, true)
	return nil
}

// Delete removes the record of target group tgName, if any.
func (s *Store) Delete(ctx context.Context, namespace, tgName string) error {
	k := key(namespace, tgName)
	err := s.c.Delete(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: k.Namespace, Name: k.Name}})
	if err != nil && !apierrors.IsNotFound(err) {
		s.forget(k)
		return fmt.Errorf("deleting the multi-cluster target record %s: %w", k, err)
	}
	s.remember(k, nil, false)
	return nil
}

func (s *Store) forget(k client.ObjectKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.known, k)
	delete(s.has, k)
}

// Parse reads LBC's "id:port,id:port" list (id:port:serverID for QUIC
// targets); entries that are neither (LBC writes none) are skipped.
func Parse(raw string) []model.Target {
	var out []model.Target
	for _, item := range strings.Split(raw, ",") {
		quic := ""
		if i := strings.LastIndex(item, ":"); i > 0 && strings.HasPrefix(item[i+1:], "0x") {
			item, quic = item[:i], item[i+1:]
		}
		i := strings.LastIndex(item, ":")
		if i <= 0 {
			continue
		}
		port, err := strconv.ParseInt(item[i+1:], 10, 32)
		if err != nil {
			continue
		}
		out = append(out, model.Target{ID: item[:i], Port: int32(port), QUICServerID: quic})
	}
	return normalize(out)
}

// Format writes targets as LBC does (sorted, for a stable object).
func Format(targets []model.Target) string {
	var parts []string
	for _, t := range normalize(targets) {
		part := t.ID + ":" + strconv.Itoa(int(t.Port))
		if t.QUICServerID != "" {
			part += ":" + t.QUICServerID
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ",")
}

func normalize(ts []model.Target) []model.Target {
	out := slices.Clone(ts)
	slices.SortFunc(out, func(a, b model.Target) int { return cmp.Or(strings.Compare(a.ID, b.ID), cmp.Compare(a.Port, b.Port)) })
	out = slices.Compact(out)
	if out == nil {
		out = []model.Target{}
	}
	return out
}
