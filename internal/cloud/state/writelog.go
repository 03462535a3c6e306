package state

// writeLog lets a full refresh (a paged Describe of everything, seconds
// long at scale) keep the writes that happened while it ran: the listing
// may predate a create, a delete or a tag change made meanwhile, and
// replacing the cache with it would forget them (a target group created
// during the drift check's listing was never seen again until the next
// check, and was left behind when its stack changed). Writers note what
// they touched; the refresh takes the cache's entry for those. Guarded by
// Provider.mu.
type writeLog struct {
	seq      uint64
	written  map[string]uint64 // key → seq of its last write
	inflight int
}

// begin starts a refresh and returns its start mark.
func (w *writeLog) begin() uint64 {
	w.inflight++
	return w.seq
}

// note records a write of key.
func (w *writeLog) note(key string) {
	if w.inflight == 0 {
		return // no refresh to tell
	}
	if w.written == nil {
		w.written = map[string]uint64{}
	}
	w.seq++
	w.written[key] = w.seq
}

// since returns the keys written after mark.
func (w *writeLog) since(mark uint64) []string {
	var out []string
	for k, s := range w.written {
		if s > mark {
			out = append(out, k)
		}
	}
	return out
}

// end finishes a refresh; the log empties when none is left running.
func (w *writeLog) end() {
	w.inflight--
	if w.inflight == 0 {
		w.written = nil
	}
}
