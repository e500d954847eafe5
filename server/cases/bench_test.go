package cases_test

// Benchmarks of the store path of autosave and submit, with fsync on (the
// default store options), next to raw bbolt writes of the same size. Each
// reports ops/s; compare BenchmarkSaveDraft with BenchmarkRawBoltPut for
// the autosave/raw ratio. Run:
//
//	go test -run xxx -bench . -benchtime 3s ./server/cases/

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"asiointi/i18n"
	"asiointi/server/cases"
	"asiointi/server/forms/definitions"
	"asiointi/server/identity"
	"asiointi/server/internal/cputime"
	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/store/storetest"
)

// benchClients is the number of concurrent clients (goroutines).
const benchClients = 64

func setClients(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((benchClients + procs - 1) / procs)
}

func clients() int {
	procs := runtime.GOMAXPROCS(0)
	return (benchClients + procs - 1) / procs * procs
}

// benchEnv is a fresh fsync-on store with the real clock.
func benchEnv(b *testing.B) *env {
	e := newEnvAt(b, time.Now(), store.Options{})
	e.svc.Now = time.Now
	return e
}

// sportsShiftDraftData is a realistic, complete sports-shift draft of about
// 1 KB of JSON; seq varies the free text as typing would.
func sportsShiftDraftData(seq int) map[string]any {
	return map[string]any{
		"contactFirstName": "Aino", "contactLastName": "Virtanen",
		"contactEmail": "aino.virtanen@example.fi", "contactPhone": "+358 40 123 4567",
		"groupName": "Esimerkkilän Urheiluseuran salibandyjuniorit", "groupType": "association",
		"businessId": "2345678-0", "ageGroup": "children", "participants": 24.0,
		"hall": "sports-centre-main", "weekday": "thu", "startTime": "17.30", "duration": "90",
		"season": "full", "equipmentNeeded": true,
		"equipment": "Kaksi salibandymaalia, kaukalon laidat koko kentälle, 30 mailaa ja palloja harjoituksiin sekä tulostaulu otteluita varten.",
		"notes": fmt.Sprintf("Toivomme samaa torstain vuoroa kuin viime kaudella, koska valmentajat ja huoltajat ovat sopineet aikataulunsa sen mukaan. "+
			"Ryhmässä on 8–12-vuotiaita lapsia, joista osa tulee suoraan koulun iltapäiväkerhosta. Voimme tarvittaessa joustaa puolella tunnilla. "+
			"Lisäksi kysymme mahdollisuutta käyttää pukuhuonetta 15 minuuttia ennen vuoroa. (muokkaus %06d)", seq),
	}
}

// draftRecordSize is the encoded size of a saved sports-shift draft
// record, the value a Save writes.
func draftRecordSize(b *testing.B) (record, data int) {
	e := benchEnv(b)
	d := e.create("sports-shift", e.ref(hetuAino), nil)
	out, _, err := e.svc.Save(d.ID, d.Owner.ID, d.Version, sportsShiftDraftData(1), 1)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := json.Marshal(out)
	if err != nil {
		b.Fatal(err)
	}
	dataRaw, _ := json.Marshal(out.Data)
	return len(raw), len(dataRaw)
}

// reportOps reports throughput and sizes; call it after the timed part
// (ResetTimer clears reported metrics).
func reportOps(b *testing.B, record, data int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
	}
	if record > 0 {
		b.ReportMetric(float64(record), "record-bytes")
	}
	if data > 0 {
		b.ReportMetric(float64(data), "data-bytes")
	}
}

// BenchmarkSaveDraft: 64 clients autosave their own draft, each with the
// version the previous save returned.
func BenchmarkSaveDraft(b *testing.B) {
	size, dataSize := draftRecordSize(b)
	e := benchEnv(b)
	aino := e.ref(hetuAino)
	n := clients()
	drafts := make([]*cases.Draft, n)
	for i := range drafts {
		drafts[i] = e.create("sports-shift", aino, nil)
	}
	var next atomic.Int64
	setClients(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		d := drafts[int(next.Add(1)-1)%n]
		v := d.Version
		seq := 0
		for pb.Next() {
			seq++
			out, _, err := e.svc.Save(d.ID, aino.ID, v, sportsShiftDraftData(seq), 1)
			if err != nil {
				b.Error(err)
				return
			}
			v = out.Version
		}
	})
	reportOps(b, size, dataSize)
}

// BenchmarkSubmit: 64 clients each submit a fresh, complete draft per
// iteration. The drafts are prepared before the timer starts.
func BenchmarkSubmit(b *testing.B) {
	e := benchEnv(b)
	aino := e.ref(hetuAino)
	drafts := make([]*cases.Draft, b.N)
	var wg sync.WaitGroup
	var prep atomic.Int64
	for w := 0; w < benchClients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(prep.Add(1) - 1)
				if i >= b.N {
					return
				}
				d, err := e.svc.CreateDraft("sports-shift", aino, nil)
				if err == nil {
					d, _, err = e.svc.Save(d.ID, aino.ID, d.Version, sportsShiftDraftData(i), 2)
				}
				if err != nil {
					b.Error(err)
					return
				}
				drafts[i] = d
			}
		}()
	}
	wg.Wait()
	if b.Failed() {
		return
	}
	var next atomic.Int64
	setClients(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			d := drafts[next.Add(1)-1]
			res, err := e.svc.Submit(d.ID, aino)
			if err != nil || res.Case == nil || res.Again {
				b.Errorf("submit: %v %+v", err, res)
				return
			}
		}
	})
	reportOps(b, 0, 0)
}

// BenchmarkRawBoltPut: 64 clients write values of a saved draft's size
// under fresh time-ordered keys, one store.Update each (batched like Save).
func BenchmarkRawBoltPut(b *testing.B) {
	size, _ := draftRecordSize(b)
	st, err := storetest.Open(b, b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = 'a' + byte(i%26)
	}
	setClients(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := store.NewID(time.Now())
			if err := st.Update(func(tx *store.Tx) error { return tx.PutRaw(store.Drafts, key, payload) }); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportOps(b, size, 0)
}

// BenchmarkSubmitProxy: as BenchmarkSubmit, by Juhani acting for Helmi
// (home-help), so that each submit records notifications (Helmi's and
// Juhani's: in-app, live, and an e-mail to Helmi, who has no address),
// and the dispatcher delivers them as the server's does (live to the hub,
// e-mail to the demo recorder) within the timed part. allocs/op and B/op
// are per submit with its deliveries, and cpu-ns/op the process's CPU
// time per submit (what load elsewhere moves far less than ns/op); with
// -tags asiointi_nonotify (nothing recorded) they are the figures
// without the pipeline:
//
//	go test -run xxx -bench SubmitProxy -benchmem ./server/cases/
//	go test -tags asiointi_nonotify -run xxx -bench SubmitProxy -benchmem ./server/cases/
func BenchmarkSubmitProxy(b *testing.B) {
	e := benchEnv(b)
	juhani, helmi := e.ref(hetuJuhani), e.principal(hetuHelmi, "mandate")
	drafts := make([]*cases.Draft, b.N)
	var wg sync.WaitGroup
	var prep atomic.Int64
	for w := 0; w < benchClients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(prep.Add(1) - 1)
				if i >= b.N {
					return
				}
				d, err := e.svc.CreateDraft("home-help", juhani, helmi)
				if err == nil {
					d, _, err = e.svc.Save(d.ID, juhani.ID, d.Version, merge(d.Data, homeHelpAnswers()), 1)
				}
				if err != nil {
					b.Error(err)
					return
				}
				drafts[i] = d
			}
		}()
	}
	wg.Wait()
	if b.Failed() {
		return
	}
	msg, err := i18n.Load()
	if err != nil {
		b.Fatal(err)
	}
	inbox := &notify.Inbox{Store: e.st}
	disp := &notify.Dispatcher{Store: e.st, People: reach{e.reg}, Log: slog.New(slog.DiscardHandler),
		Render: &notify.Renderer{Msg: msg, ServiceName: func(id, _ string) string { return id }},
		Senders: map[string]notify.Sender{notify.ChannelLive: &notify.Live{Hub: &notify.Hub{}, Inbox: inbox},
			notify.ChannelEmail: &notify.Recorder{Store: e.st}}}
	var next atomic.Int64
	setClients(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Process()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			d := drafts[next.Add(1)-1]
			res, err := e.svc.Submit(d.ID, juhani)
			if err != nil || res.Case == nil || res.Again {
				b.Errorf("submit: %v %+v", err, res)
				return
			}
		}
	})
	for {
		n, err := disp.RunOnce(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
	reportOps(b, 0, 0)
}

// reach is the dispatcher's Directory as the server's (app.recipients):
// a recipient's language and addresses alone.
type reach struct{ dir *identity.Directory }

func (r reach) Person(id string) (population.Person, error) { return r.dir.Reach(id) }

// BenchmarkAutosaveFields: one client autosaves a draft whose first step
// has 10 and 200 text fields, all answered, one answer changed per save
// (as typing does), on a store without fsync: cpu-ns/op is the CPU of a
// save (issue 9: a 200-field autosave within 1.5× of a 10-field one).
// save=changes is what autosave sends (SaveChanges of the one answer),
// save=whole the whole answers (Save, the JSON API's PUT). Run:
//
//	go test -run xxx -bench AutosaveFields -benchmem ./server/cases/
func BenchmarkAutosaveFields(b *testing.B) {
	for _, mode := range []string{"changes", "whole"} {
		for _, n := range []int{10, 200} {
			b.Run(fmt.Sprintf("save=%s/fields=%d", mode, n), func(b *testing.B) {
				e := newEnvAt(b, time.Now(), store.Options{NoSync: true})
				e.svc.Now = time.Now
				importWideForm(b, e, n)
				aino := e.ref(hetuAino)
				d := e.create("sports-shift", aino, nil)
				data := wideAnswers(n)
				out, _, err := e.svc.Save(d.ID, aino.ID, d.Version, data, 0)
				if err != nil {
					b.Fatal(err)
				}
				v := out.Version
				b.ReportAllocs()
				b.ResetTimer()
				cpu := cputime.Process()
				for i := range b.N {
					answer := fmt.Sprintf("Vastaus %d", i)
					if mode == "changes" {
						out, _, err = e.svc.SaveChanges(d.ID, aino.ID, v, map[string]any{"extra0": answer}, 0)
					} else {
						data["extra0"] = answer
						out, _, err = e.svc.Save(d.ID, aino.ID, v, data, 0)
					}
					if err != nil {
						b.Fatal(err)
					}
					v = out.Version
				}
				b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// importWideForm imports a newer sports-shift form whose first step has n
// fields: its own four and text fields extra0… (as TestBenchStepFields in
// server/web builds it).
func importWideForm(b *testing.B, e *env, n int) {
	b.Helper()
	raw, err := fs.ReadFile(definitions.FS, "sports-shift.json")
	if err != nil {
		b.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(raw, &m); err != nil {
		b.Fatal(err)
	}
	m["version"] = 2.0
	step := m["steps"].([]any)[0].(map[string]any)
	fields := step["fields"].([]any)
	for i := range n - len(fields) {
		id := "extra" + strconv.Itoa(i)
		fields = append(fields, map[string]any{
			"id": id, "type": "text", "required": true, "maxLength": 100.0,
			"label":   map[string]any{"fi": "Lisäkenttä " + id, "sv": "Extra fält " + id, "en": "Extra field " + id},
			"concept": "bench." + id, "legalBasis": "390/2015 5 §", "retention": "P2Y",
			"purpose": map[string]any{"fi": "Mittaus.", "sv": "Mätning.", "en": "Measuring."},
		})
	}
	step["fields"] = fields
	raw, _ = json.Marshal(m)
	if _, err := cases.Import(e.st, e.cat, e.svc.Forms, raw); err != nil {
		b.Fatal(err)
	}
}

// wideAnswers answers every field of importWideForm's first step.
func wideAnswers(n int) map[string]any {
	data := map[string]any{"contactFirstName": "Aino", "contactLastName": "Virtanen",
		"contactEmail": "aino.virtanen@example.fi", "contactPhone": "+358 40 123 4567"}
	for i := range n - 4 {
		id := "extra" + strconv.Itoa(i)
		data[id] = "Vastaus " + id
	}
	return data
}

// BenchmarkCreateDraft: one client starts sports-shift drafts (what each
// iteration of loadgen's submit mode does first), on a store without
// fsync, for a person with 20 earlier sports-shift applications of their
// own. who=aino: the registers answer every prefill field; who=helmi: the
// register has no e-mail address for her, so it comes from her newest own
// earlier case, and prefill reads past 20 newer home-help cases Juhani
// sent for her (in her list, not hers to prefill from) to find it.
// who=aino/then=save also saves each new draft once, with complete
// answers, as loadgen's submit mode does before it submits. Run (a fixed
// count: what the bucket pages hold grows with the drafts made):
//
//	go test -run xxx -bench CreateDraft -benchtime 2000x -benchmem ./server/cases/
func BenchmarkCreateDraft(b *testing.B) {
	for _, name := range []string{"aino", "helmi", "aino/then=save"} {
		who, save := strings.CutSuffix(name, "/then=save")
		b.Run("who="+name, func(b *testing.B) {
			e := newEnvAt(b, time.Now(), store.Options{NoSync: true})
			e.svc.Now = time.Now
			hetu := map[string]string{"aino": hetuAino, "helmi": hetuHelmi}[who]
			owner := e.ref(hetu)
			for i := range 20 {
				e.fill("sports-shift", owner, nil, sportsShiftDraftData(i))
			}
			juhani, principal := e.ref(hetuJuhani), e.principal(hetu, "mandate")
			for range map[string]int{"helmi": 20}[who] {
				d := e.create("home-help", juhani, principal)
				e.save(d, homeHelpAnswers())
				e.submit(d)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cputime.Process()
			for i := range b.N {
				d, err := e.svc.CreateDraft("sports-shift", owner, nil)
				if err != nil {
					b.Fatal(err)
				}
				if d.Prefill["contactEmail"].Value == nil {
					b.Fatalf("no e-mail prefilled: %+v", d.Prefill)
				}
				if save {
					if _, _, err := e.svc.Save(d.ID, owner.ID, d.Version, sportsShiftDraftData(i), 1); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}
