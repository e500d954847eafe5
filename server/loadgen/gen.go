package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"asiointi/server/app"
	"asiointi/server/cases"
	appconfig "asiointi/server/config"
	"asiointi/server/identity"
	"asiointi/server/store"

	bolt "go.etcd.io/bbolt"
)

// genConfig is the -gen mode: build a data directory holding many cases
// through the domain (cases.Service: create, save, submit, exactly as the
// API does), to measure lists, housekeeping and the file size on.
type genConfig struct {
	dir     string
	cases   int
	drafts  int
	people  []string
	workers int
}

// generate fills dir (demo mode: seeded on the first open) with g.cases
// submitted cases and g.drafts unfinished drafts, shared in turn by the
// people, without fsync (the file is synced when the store closes). It
// prints the file size per case.
func generate(g genConfig) error {
	cfg, err := appconfig.Load(func(string) string { return "" })
	if err != nil {
		return err
	}
	cfg.DataDir = g.dir
	m := &app.Main{Config: cfg, StoreOptions: store.Options{NoSync: true},
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if err := m.Open(); err != nil {
		return err
	}
	var refs []cases.Ref
	dir := &identity.Directory{Store: m.Store}
	for _, hetu := range g.people {
		p, err := dir.PersonByHetu(hetu)
		if err != nil {
			m.Close()
			return fmt.Errorf("person %s: %w", hetu, err)
		}
		refs = append(refs, cases.Ref{ID: p.ID, Name: p.FirstName + " " + p.LastName, Kind: identity.Resident})
	}
	start := time.Now()
	var next, made atomic.Int64
	total := int64(g.cases + g.drafts)
	errs := make([]error, g.workers)
	var wg sync.WaitGroup
	for w := range g.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for {
				i := next.Add(1) - 1
				if i >= total {
					return
				}
				if err := genOne(m.Cases, refs[int(i)%len(refs)], rng, int(i), i < int64(g.cases)); err != nil {
					errs[w] = err
					return
				}
				if n := made.Add(1); n%10000 == 0 {
					fmt.Fprintf(os.Stderr, "gen: %d/%d in %v\n", n, total, time.Since(start).Round(time.Second))
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		m.Close()
		return err
	}
	took := time.Since(start)
	if err := m.Close(); err != nil {
		return err
	}
	st, err := os.Stat(filepath.Join(g.dir, store.FileName))
	if err != nil {
		return err
	}
	fmt.Printf("gen: %d cases and %d drafts for %d people in %v (%.0f/s); %s is %.1f MB",
		g.cases, g.drafts, len(refs), took.Round(time.Millisecond), float64(total)/took.Seconds(), store.FileName, float64(st.Size())/1e6)
	if g.cases > 0 {
		fmt.Printf(", %.2f KB per case", float64(st.Size())/1e3/float64(g.cases))
	}
	fmt.Println()
	if g.cases > 0 {
		return bucketSizes(filepath.Join(g.dir, store.FileName), g.cases)
	}
	return nil
}

// bucketSizes prints where the file's space goes: per bucket, the bytes
// of its pages per case and how full they are (bbolt's statistics).
func bucketSizes(path string, cases int) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			s := b.Stats()
			alloc, inuse := s.BranchAlloc+s.LeafAlloc, s.BranchInuse+s.LeafInuse
			if alloc >= 64<<10 {
				fmt.Printf("gen: %-16s %6.0f B per case, pages %3.0f %% full\n", name, float64(alloc)/float64(cases), 100*float64(inuse)/float64(alloc))
			}
			return nil
		})
	})
}

// genOne makes one draft with valid answers and, when submit, submits it.
func genOne(svc *cases.Service, who cases.Ref, rng *rand.Rand, seq int, submit bool) error {
	d, err := svc.CreateDraft(service, who, nil)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(answers(rng, seq))
	if err != nil {
		return err
	}
	var data map[string]any
	if err := json.Unmarshal(raw, &data); err != nil {
		return err
	}
	if _, _, err := svc.Save(d.ID, who.ID, d.Version, data, 2); err != nil {
		return err
	}
	if !submit {
		return nil
	}
	res, err := svc.Submit(d.ID, who)
	if err != nil {
		return err
	}
	if len(res.Errors) > 0 {
		return fmt.Errorf("submit refused: %v", res.Errors)
	}
	return nil
}

func defaultWorkers() int { return max(2, 4*runtime.GOMAXPROCS(0)) }
