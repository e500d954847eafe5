// Package app wires the program together: configuration, store, demo data
// and the HTTP server, with Run and Close so tests can start the whole
// thing on a free port.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"asiointi/i18n"
	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/config"
	"asiointi/server/identity"
	"asiointi/server/metrics"
	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/web"
)

// Main is one running Asiointi.
type Main struct {
	Config config.Config
	Log    *slog.Logger
	Now    func() time.Time
	// StoreOptions tune the database (tests: CommitFault, ProbeEvery);
	// Log is filled in from Main's.
	StoreOptions store.Options
	// Catalogs are the service catalogues by municipality; nil means the
	// embedded one. The server serves the default municipality's.
	Catalogs *catalog.Set

	Store   *store.Store
	Web     *web.Server
	Cases   *cases.Service
	Metrics *metrics.Registry
	// Notify delivers the notification outbox.
	Notify *notify.Dispatcher

	stopNotify context.CancelFunc

	ln        net.Listener
	metricsLn net.Listener
	metricsS  *http.Server
	adminLn   net.Listener
	adminS    *http.Server
	done      chan struct{}
	serveErr  error
	wg        sync.WaitGroup
}

// Open opens the store, seeds demo data and builds the server.
func (m *Main) Open() error {
	if m.Now == nil {
		m.Now = time.Now
	}
	if m.Log == nil {
		m.Log = slog.Default()
	}
	opt := m.StoreOptions
	if opt.Log == nil {
		opt.Log = m.Log
	}
	st, err := store.Open(m.Config.DataDir, opt)
	if err != nil {
		return err
	}
	m.Store = st
	if err := upgrade(st); err != nil {
		return err
	}
	if m.Config.Mode == config.Demo {
		d, err := population.Demo()
		if err != nil {
			return err
		}
		seeded, err := identity.Seed(st, d, m.Now())
		if err != nil {
			return err
		}
		if seeded {
			m.Log.Info("demo data seeded", "people", len(d.People), "staff", len(d.Staff))
		}
	}
	msgs, err := i18n.Load()
	if err != nil {
		return err
	}
	muni, cat, err := servedCatalog(st, m.Catalogs)
	if err != nil {
		return err
	}
	fs, err := cases.LoadForms(st, cat)
	if err != nil {
		return err
	}
	m.Cases = &cases.Service{Store: st, Catalog: cat, Forms: fs, Register: &identity.Directory{Store: st},
		RefPrefix: muni.RefPrefix, Now: m.Now}
	m.Metrics = metrics.New()
	storeMetrics(m.Metrics, st)
	senders, err := m.senders(st)
	if err != nil {
		return err
	}
	m.Notify = &notify.Dispatcher{Store: st, Render: web.NoticeRenderer(msgs, cat, m.Config.BaseURL),
		People: &identity.Directory{Store: st}, Senders: senders, Log: m.Log, Now: m.Now}
	m.Web, err = web.New(web.Deps{Config: m.Config, Store: st, I18n: msgs, Metrics: m.Metrics, Log: m.Log, Now: m.Now,
		Catalog: cat, Cases: m.Cases})
	if err != nil {
		return err
	}
	m.Notify.Senders[notify.ChannelPush] = m.Web.Push()
	m.Notify.Senders[notify.ChannelLive] = m.Web.Live()
	return nil
}

// storeMetrics exposes the store's write health.
func storeMetrics(r *metrics.Registry, st *store.Store) {
	const failures = "asiointi_store_write_failures_total"
	const help = "Writes whose commit failed, by reason: disk_full (no space or quota left on the file system), io_error (any other)."
	r.CounterFunc(failures, help, map[string]string{"reason": "disk_full"}, func() float64 {
		full, _ := st.WriteFailures()
		return float64(full)
	})
	r.CounterFunc(failures, help, map[string]string{"reason": "io_error"}, func() float64 {
		_, other := st.WriteFailures()
		return float64(other)
	})
	r.GaugeFunc("asiointi_store_writable", "1 while the database can write; 0 from a failed write until a probe write succeeds with enough free space (/readyz answers 503 meanwhile).", func() float64 {
		if st.Writable() {
			return 1
		}
		return 0
	})
}

// senders are the delivery adapters the configuration names; in demo
// mode e-mail and SMS left unset go to the demo outbox.
func (m *Main) senders(st *store.Store) (map[string]notify.Sender, error) {
	out := map[string]notify.Sender{}
	rec := &notify.Recorder{Store: st, Now: m.Now}
	demo := m.Config.Mode == config.Demo
	switch {
	case m.Config.SMTPURL != "":
		mailer, err := notify.NewMailer(m.Config.SMTPURL, m.Config.MailFrom)
		if err != nil {
			return nil, fmt.Errorf("ASIOINTI_SMTP_URL: %w", err)
		}
		out[notify.ChannelEmail] = mailer
	case demo:
		out[notify.ChannelEmail] = rec
	}
	switch {
	case m.Config.SMSURL != "":
		gw, err := notify.NewSMSGateway(m.Config.SMSURL, m.Config.SMSToken)
		if err != nil {
			return nil, fmt.Errorf("ASIOINTI_SMS_URL: %w", err)
		}
		out[notify.ChannelSMS] = gw
	case demo:
		out[notify.ChannelSMS] = rec
	}
	return out, nil
}

// Run listens and serves in the background; Addr tells where.
func (m *Main) Run() error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.ln = ln
	m.done = make(chan struct{})
	go func() {
		defer close(m.done)
		m.serveErr = m.Web.App().Listener(ln)
	}()
	if m.Config.MetricsAddr != "" {
		mln, err := net.Listen("tcp", m.Config.MetricsAddr)
		if err != nil {
			return fmt.Errorf("metrics listener on %s: %w", m.Config.MetricsAddr, err)
		}
		m.metricsLn = mln
		mux := http.NewServeMux()
		mux.Handle("/metrics", m.Metrics.Handler())
		m.metricsS = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go m.metricsS.Serve(mln)
	}
	if err := m.startAdmin(); err != nil {
		return err
	}
	if m.Notify.Render.BaseURL == "" { // demo: links to where it listens
		m.Notify.Render.BaseURL = "http://" + ln.Addr().String()
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.stopNotify = cancel
	m.wg.Add(2)
	go m.housekeeping()
	go func() { defer m.wg.Done(); m.Notify.Run(ctx) }()
	m.Log.Info("listening", "addr", ln.Addr().String(), "mode", string(m.Config.Mode), "data", m.Config.DataDir)
	return nil
}

func (m *Main) housekeeping() {
	defer m.wg.Done()
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-m.done:
			return
		case <-t.C:
			if del, rem, err := m.Cases.Housekeep(); err != nil {
				m.Log.Error("draft housekeeping", "err", err)
			} else if del+rem > 0 {
				m.Log.Info("drafts housekept", "expired", del, "reminded", rem)
			}
			if n, err := m.Web.SweepSessions(); err != nil {
				m.Log.Error("session sweep", "err", err)
			} else if n > 0 {
				m.Log.Info("sessions expired", "count", n)
			}
		}
	}
}

// Addr is the address the server listens on (useful with port 0).
func (m *Main) Addr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// MetricsAddr is the address of the metrics listener, if there is one.
func (m *Main) MetricsAddr() string {
	if m.metricsLn == nil {
		return ""
	}
	return m.metricsLn.Addr().String()
}

// Close stops accepting, lets in-flight requests finish (up to 10 s),
// closes the store and returns.
func (m *Main) Close() error {
	var errs []error
	if m.Web != nil && m.ln != nil {
		if err := m.Web.Shutdown(10 * time.Second); err != nil {
			errs = append(errs, err)
		}
		<-m.done
		m.stopNotify()
		m.wg.Wait()
	}
	m.stopAdmin()
	if m.metricsS != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		m.metricsS.Shutdown(ctx)
		cancel()
	}
	if m.Store != nil {
		if err := m.Store.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
