package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/identity"
	"asiointi/server/publish"
	"asiointi/server/store"
	"asiointi/server/wiring"
)

// AdminSocket is the operator socket inside the data directory. Only the
// user that runs the server can open it (mode 0600): that is its
// authentication. `asiointi backup` and `asiointi check` use it while the
// server runs, because the server holds the database's lock.
const AdminSocket = "admin.sock"

func (m *Main) startAdmin() error {
	path := filepath.Join(m.Config.DataDir, AdminSocket)
	_ = os.Remove(path) // a stale socket from a killed process
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("admin socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/backup", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, err := m.Store.BackupSized(func(size int64) io.Writer {
			w.Header().Set("Content-Length", fmt.Sprint(size))
			return w
		})
		if errors.Is(err, store.ErrBackupPostgres) { // nothing written yet
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		if err != nil {
			m.Log.Error("backup failed", "err", err.Error())
		}
	})
	mux.HandleFunc("/check", func(w http.ResponseWriter, r *http.Request) {
		var out []string
		for _, e := range m.Store.Check() {
			out = append(out, e.Error())
		}
		json.NewEncoder(w).Encode(map[string]any{"problems": out, "path": m.Store.Path()})
	})
	mux.HandleFunc("/import-form", func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		d, err := cases.Import(m.Store, m.Cases.Catalog, m.Cases.Forms, raw)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		fmt.Fprintf(w, "%s version %d", d.Service, d.Version)
	})
	mux.HandleFunc("/audit-verify", m.auditVerify)
	mux.HandleFunc("/import-statement", func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		muni := m.Cases.Catalog.Municipality()
		if err := (&publish.Statements{Store: m.Store}).Import(muni, raw); err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		fmt.Fprintf(w, "the accessibility statement of %s", muni)
	})
	mux.HandleFunc("/import-municipality", func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		what, err := importMunicipality(m.Store, raw)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		fmt.Fprint(w, what)
	})
	m.adminS = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	m.adminLn = ln
	go m.adminS.Serve(ln)
	return nil
}

func (m *Main) stopAdmin() {
	if m.adminS != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		m.adminS.Shutdown(ctx)
		cancel()
		os.Remove(filepath.Join(m.Config.DataDir, AdminSocket))
	}
}

// adminClient talks to a running server's admin socket.
func adminClient(dataDir string) *http.Client {
	path := filepath.Join(dataDir, AdminSocket)
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
}

// ErrNotRunning means no server answers on the admin socket.
var ErrNotRunning = errors.New("no running server")

// Backup writes a consistent copy of the database in dataDir to path:
// through the running server when there is one, else from the file.
func Backup(dataDir, path string) (int64, error) {
	if store.IsPostgresURL(os.Getenv("ASIOINTI_STORE")) {
		return 0, store.ErrBackupPostgres
	}
	resp, err := adminClient(dataDir).Get("http://admin/backup")
	if err == nil {
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return 0, fmt.Errorf("server answered %s", resp.Status)
		}
		n, err := writeAtomic(path, resp.Body)
		if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
			os.Remove(path)
			return 0, fmt.Errorf("backup cut short: %d of %d bytes", n, resp.ContentLength)
		}
		return n, err
	}
	st, err := openOffline(dataDir, store.Options{ReadOnly: true, Timeout: 3 * time.Second})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	return st.BackupFile(path)
}

// openOffline opens the store of the operator commands when no server
// answers on the admin socket: the bbolt file in dataDir, or the
// PostgreSQL database that ASIOINTI_STORE names (read from the
// environment, as the commands read ASIOINTI_DATA).
func openOffline(dataDir string, opt store.Options) (*store.Store, error) {
	if opt.URL == "" {
		opt.URL = strings.TrimSpace(os.Getenv("ASIOINTI_STORE"))
	}
	return store.Open(dataDir, opt)
}

// Migrate copies the stopped installation's store (ASIOINTI_STORE, else
// the bbolt file in dataDir) into a new, empty one at to: a postgres://
// URL, or a directory for a bbolt file (back from PostgreSQL), and
// verifies every bucket (store.Copy). It refuses while a server answers
// on the admin socket: what it writes meanwhile would not be copied.
func Migrate(dataDir, to string) (store.CopyResult, error) {
	if resp, err := adminClient(dataDir).Get("http://admin/check"); err == nil {
		resp.Body.Close()
		return store.CopyResult{}, errors.New("a server is running on this data directory: stop it (and every other node) first")
	}
	src, err := openOffline(dataDir, store.Options{Timeout: 3 * time.Second})
	if err != nil {
		return store.CopyResult{}, err
	}
	defer src.Close()
	opt := store.Options{Timeout: 3 * time.Second}
	dir := to
	if store.IsPostgresURL(to) {
		opt.URL, dir = to, ""
	}
	dst, err := store.Open(dir, opt)
	if err != nil {
		return store.CopyResult{}, err
	}
	defer dst.Close()
	return store.Copy(dst, src)
}

func writeAtomic(path string, r io.Reader) (int64, error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return 0, err
	}
	return n, os.Rename(tmp, path)
}

// importThrough posts raw to the running server's admin socket at path;
// when no server answers, it opens the stopped store in dataDir, upgrades
// it, and runs offline on it. Either way it returns what was imported, in
// words.
func importThrough(dataDir, path string, raw []byte, offline func(*store.Store) (string, error)) (string, error) {
	resp, err := adminClient(dataDir).Post("http://admin"+path, "application/json", bytes.NewReader(raw))
	if err == nil {
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			return "", errors.New(strings.TrimSpace(string(body)))
		}
		return string(body), nil
	}
	st, err := openOffline(dataDir, store.Options{Timeout: 3 * time.Second})
	if err != nil {
		return "", err
	}
	defer st.Close()
	if err := upgrade(st, time.Now()); err != nil {
		return "", err
	}
	return offline(st)
}

// ImportForm validates a form definition and stores it as its service's
// newest version: through the running server when there is one (which
// starts using it at once), else into the file.
func ImportForm(dataDir string, raw []byte) (string, error) {
	return importThrough(dataDir, "/import-form", raw, func(st *store.Store) (string, error) {
		_, cat, err := wiring.ServedCatalog(st, nil)
		if err != nil {
			return "", err
		}
		fs, err := cases.LoadForms(st, cat)
		if err != nil {
			return "", err
		}
		d, err := cases.Import(st, cat, fs, raw)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s version %d", d.Service, d.Version), nil
	})
}

// ImportStatement checks an accessibility statement and makes it the
// served municipality's: through the running server when there is one,
// else into the file.
func ImportStatement(dataDir string, raw []byte) (string, error) {
	return importThrough(dataDir, "/import-statement", raw, func(st *store.Store) (string, error) {
		_, cat, err := wiring.ServedCatalog(st, nil)
		if err != nil {
			return "", err
		}
		if err := (&publish.Statements{Store: st}).Import(cat.Municipality(), raw); err != nil {
			return "", err
		}
		return "the accessibility statement of " + cat.Municipality(), nil
	})
}

// ImportMunicipality checks a municipality file (identity.ParseMunicipality,
// its services from the shipped catalogue) and makes it the
// installation's municipality: into a new data file before the first start
// of production, or as new details of the served one, through the running
// server when there is one (which shows them after a restart).
func ImportMunicipality(dataDir string, raw []byte) (string, error) {
	return importThrough(dataDir, "/import-municipality", raw, func(st *store.Store) (string, error) {
		return importMunicipality(st, raw)
	})
}

func importMunicipality(st *store.Store, raw []byte) (string, error) {
	shipped, err := catalog.Load()
	if err != nil {
		return "", err
	}
	m, err := identity.ParseMunicipality(raw, func(id string) bool { _, ok := shipped.Service(id); return ok })
	if err != nil {
		return "", err
	}
	created, err := identity.ImportMunicipality(st, m)
	if err != nil {
		return "", err
	}
	if created {
		return fmt.Sprintf("municipality %s (%s, %d services)", m.ID, m.Name.In("fi"), len(m.Services)), nil
	}
	return fmt.Sprintf("municipality %s (%s, %d services) updated; a running server shows the change after a restart", m.ID, m.Name.In("fi"), len(m.Services)), nil
}

// Check verifies the database in dataDir: through the running server when
// there is one, else by opening the file read-only.
func Check(dataDir string) (string, []string, error) {
	resp, err := adminClient(dataDir).Get("http://admin/check")
	if err == nil {
		defer resp.Body.Close()
		var out struct {
			Problems []string `json:"problems"`
			Path     string   `json:"path"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return "", nil, err
		}
		return out.Path, out.Problems, nil
	}
	st, err := openOffline(dataDir, store.Options{ReadOnly: true, Timeout: 3 * time.Second})
	if err != nil {
		return "", nil, err
	}
	defer st.Close()
	var probs []string
	for _, e := range st.Check() {
		probs = append(probs, e.Error())
	}
	return st.Path(), probs, nil
}

// DemoHistory writes n made-up cases over the two years before now into
// the stopped store in dataDir, so that the reports of a demo have a
// history to show (cases.GenerateHistory). The store must have been
// started once in demo mode (its staff hold the roles the cases are
// handled under); a running server holds the file and is not written to.
func DemoHistory(dataDir string, n int) (string, error) {
	st, err := store.Open(dataDir, store.Options{Timeout: 3 * time.Second})
	if err != nil {
		return "", fmt.Errorf("%w (stop the server first)", err)
	}
	defer st.Close()
	if err := upgrade(st, time.Now()); err != nil {
		return "", err
	}
	_, cat, err := wiring.ServedCatalog(st, nil)
	if err != nil {
		return "", err
	}
	fs, err := cases.LoadForms(st, cat)
	if err != nil {
		return "", err
	}
	svc := &cases.Service{Store: st, Catalog: cat, Forms: fs, Now: time.Now}
	if err := svc.AggregateExisting(); err != nil {
		return "", err
	}
	if err := svc.GenerateHistory(n, 730, time.Now(), uint64(time.Now().UnixNano())); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d made-up cases over two years", n), nil
}
