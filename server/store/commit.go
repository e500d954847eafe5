package store

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Group commit. Writers hand their function to one committer goroutine.
// While a commit (and its fsync) runs, new writers queue up; the next
// commit takes all of them at once. Under load every fsync carries many
// writes, and with no load a write commits at once (no batching delay).

// maxGroup caps the writes of one commit.
const maxGroup = 1024

type op struct {
	fn   func(*Tx) error
	done chan error
}

// errClosed answers writes after Close.
var errClosed = errors.New("store: closed")

func (s *Store) startCommitter() {
	s.ops = make(chan op, maxGroup)
	s.stopped = make(chan struct{})
	go s.committer()
}

func (s *Store) committer() {
	defer close(s.stopped)
	// While the store cannot write, a small probe write now and then
	// finds out when it can again, also when no one else writes (a load
	// balancer that sees /readyz fail sends no traffic).
	probe := time.NewTicker(s.opt.ProbeEvery)
	defer probe.Stop()
	group := make([]op, 0, maxGroup)
	for {
		var first op
		select {
		case <-probe.C:
			if !s.writable.Load() {
				s.probe()
			}
			continue
		case o, ok := <-s.ops:
			if !ok {
				return
			}
			first = o
		}
		group = append(group[:0], first)
	drain:
		for len(group) < maxGroup {
			select {
			case o, ok := <-s.ops:
				if !ok {
					break drain
				}
				group = append(group, o)
			default:
				break drain
			}
		}
		s.commit(group)
	}
}

// commit runs a group in one transaction. If one function fails, the
// transaction is rolled back, that function gets its error, and the others
// are committed again without it (functions must tolerate re-running, as
// with bbolt's Batch).
func (s *Store) commit(group []op) {
	for len(group) > 0 {
		failed := -1
		var ferr error
		var n *boltTxn
		err := s.write(len(group), func(tx *bolt.Tx) error {
			n = newBoltTx(tx, true)
			for i, o := range group {
				if err := safeRun(o.fn, &n.Tx); err != nil {
					failed, ferr = i, err
					return err
				}
			}
			return n.finish()
		})
		if n != nil { // the transaction has ended: bbolt holds none of its values
			n.put()
		}
		if failed < 0 {
			for _, o := range group {
				o.done <- err
			}
			return
		}
		group[failed].done <- ferr
		group = append(group[:failed], group[failed+1:]...)
	}
}

func safeRun(fn func(*Tx) error, t *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: panic in transaction: %v", r)
		}
	}()
	return fn(t)
}
