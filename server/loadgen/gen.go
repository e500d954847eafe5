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
	"strconv"
	"strings"
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
	// residents > 0: the cases are shared among this many made-up
	// residents (created as a national login creates them) instead of
	// people, so that the indexes by person hold a real municipality's
	// spread rather than one person's thousands.
	residents int
	// taken and decided are the shares of the submitted cases a handler
	// of the service takes up (and leaves in progress) and takes up and
	// decides, as a store that has been worked on for a while holds them.
	taken, decided float64
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
	people := g.people
	if g.residents > 0 {
		people = madeUpPeople(g.residents)
		first := []string{"Aino", "Eetu", "Ella", "Mikko", "Helmi", "Juhani", "Sven", "Maria", "Olavi", "Liisa", "Pekka", "Anna", "Matti", "Sofia", "Leo", "Aada"}
		last := []string{"Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen", "Lindqvist", "Salo"}
		for i, hetu := range people {
			if _, err := dir.Identify(identity.Identified{Hetu: hetu, FirstName: first[i%len(first)], LastName: last[(i/len(first))%len(last)]}, time.Now()); err != nil {
				m.Close()
				return fmt.Errorf("resident %d: %w", i, err)
			}
		}
	}
	handler, err := genHandler(m.Store)
	if err != nil && (g.taken > 0 || g.decided > 0) {
		m.Close()
		return err
	}
	for _, hetu := range people {
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
				var handle string // what a handler does with the case
				if i < int64(g.cases) {
					switch x := rng.Float64(); {
					case x < g.decided:
						handle = "decide"
					case x < g.decided+g.taken:
						handle = "take"
					}
				}
				if err := genOne(m.Cases, refs[int(i)%len(refs)], handler, rng, int(i), i < int64(g.cases), handle); err != nil {
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
	fmt.Printf("gen: %d cases (%.0f %% taken up, %.0f %% decided) and %d drafts for %d people in %v (%.0f/s); %s is %.1f MB",
		g.cases, 100*g.taken, 100*g.decided, g.drafts, len(refs), took.Round(time.Millisecond), float64(total)/took.Seconds(), store.FileName, float64(st.Size())/1e6)
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

// madeUpPeople are n valid henkilötunnukset from the 900s (the range of
// made-up ones), different from each other: born on n/100 successive
// days from 1 January 1950.
func madeUpPeople(n int) []string {
	out := make([]string, n)
	born := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		d := born.AddDate(0, 0, i/100)
		digits := d.Format("020106") + fmt.Sprintf("%03d", 900+i%100)
		v, _ := strconv.Atoi(digits)
		out[i] = d.Format("020106") + "-" + digits[6:] + string("0123456789ABCDEFHJKLMNPRSTUVWXY"[v%31])
	}
	return out
}

// genHandler is a handler of the generator's service (the demo staff's).
func genHandler(st *store.Store) (cases.Ref, error) {
	var out cases.Ref
	err := st.View(func(tx *store.Tx) error {
		return tx.Scan(store.StaffRoles, "", func(k string, _ []byte) error {
			user, svc, _ := strings.Cut(k, "/")
			if r := identity.StaffRole(tx, user, svc); svc == service && (r == identity.RoleHandler || r == identity.RoleManager) {
				var m struct {
					Name string `json:"name"`
				}
				if err := tx.Get(store.Staff, user, &m); err != nil {
					return err
				}
				out = cases.Ref{ID: user, Name: m.Name, Kind: identity.Staff}
				return store.ErrStop
			}
			return nil
		})
	})
	if err == nil && out.ID == "" {
		err = fmt.Errorf("no handler of %s among the staff", service)
	}
	return out, err
}

// genOne makes one draft with valid answers and, when submit, submits it;
// then handle says what the handler does: "take" (up), "decide" or
// nothing.
func genOne(svc *cases.Service, who, handler cases.Ref, rng *rand.Rand, seq int, submit bool, handle string) error {
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
	if handle == "" {
		return nil
	}
	c, err := svc.Assign(res.Case.ID, handler, res.Case.Version, handler.ID)
	if err != nil || handle != "decide" {
		return err
	}
	outcomes := []string{cases.OutcomeApproved, cases.OutcomeApproved, cases.OutcomePartly, cases.OutcomeRejected}
	_, err = svc.Decide(c.ID, handler, c.Version, outcomes[rng.IntN(len(outcomes))], "Päätös hakemuksen perusteella.", nil)
	return err
}

func defaultWorkers() int { return max(2, 4*runtime.GOMAXPROCS(0)) }
