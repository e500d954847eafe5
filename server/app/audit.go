package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"asiointi/server/audit"
	"asiointi/server/datefmt"
	"asiointi/server/store"
)

// anchorAudit writes the access log's head to the program's log once a
// day (and at start): a copy of the chain's state outside the database,
// so that a file rewritten behind the program's back no longer matches
// what the logs say.
func (m *Main) anchorAudit(now time.Time) {
	day := now.In(datefmt.Helsinki()).Format(time.DateOnly)
	if day == m.anchoredOn {
		return
	}
	h, err := audit.HeadOf(m.Store)
	if err != nil {
		m.Log.Error("audit anchor", "err", err.Error())
		return
	}
	m.anchoredOn = day
	m.Log.Info("audit anchor", "day", day, "seq", h.Seq, "hash", h.Hash)
}

// auditVerify answers the admin socket's /audit-verify.
func (m *Main) auditVerify(w http.ResponseWriter, _ *http.Request) {
	n, err := audit.Verify(m.Store)
	out := map[string]any{"entries": n}
	if err != nil {
		out["broken"] = err.Error()
	}
	json.NewEncoder(w).Encode(out)
}

// AuditVerify checks the access log's hash chain in dataDir: through the
// running server when there is one, else by opening the file read-only.
// It returns the entries checked; a broken chain is an error naming the
// first broken link.
func AuditVerify(dataDir string) (uint64, error) {
	resp, err := adminClient(dataDir).Get("http://admin/audit-verify")
	if err == nil {
		defer resp.Body.Close()
		var out struct {
			Entries uint64
			Broken  string
		}
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
			return 0, fmt.Errorf("server answered %s", resp.Status)
		}
		if out.Broken != "" {
			return out.Entries, errors.New(strings.TrimSpace(out.Broken))
		}
		return out.Entries, nil
	}
	st, err := openOffline(dataDir, store.Options{Timeout: 3 * time.Second, ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	return audit.Verify(st)
}
