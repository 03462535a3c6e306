package emulator

import (
	"sort"
	"strings"
	"sync"
)

// ActionStats counts the calls of one action.
type ActionStats struct {
	Calls  int            `json:"calls"`
	Errors map[string]int `json:"errors,omitempty"`
}

// CallStats is the call log: per "service:Action" counts.
type CallStats struct {
	Total   int                    `json:"total"`
	Errors  int                    `json:"errors"`
	Actions map[string]ActionStats `json:"actions"`
}

// Count returns how many calls an action got (key "ec2:CreateTags" or just
// the action name, summed over services).
func (c CallStats) Count(action string) int {
	if s, ok := c.Actions[action]; ok {
		return s.Calls
	}
	n := 0
	for k, s := range c.Actions {
		if _, a, ok := strings.Cut(k, ":"); ok && a == action {
			n += s.Calls
		}
	}
	return n
}

// Mutations counts calls whose action is not a Describe/List/Get.
func (c CallStats) Mutations() int {
	n := 0
	for k, s := range c.Actions {
		_, a, _ := strings.Cut(k, ":")
		if !isRead(a) {
			n += s.Calls
		}
	}
	return n
}

// Sorted returns the action keys in order.
func (c CallStats) Sorted() []string {
	keys := make([]string, 0, len(c.Actions))
	for k := range c.Actions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isRead(action string) bool {
	return strings.HasPrefix(action, "Describe") || strings.HasPrefix(action, "List") || strings.HasPrefix(action, "Get")
}

type callLog struct {
	mu    sync.Mutex
	stats CallStats
}

func newCallLog() *callLog {
	return &callLog{stats: CallStats{Actions: map[string]ActionStats{}}}
}

func (l *callLog) record(service, action, code string) {
	if action == "" {
		action = "(none)"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := service + ":" + action
	s := l.stats.Actions[key]
	s.Calls++
	l.stats.Total++
	if code != "" {
		if s.Errors == nil {
			s.Errors = map[string]int{}
		}
		s.Errors[code]++
		l.stats.Errors++
	}
	l.stats.Actions[key] = s
}

func (l *callLog) snapshot() CallStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := CallStats{Total: l.stats.Total, Errors: l.stats.Errors, Actions: make(map[string]ActionStats, len(l.stats.Actions))}
	for k, s := range l.stats.Actions {
		c := ActionStats{Calls: s.Calls}
		if s.Errors != nil {
			c.Errors = make(map[string]int, len(s.Errors))
			for ek, ev := range s.Errors {
				c.Errors[ek] = ev
			}
		}
		out.Actions[k] = c
	}
	return out
}

func (l *callLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats = CallStats{Actions: map[string]ActionStats{}}
}
