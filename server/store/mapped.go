package store

import (
	"sync"
	"sync/atomic"
	"time"
)

// The pages of the database file the process has mapped.
//
// bbolt reads the file through a shared, read-only memory mapping. Every
// page a transaction touches stays mapped into the process afterwards,
// and on Linux a touch maps the whole large folio of the page cache
// around it (often a megabyte), so under steady writing the process's
// resident set grows towards the size of the file: 200–600 MB after a
// few minutes of the load generator's mix, against ~100 MB of the
// process's own memory. Those pages are the kernel's page cache either
// way; mapped, they count in the process's RSS and are slower for the
// kernel to reclaim. So a store watches the file-backed part of its
// resident set and, when it has grown by more than Options.MappedBudget
// since the store opened, drops the mapping's pages from the process
// (madvise MADV_DONTNEED, mapped_linux.go). The data stays in the page
// cache (and on disk); the next read of a page maps it again with a minor
// fault. Nothing is lost or changed: the mapping is shared and read-only,
// and bbolt writes the file with pwrite.

// Defaults of Options.MappedBudget and Options.MappedCheckEvery.
const (
	defaultMappedBudget     = 32 << 20
	defaultMappedCheckEvery = 250 * time.Millisecond
)

// mappedWatch is a store's watcher of its mapped pages.
type mappedWatch struct {
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	trims    atomic.Uint64
}

// MappedTrims counts the times the store dropped the mapped pages of its
// file from the process since Open (bbolt on Linux; 0 elsewhere).
func (s *Store) MappedTrims() uint64 {
	if s == nil || s.mapped == nil {
		return 0
	}
	return s.mapped.trims.Load()
}

// watchMapped starts the watcher (a bbolt store that writes, on a system
// where residentFile and dropMapped work).
func (s *Store) watchMapped() {
	if s.opt.MappedBudget < 0 || s.db == nil {
		return
	}
	base, ok := residentFile()
	if !ok {
		return
	}
	budget, every := s.opt.MappedBudget, s.opt.MappedCheckEvery
	if budget == 0 {
		budget = defaultMappedBudget
	}
	if every <= 0 {
		every = defaultMappedCheckEvery
	}
	w := &mappedWatch{stop: make(chan struct{}), done: make(chan struct{})}
	s.mapped = w
	go func() {
		defer close(w.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
			n, ok := residentFile()
			if !ok || n-base <= budget {
				continue
			}
			if err := s.trimMapped(); err != nil {
				if s.opt.Log != nil {
					s.opt.Log.Warn("store: dropping mapped pages failed", "err", err.Error())
				}
				return
			}
			w.trims.Add(1)
			if after, ok := residentFile(); ok && after < base {
				base = after // what else the process maps shrank too
			}
		}
	}()
}

// stopMapped stops the watcher and waits for it (Close).
func (s *Store) stopMapped() {
	if w := s.mapped; w != nil {
		w.stopOnce.Do(func() { close(w.stop) })
		<-w.done
	}
}
