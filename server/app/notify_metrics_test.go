package app

import (
	"testing"
	"time"

	"asiointi/server/config"
	"asiointi/server/notify"
	"asiointi/server/store"
)

// TestDispatcherMetrics: the program's dispatcher counts each delivery
// on /metrics by channel and outcome (bounded labels).
func TestDispatcherMetrics(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"ASIOINTI_DATA": dir, "ASIOINTI_ADDR": "127.0.0.1:0", "ASIOINTI_METRICS_ADDR": "127.0.0.1:0"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(); err != nil {
		m.Close()
		t.Fatal(err)
	}
	defer m.Close()
	// A notice to someone unknown: its live delivery goes through, its
	// e-mail is dropped (no such person).
	err = m.Store.Update(func(tx *store.Tx) error {
		if err := tx.Put(store.NotifyPrefs, "nobody", notify.Preferences{On: map[string][]string{notify.KindDraftExpiring: {notify.ChannelEmail}}}); err != nil {
			return err
		}
		return notify.Record(tx, notify.Notification{User: "nobody", Kind: notify.KindDraftExpiring, At: time.Now(), Link: "/drafts/x"})
	})
	if err != nil {
		t.Fatal(err)
	}
	m.Notify.Kick()
	want := map[string]float64{
		`asiointi_notify_deliveries_total{channel="live",outcome="delivered"}`: 1,
		`asiointi_notify_deliveries_total{channel="email",outcome="dropped"}`:  1,
		`asiointi_live_connections`: 0,
	}
	var vals map[string]float64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		vals = scrape(t, "http://"+m.MetricsAddr()+"/metrics")
		if vals[`asiointi_notify_deliveries_total{channel="email",outcome="dropped"}`] == 1 {
			break
		}
	}
	for k, v := range want {
		if got, ok := vals[k]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
}
