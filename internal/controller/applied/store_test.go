package applied

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const cluster = "c1"

// countingClient counts the Store's writes and Conflicts, and can fail or
// hold writes and reads.
type countingClient struct {
	client.Client
	writes, conflicts atomic.Int64
	// failWrites fails that many writes before letting them through.
	failWrites atomic.Int64
	// failReads fails that many reads before letting them through.
	failReads atomic.Int64
	// hold, when set, is waited on by the first write (entered is closed
	// once it waits).
	hold, entered chan struct{}
	holdOnce      sync.Once
}

var errInjected = errors.New("injected failure")

func (c *countingClient) write(ctx context.Context, do func() error) error {
	if c.hold != nil {
		c.holdOnce.Do(func() {
			close(c.entered)
			select {
			case <-c.hold:
			case <-ctx.Done():
			}
		})
	}
	if c.failWrites.Add(-1) >= 0 {
		return errInjected
	}
	c.writes.Add(1)
	err := do()
	if apierrors.IsConflict(err) {
		c.conflicts.Add(1)
	}
	return err
}

func (c *countingClient) Create(ctx context.Context, obj client.Object, opts ...client.CreateOption) error {
	return c.write(ctx, func() error { return c.Client.Create(ctx, obj, opts...) })
}

func (c *countingClient) Update(ctx context.Context, obj client.Object, opts ...client.UpdateOption) error {
	return c.write(ctx, func() error { return c.Client.Update(ctx, obj, opts...) })
}

func (c *countingClient) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if c.failReads.Add(-1) >= 0 {
		return errInjected
	}
	return c.Client.Get(ctx, key, obj, opts...)
}

// env is one test's apiserver namespace and helpers around it.
type env struct {
	t    *testing.T
	kube *testenv.KubeEnv
}

// client returns a new client straight to the apiserver, as a restarted
// controller would have.
func (e env) client() client.Client {
	c, err := client.New(e.kube.Config, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// store returns a Store on a counting client, with a short flush delay.
func (e env) store() (*Store, *countingClient) {
	cc := &countingClient{Client: e.client()}
	s := New(cc, e.kube.Namespace, cluster)
	s.delay = 10 * time.Millisecond
	return s, cc
}

// start runs s's flusher until the test ends.
func (e env) start(s *Store) {
	ctx, cancel := context.WithCancel(e.t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Start(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("Start: %v", err)
		}
	})
}

// seed stores record as the ConfigMap's content.
func (e env) seed(record map[string]string) {
	e.t.Helper()
	b, err := json.Marshal(record)
	if err != nil {
		e.t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: e.kube.Namespace, Name: Name(cluster)},
		Data: map[string]string{dataKey: string(b)}}
	if err := e.kube.Client.Create(e.t.Context(), cm); err != nil {
		e.t.Fatal(err)
	}
}

// record is what a freshly started Store (new client) reads for keys.
func (e env) record(ctx context.Context, keys ...string) (map[string]string, error) {
	s := New(e.client(), e.kube.Namespace, cluster)
	out := map[string]string{}
	for _, k := range keys {
		fp, ok, err := s.Get(ctx, k)
		if err != nil {
			return nil, err
		}
		if ok {
			out[k] = fp
		}
	}
	return out, nil
}

// wantRecord fails unless a fresh Store reads exactly want for keys now.
func (e env) wantRecord(want map[string]string, keys ...string) {
	e.t.Helper()
	got, err := e.record(e.t.Context(), keys...)
	if err != nil {
		e.t.Fatal(err)
	}
	if !maps.Equal(got, want) {
		e.t.Errorf("a fresh Store reads %v, want %v", got, want)
	}
}

// eventuallyRecord polls until a fresh Store reads want for keys.
func (e env) eventuallyRecord(want map[string]string, keys ...string) {
	e.t.Helper()
	testenv.Eventually(e.t, fmt.Sprintf("a fresh Store to read %v", want), func(ctx context.Context) (bool, error) {
		got, err := e.record(ctx, keys...)
		return err == nil && maps.Equal(got, want), err
	})
}

func mustGet(t *testing.T, s *Store, key string) (string, bool) {
	t.Helper()
	fp, ok, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	return fp, ok
}

func TestStore(t *testing.T) {
	const a, b = "service:app/web", "ingress:app/shop"
	for _, tt := range []struct {
		name string
		run  func(t *testing.T, e env)
	}{
		{name: "a missing ConfigMap reads as an empty record and is not created by reading", run: func(t *testing.T, e env) {
			s, cc := e.store()
			if fp, ok := mustGet(t, s, a); ok {
				t.Errorf("Get(%s) = %q, want no record", a, fp)
			}
			err := e.kube.Client.Get(t.Context(), client.ObjectKey{Namespace: e.kube.Namespace, Name: Name(cluster)}, &corev1.ConfigMap{})
			if !apierrors.IsNotFound(err) {
				t.Errorf("ConfigMap after a Get: %v, want NotFound", err)
			}
			if n := cc.writes.Load(); n != 0 {
				t.Errorf("%d writes, want 0", n)
			}
		}},
		{name: "a failed read is returned and retried by the next Get", run: func(t *testing.T, e env) {
			e.seed(map[string]string{a: "fa"})
			s, cc := e.store()
			cc.failReads.Store(1)
			if _, _, err := s.Get(t.Context(), a); !errors.Is(err, errInjected) {
				t.Fatalf("first Get: %v, want the injected failure", err)
			}
			if fp, ok := mustGet(t, s, a); !ok || fp != "fa" {
				t.Errorf("second Get = %q, %v; want fa", fp, ok)
			}
		}},
		{name: "a Set is seen by a restarted controller after the flush", run: func(t *testing.T, e env) {
			s, _ := e.store()
			e.start(s)
			s.Set(a, "fa")
			s.Set(b, "fb")
			if fp, ok := mustGet(t, s, a); !ok || fp != "fa" {
				t.Errorf("Get after Set = %q, %v; want fa", fp, ok)
			}
			e.eventuallyRecord(map[string]string{a: "fa", b: "fb"}, a, b)
			cm := &corev1.ConfigMap{}
			if err := e.kube.Client.Get(t.Context(), client.ObjectKey{Namespace: e.kube.Namespace, Name: Name(cluster)}, cm); err != nil {
				t.Fatal(err)
			}
			if cm.Labels[managedByLabel] != managedBy || cm.Annotations[clusterAnnotation] != cluster {
				t.Errorf("ConfigMap labels %v, annotations %v; want %s=%s and %s=%s",
					cm.Labels, cm.Annotations, managedByLabel, managedBy, clusterAnnotation, cluster)
			}
		}},
		{name: "Sets made before the first read keep the stored record's other stacks", run: func(t *testing.T, e env) {
			e.seed(map[string]string{a: "fa", b: "old"})
			s, _ := e.store()
			s.Set(b, "fb")
			e.start(s)
			e.eventuallyRecord(map[string]string{a: "fa", b: "fb"}, a, b)
		}},
		{name: "pending Sets are written when Start's context ends", run: func(t *testing.T, e env) {
			s, _ := e.store()
			s.delay = time.Hour // only the final flush can write
			s.Set(a, "fa")
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			if err := s.Start(ctx); err != nil {
				t.Fatalf("Start: %v", err)
			}
			e.wantRecord(map[string]string{a: "fa"}, a)
		}},
		{name: "a failed flush is retried with backoff", run: func(t *testing.T, e env) {
			s, cc := e.store()
			cc.failWrites.Store(2)
			e.start(s)
			s.Set(a, "fa")
			e.eventuallyRecord(map[string]string{a: "fa"}, a)
		}},
		{name: "a Clear is durable when it returns, without Start", run: func(t *testing.T, e env) {
			e.seed(map[string]string{a: "fa", b: "fb"})
			s, cc := e.store()
			if err := s.Clear(t.Context(), a); err != nil {
				t.Fatal(err)
			}
			e.wantRecord(map[string]string{b: "fb"}, a, b)
			if n := cc.writes.Load(); n != 1 {
				t.Errorf("%d writes, want 1", n)
			}
			if _, ok := mustGet(t, s, a); ok {
				t.Errorf("Get(%s) after Clear has a record", a)
			}
		}},
		{name: "a Clear of a stack without a stored record writes nothing", run: func(t *testing.T, e env) {
			e.seed(map[string]string{b: "fb"})
			s, cc := e.store()
			s.Set(a, "unflushed") // no flusher: never stored
			if err := s.Clear(t.Context(), a); err != nil {
				t.Fatal(err)
			}
			if err := s.Clear(t.Context(), "service:app/never"); err != nil {
				t.Fatal(err)
			}
			if n := cc.writes.Load(); n != 0 {
				t.Errorf("%d writes, want 0", n)
			}
			if _, ok := mustGet(t, s, a); ok {
				t.Errorf("Get(%s) after Clear has a record", a)
			}
		}},
		{name: "a Clear during a flush of the same stack waits for a write without it", run: func(t *testing.T, e env) {
			s, cc := e.store()
			cc.hold, cc.entered = make(chan struct{}), make(chan struct{})
			e.start(s)
			s.Set(a, "fa")
			s.Set(b, "fb")
			<-cc.entered // the flusher is writing {a, b}
			// Let the held write land a moment after Clear starts: Clear
			// must not return on the strength of the record it saw.
			release := time.AfterFunc(100*time.Millisecond, func() { close(cc.hold) })
			defer release.Stop()
			if err := s.Clear(t.Context(), a); err != nil {
				t.Fatal(err)
			}
			e.wantRecord(map[string]string{b: "fb"}, a, b)
		}},
		{name: "a failed Clear write is returned and the next Clear writes", run: func(t *testing.T, e env) {
			e.seed(map[string]string{a: "fa", b: "fb"})
			s, cc := e.store()
			cc.failWrites.Store(1)
			if err := s.Clear(t.Context(), a); !errors.Is(err, errInjected) {
				t.Fatalf("Clear: %v, want the injected failure", err)
			}
			e.wantRecord(map[string]string{a: "fa", b: "fb"}, a, b)
			if err := s.Clear(t.Context(), a); err != nil {
				t.Fatal(err)
			}
			e.wantRecord(map[string]string{b: "fb"}, a, b)
		}},
		{name: "50 concurrent Clears share a few writes and are all durable", run: func(t *testing.T, e env) {
			const n = 50
			record := map[string]string{b: "fb"}
			var keys []string
			for i := range n {
				k := fmt.Sprintf("service:app/svc-%d", i)
				keys = append(keys, k)
				record[k] = fmt.Sprintf("f%d", i)
			}
			e.seed(record)
			s, cc := e.store()
			mustGet(t, s, b) // loaded: the Clears race for writes, not for the read
			start := make(chan struct{})
			errs := make(chan error, n)
			for _, k := range keys {
				go func() {
					<-start
					errs <- s.Clear(t.Context(), k)
				}()
			}
			close(start)
			for range n {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
			e.wantRecord(map[string]string{b: "fb"}, append(keys, b)...)
			if w := cc.writes.Load(); w > 5 {
				t.Errorf("%d writes for %d concurrent Clears, want at most 5", w, n)
			} else {
				t.Logf("%d writes for %d concurrent Clears", w, n)
			}
		}},
		{name: "a Conflict with another writer is survived and the leader's record wins", run: func(t *testing.T, e env) {
			e.seed(map[string]string{a: "fa", b: "fb"})
			s, cc := e.store()
			mustGet(t, s, a) // loaded: the Store knows this resourceVersion
			cm := &corev1.ConfigMap{}
			if err := e.kube.Client.Get(t.Context(), client.ObjectKey{Namespace: e.kube.Namespace, Name: Name(cluster)}, cm); err != nil {
				t.Fatal(err)
			}
			cm.Data[dataKey] = `{"service:app/other":"fo"}`
			if err := e.kube.Client.Update(t.Context(), cm); err != nil {
				t.Fatal(err)
			}
			if err := s.Clear(t.Context(), a); err != nil {
				t.Fatal(err)
			}
			if n := cc.conflicts.Load(); n != 1 {
				t.Errorf("%d Conflicts, want 1", n)
			}
			e.wantRecord(map[string]string{b: "fb"}, a, b, "service:app/other")
		}},
		{name: "a ConfigMap deleted by someone else is created again", run: func(t *testing.T, e env) {
			e.seed(map[string]string{a: "fa", b: "fb"})
			s, _ := e.store()
			mustGet(t, s, a)
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: e.kube.Namespace, Name: Name(cluster)}}
			if err := e.kube.Client.Delete(t.Context(), cm); err != nil {
				t.Fatal(err)
			}
			if err := s.Clear(t.Context(), a); err != nil {
				t.Fatal(err)
			}
			e.wantRecord(map[string]string{b: "fb"}, a, b)
		}},
		{name: "an unreadable record reads as empty and is replaced by the next write", run: func(t *testing.T, e env) {
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: e.kube.Namespace, Name: Name(cluster)},
				Data: map[string]string{dataKey: "not json"}}
			if err := e.kube.Client.Create(t.Context(), cm); err != nil {
				t.Fatal(err)
			}
			s, _ := e.store()
			if fp, ok := mustGet(t, s, a); ok {
				t.Errorf("Get(%s) = %q, want no record", a, fp)
			}
			e.start(s)
			s.Set(a, "fa")
			e.eventuallyRecord(map[string]string{a: "fa"}, a)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, env{t: t, kube: testenv.Kube(t)})
		})
	}
}

func TestNamespacePrecedence(t *testing.T) {
	dir := t.TempDir()
	saFile := filepath.Join(dir, "namespace")
	if err := os.WriteFile(saFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, flag, env, file, want string
	}{
		{name: "the flag wins", flag: "from-flag", env: "from-env", file: saFile, want: "from-flag"},
		{name: "POD_NAMESPACE without the flag", env: "from-env", file: saFile, want: "from-env"},
		{name: "the service-account namespace file without flag or env", file: saFile, want: "from-file"},
		{name: "kube-system when nothing says", file: filepath.Join(dir, "missing"), want: "kube-system"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(podNamespaceEnv, tt.env)
			old := serviceAccountNamespaceFile
			serviceAccountNamespaceFile = tt.file
			t.Cleanup(func() { serviceAccountNamespaceFile = old })
			if got := Namespace(tt.flag); got != tt.want {
				t.Errorf("Namespace(%q) = %q, want %q", tt.flag, got, tt.want)
			}
		})
	}
}

func TestName(t *testing.T) {
	if got := Name("prod"); got != "lbsg-applied-prod" {
		t.Errorf("Name(prod) = %q", got)
	}
}
