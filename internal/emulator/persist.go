package emulator

import (
	"sync"
	"time"
)

// saveDebounce bounds how often the state file is rewritten: a burst of
// mutations costs one save at its end, not one each (a snapshot of 10,000
// groups takes most of a second). A crash loses at most this much.
const saveDebounce = 200 * time.Millisecond

// saver coalesces state-file writes.
type saver struct {
	mu      sync.Mutex
	pending *time.Timer
	closed  bool
}

// stateChanged schedules a save of the state file, if there is one.
func (s *Server) stateChanged() {
	if s.opts.StateFile == "" {
		return
	}
	s.saver.mu.Lock()
	defer s.saver.mu.Unlock()
	if s.saver.closed || s.saver.pending != nil {
		return
	}
	s.saver.pending = time.AfterFunc(saveDebounce, func() {
		s.saveMu.Lock()
		defer s.saveMu.Unlock()
		s.saver.mu.Lock()
		s.saver.pending = nil
		s.saver.mu.Unlock()
		if err := s.saveLocked(); err != nil {
			s.log.Error("saving state", "err", err)
		}
	})
}

// Flush writes the state file now if a save is pending, and returns after
// any save in progress has completed.
func (s *Server) Flush() error {
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	s.saver.mu.Lock()
	t := s.saver.pending
	s.saver.pending = nil
	s.saver.mu.Unlock()
	if t == nil {
		return nil
	}
	t.Stop()
	return s.saveLocked()
}

// Close flushes pending state and stops background saving.
func (s *Server) Close() error {
	err := s.Flush()
	s.saver.mu.Lock()
	s.saver.closed = true
	s.saver.mu.Unlock()
	return err
}
