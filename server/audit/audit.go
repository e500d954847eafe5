// Package audit keeps the access log: every read of a person's data by
// someone else (an official opening an application or an attachment, a
// proxy or the other guardian viewing it, a co-applicant, an export, a
// report drill-down) is one entry, written in the same store transaction
// as whatever else the request writes, so it rides the store's group
// commit instead of costing a write of its own.
//
// The log is append-only and hash-chained: each entry carries the hash of
// the one before it, and the head (sequence number and hash) is kept with
// them. Verify walks the chain and names the first broken link; the head,
// logged once a day as an anchor, lets anyone holding the logs see that
// the file was changed behind the program's back.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"asiointi/server/store"
)

// Kinds of data read.
const (
	KindCase        = "case"         // an application with its answers
	KindAttachment  = "attachment"   // a file of an application
	KindExport      = "export"       // a download of data
	KindAccessLog   = "access-log"   // the access log itself
	KindReport      = "report"       // a report drill-down listing the case
	KindMyData      = "my-data"      // a guardian's reading of their child's "my data"
	KindMandateScan = "mandate-scan" // the scanned paper power of attorney
)

// Purposes: why the data was read, in words the person understands
// (web renders them in their language).
const (
	PurposeHandling  = "handling"  // an official handling the application
	PurposeProxy     = "proxy"     // someone acting for the person
	PurposeGuardian  = "guardian"  // the other guardian of a joint matter
	PurposeParty     = "party"     // a co-applicant
	PurposeShared    = "shared"    // someone the person shared the application with
	PurposeOversight = "oversight" // a manager's report or the access log's own reading
	PurposeMandate   = "mandate"   // an official checking a power of attorney
)

// Actor is who read.
type Actor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role,omitempty"` // "resident", or a staff role ("handler", "manager", "admin")
	Unit string `json:"unit,omitempty"` // an official's unit or an organisation's name, when known
}

// Access is one read of one person's data.
type Access struct {
	Seq       uint64    `json:"seq"`
	At        time.Time `json:"at"`
	Actor     Actor     `json:"actor"`
	ActingFor string    `json:"actingFor,omitempty"` // whom the actor acted for, if anyone
	Subject   string    `json:"subject"`             // whose data was read
	Kind      string    `json:"kind"`
	Purpose   string    `json:"purpose"`
	Case      string    `json:"case,omitempty"`
	Reference string    `json:"reference,omitempty"`
	Prev      string    `json:"prev"` // the hash of the entry before (hex); "" for the first
	Hash      string    `json:"hash"`
}

// Head is the chain's last entry.
type Head struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

const headKey = "audit-head"

func seqKey(n uint64) string { return fmt.Sprintf("%016d", n) }

// hash is the entry's hash: SHA-256 over the previous hash and the entry
// as JSON with its own hash empty. Times are UTC and without monotonic
// readings, so an entry read back hashes the same.
func hash(a Access) string {
	a.Hash = ""
	raw, _ := json.Marshal(a)
	h := sha256.New()
	h.Write([]byte(a.Prev))
	h.Write([]byte{'\n'})
	h.Write(raw)
	return hex.EncodeToString(h.Sum(nil))
}

// RecordAccess appends entries to the chain in tx. An entry without a subject,
// an actor, a kind or a purpose is refused: a log that cannot say whose
// data or why is not worth keeping.
func RecordAccess(tx *store.Tx, now time.Time, entries ...Access) error {
	if len(entries) == 0 {
		return nil
	}
	var head Head
	if err := tx.Get(store.Meta, headKey, &head); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	for _, a := range entries {
		if a.Subject == "" || a.Actor.ID == "" || a.Kind == "" || a.Purpose == "" {
			return fmt.Errorf("audit: an access needs a subject, an actor, a kind and a purpose: %+v", a)
		}
		a.Seq, a.Prev = head.Seq+1, head.Hash
		if a.At.IsZero() {
			a.At = now
		}
		a.At = a.At.UTC().Round(0)
		a.Hash = hash(a)
		if err := tx.Put(store.AccessLog, seqKey(a.Seq), a); err != nil {
			return err
		}
		if err := tx.PutRaw(store.AccessBySubject, a.Subject+"/"+seqKey(a.Seq), nil); err != nil {
			return err
		}
		head = Head{Seq: a.Seq, Hash: a.Hash}
	}
	return tx.Put(store.Meta, headKey, head)
}

// HeadOf is the chain's head (zero when the log is empty).
func HeadOf(st *store.Store) (Head, error) {
	var h Head
	err := st.View(func(tx *store.Tx) error { return tx.Get(store.Meta, headKey, &h) })
	if errors.Is(err, store.ErrNotFound) {
		return Head{}, nil
	}
	return h, err
}

// Broken is the first link of the chain that does not hold.
type Broken struct {
	Seq    uint64
	Reason string
}

func (b *Broken) Error() string { return fmt.Sprintf("audit: entry %d: %s", b.Seq, b.Reason) }

// Verify walks the whole chain: every entry in sequence, each pointing at
// the hash of the one before and hashing to what it says, the last one
// being the recorded head. It returns the number of entries checked and
// a *Broken naming the first link that fails.
func Verify(st *store.Store) (uint64, error) {
	var n uint64
	err := st.View(func(tx *store.Tx) error {
		var head Head
		if err := tx.Get(store.Meta, headKey, &head); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		prev := ""
		err := tx.Scan(store.AccessLog, "", func(key string, raw []byte) error {
			want := n + 1
			var a Access
			if err := json.Unmarshal(raw, &a); err != nil {
				return &Broken{want, "not readable: " + err.Error()}
			}
			switch got, _ := strconv.ParseUint(key, 10, 64); {
			case got != want || a.Seq != want:
				return &Broken{want, fmt.Sprintf("entry %s (seq %d) where %d should be: an entry was removed or inserted", key, a.Seq, want)}
			case a.Prev != prev:
				return &Broken{want, "does not point at the entry before it"}
			case hash(a) != a.Hash:
				return &Broken{want, "its content does not match its hash: it was changed"}
			}
			prev, n = a.Hash, want
			return nil
		})
		if err != nil {
			return err
		}
		if head.Seq != n || head.Hash != prev {
			return &Broken{n + 1, fmt.Sprintf("the head says entry %d, the chain ends at %d: entries were removed from the end", head.Seq, n)}
		}
		return nil
	})
	return n, err
}

// Filter narrows a person's access log.
type Filter struct {
	From, To time.Time // the period (To exclusive); zero for open
	Actor    string    // one actor's id
	Before   uint64    // the cursor: entries older than this seq
	Limit    int       // page size (default 50)
}

// Of lists reads of subject's data by others, newest first, and the
// cursor of the next page (0 when there is none). The person's own reads
// are in the chain but not listed.
func Of(st *store.Store, subject string, f Filter) ([]Access, uint64, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var out []Access
	var next uint64
	err := st.View(func(tx *store.Tx) error {
		return tx.ScanReverse(store.AccessBySubject, subject+"/", func(key string, _ []byte) error {
			seq, err := strconv.ParseUint(key[len(subject)+1:], 10, 64)
			if err != nil {
				return err
			}
			if f.Before != 0 && seq >= f.Before {
				return nil
			}
			var a Access
			if err := tx.Get(store.AccessLog, seqKey(seq), &a); err != nil {
				return err
			}
			if !f.To.IsZero() && !a.At.Before(f.To) {
				return nil
			}
			if !f.From.IsZero() && a.At.Before(f.From) {
				return nil // (not a stop: clocks of several nodes may disagree a little)
			}
			if a.Actor.ID == subject || (f.Actor != "" && a.Actor.ID != f.Actor) {
				return nil
			}
			if len(out) == f.Limit {
				next = out[len(out)-1].Seq
				return store.ErrStop
			}
			out = append(out, a)
			return nil
		})
	})
	return out, next, err
}

// PurposeOwn marks a person's reading of their own access log (kept in
// the chain, never listed to them as someone else's read).
const PurposeOwn = "own"

// Log reads a person's access log, recording the reading itself.
type Log struct {
	Store *store.Store
	Now   func() time.Time
}

// Read lists the reads of subject's data by others (see Of) on behalf of
// reader, and records that reader read it: the person themself
// (PurposeOwn) or their guardian (PurposeGuardian).
func (l *Log) Read(reader Actor, subject string, f Filter) ([]Access, uint64, error) {
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	purpose := PurposeOwn
	if reader.ID != subject {
		purpose = PurposeGuardian
	}
	err := l.Store.Update(func(tx *store.Tx) error {
		return RecordAccess(tx, now, Access{Actor: reader, Subject: subject, Kind: KindAccessLog, Purpose: purpose})
	})
	if err != nil {
		return nil, 0, err
	}
	return Of(l.Store, subject, f)
}

// Actors are the people who have read subject's data, for a filter's
// choices (at most the latest limit entries are looked at).
func Actors(st *store.Store, subject string, limit int) ([]Actor, error) {
	var out []Actor
	seen := map[string]bool{}
	n := 0
	err := st.View(func(tx *store.Tx) error {
		return tx.ScanReverse(store.AccessBySubject, subject+"/", func(key string, _ []byte) error {
			if n++; n > limit {
				return store.ErrStop
			}
			var a Access
			if err := tx.Get(store.AccessLog, key[len(subject)+1:], &a); err != nil {
				return err
			}
			if a.Actor.ID != subject && !seen[a.Actor.ID] {
				seen[a.Actor.ID] = true
				out = append(out, a.Actor)
			}
			return nil
		})
	})
	return out, err
}
