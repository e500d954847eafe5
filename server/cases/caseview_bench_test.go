package cases_test

// BenchmarkCaseView measures a handler opening a case with and without
// the access-log entry that opening writes (issue 15: the entry rides the
// store's group commit). Sequential: one handler at a time (each view
// waits for its own commit and fsync); parallel: 64 handlers at once,
// whose entries share commits. Both variants run in the same process, on
// the same store, one after the other. Run:
//
//	go test -run xxx -bench CaseView -benchtime 2s ./server/cases/

import (
	"fmt"
	"testing"

	"asiointi/server/cases"
	"asiointi/server/identity"
)

func BenchmarkCaseView(b *testing.B) {
	e := benchEnv(b)
	var ids []string
	for range 50 {
		_, c := e.fill("sports-shift", e.ref(hetuAino), nil, sportsShiftAnswers())
		ids = append(ids, c.ID)
	}
	sara := cases.Ref{ID: "sara", Name: "Sara Sjöberg", Kind: identity.Staff}
	views := map[string]func(id string, who cases.Ref) (*cases.Case, []cases.Event, []cases.Note, error){
		"with-access-log":    e.svc.HandlerCase,
		"without-access-log": e.svc.HandlerCaseUnlogged,
	}
	for _, mode := range []string{"sequential", "parallel"} {
		for _, name := range []string{"without-access-log", "with-access-log"} {
			view := views[name]
			b.Run(fmt.Sprintf("%s/%s", mode, name), func(b *testing.B) {
				if mode == "sequential" {
					for i := 0; b.Loop(); i++ {
						if _, _, _, err := view(ids[i%len(ids)], sara); err != nil {
							b.Fatal(err)
						}
					}
				} else {
					setClients(b)
					b.RunParallel(func(pb *testing.PB) {
						i := 0
						for pb.Next() {
							if _, _, _, err := view(ids[i%len(ids)], sara); err != nil {
								b.Error(err)
								return
							}
							i++
						}
					})
				}
				reportOps(b, 0, 0)
			})
		}
	}
}
