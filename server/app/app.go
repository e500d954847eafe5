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

	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/config"
	"asiointi/server/identity"
	"asiointi/server/metrics"
	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/store"
	"asiointi/server/suomifi/messages"
	"asiointi/server/web"
	"asiointi/server/wiring"
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

	Store    *store.Store
	Web      *web.Server
	Cases    *cases.Service
	Sessions *identity.Sessions
	Metrics  *metrics.Registry
	// Notify delivers the notification outbox.
	Notify *notify.Dispatcher

	stopNotify context.CancelFunc
	bus        *hubBus // several nodes on one PostgreSQL (nodes.go); nil otherwise
	anchoredOn string  // the Helsinki day the access log's head was last logged (audit.go)
	// messages is the Suomi.fi Messages client (nil: not configured).
	messages *messages.Client
	// loginStates are outside logins in flight and used one-time ids.
	loginStates *identity.LoginStates

	ln        net.Listener
	metricsLn net.Listener
	metricsS  *http.Server
	adminLn   net.Listener
	adminS    *http.Server
	done      chan struct{}
	serveErr  error
	wg        sync.WaitGroup
}

// Open opens the store, upgrades an earlier data file, and builds the
// installation's parts (wiring.Build) and, on them, the server.
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
	if opt.URL == "" {
		opt.URL = m.Config.Store
	}
	st, err := store.Open(m.Config.DataDir, opt)
	if err != nil {
		return err
	}
	m.Store = st
	if err := upgrade(st, m.Now()); err != nil {
		return err
	}
	parts, err := wiring.Build(st, wiring.Options{Config: m.Config, Now: m.Now, Log: m.Log, Catalogs: m.Catalogs})
	if err != nil {
		return err
	}
	m.Cases, m.Sessions, m.loginStates = parts.Cases, parts.Sessions, parts.LoginStates
	if err := m.Cases.UpgradeRetention(); err != nil {
		return fmt.Errorf("upgrade the data file: %w", err)
	}
	m.Metrics = metrics.New()
	storeMetrics(m.Metrics, st)
	senders, err := m.senders(parts.Outbox)
	if err != nil {
		return err
	}
	m.Notify = &notify.Dispatcher{Store: st, Render: web.NoticeRenderer(parts.Messages, parts.Catalog, m.Config.BaseURL),
		People: recipients{parts.Directory}, Senders: senders, Log: m.Log, Now: m.Now, Observe: m.Metrics.ObserveDelivery,
		Links: map[string]notify.LinkFunc{ // invitations: a one-time token per message
			notify.KindInvitation: parts.Cases.InvitationLink, notify.KindInvitationReminder: parts.Cases.InvitationLink}}
	m.Web, err = web.New(web.Deps{Config: m.Config, Log: m.Log, Now: m.Now, Metrics: m.Metrics, Storage: st,
		Messages: parts.Messages, Municipality: parts.Municipality, Catalog: parts.Catalog, Cases: parts.Cases,
		Directory: parts.Directory, Sessions: parts.Sessions, Secret: parts.Secret,
		Inbox: parts.Inbox, Prefs: parts.Prefs, Outbox: parts.Outbox, Push: parts.Push,
		Statements: parts.Statements, Feedback: parts.Feedback, Access: parts.Access,
		EID: parts.EID, StaffSSO: parts.StaffSSO, Mandates: parts.Mandates})
	if err != nil {
		return err
	}
	m.Notify.Senders[notify.ChannelPush] = parts.Push
	live := m.Web.Live()
	m.Notify.Senders[notify.ChannelLive] = live
	if st.Shared() { // other nodes' pages hear this node's events, and the other way round
		m.bus = &hubBus{st: st, hub: live.Hub, node: store.NewID(m.Now()), log: m.Log}
		live.Hub.SetBus(m.bus)
	}
	m.Metrics.GaugeFunc("asiointi_live_connections", "Open live (WebSocket) connections.", func() float64 {
		return float64(live.Hub.Len())
	})
	return nil
}

// recipients finds the people notifications go to; someone the register
// does not know (a staff member has no e-mail address there) cannot get
// one by e-mail or SMS however often it is tried.
type recipients struct{ dir *identity.Directory }

func (r recipients) Person(id string) (population.Person, error) {
	p, err := r.dir.Reach(id) // language and addresses: what a message needs
	if errors.Is(err, identity.ErrUnknown) {
		err = fmt.Errorf("%w: %v", notify.ErrPermanent, err)
	}
	return p, err
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
	if st.Shared() { // PostgreSQL: concurrent writes that met and were run again
		r.CounterFunc("asiointi_store_retries_total", "Write transactions run again after a PostgreSQL serialization failure or deadlock.", nil, func() float64 {
			return float64(st.Retries())
		})
	}
	r.CounterFunc("asiointi_store_mapped_trims_total", "Times the store dropped the pages of its database file that the process had mapped, after they grew past the store's budget (bbolt on Linux; the data stays in the page cache).", nil, func() float64 {
		return float64(st.MappedTrims())
	})
	r.GaugeFunc("asiointi_store_writable", "1 while the database can write; 0 from a failed write until a probe write succeeds with enough free space (/readyz answers 503 meanwhile).", func() float64 {
		if st.Writable() {
			return 1
		}
		return 0
	})
}

// senders are the delivery adapters the configuration names; in demo
// mode e-mail and SMS left unset go to the demo outbox (rec).
func (m *Main) senders(rec *notify.Recorder) (map[string]notify.Sender, error) {
	out := map[string]notify.Sender{}
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
	// Suomi.fi Messages: for the configured kinds, when configured.
	var kinds []string
	if c := m.Config; c.MessagesURL != "" {
		m.messages = &messages.Client{BaseURL: c.MessagesURL, Username: c.MessagesUsername, Password: c.MessagesPassword,
			ServiceID: c.MessagesServiceID}
		out[notify.ChannelSuomiFi] = &messages.Channel{Client: m.messages}
		kinds = c.MessagesKinds
	}
	if err := notify.SetMessagesKinds(m.Store, kinds); err != nil {
		return nil, fmt.Errorf("ASIOINTI_MESSAGES_KINDS: %w", err)
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
		m.serveErr = m.Web.Serve(ln)
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
	m.anchorAudit(m.Now())
	go m.housekeeping()
	go func() { defer m.wg.Done(); m.Notify.Run(ctx) }()
	if m.bus != nil {
		m.wg.Add(1)
		go func() { defer m.wg.Done(); m.bus.listen(ctx) }()
	}
	if m.messages != nil {
		p := &messages.Poller{Client: m.messages, Store: m.Store, Log: m.Log}
		m.wg.Add(1)
		go func() { defer m.wg.Done(); p.Run(ctx, time.Minute) }()
	}
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
			// One node at a time (on bbolt there is one).
			if _, err := m.Store.Exclusive("housekeeping", m.housekeep); err != nil {
				m.Log.Error("housekeeping", "err", err)
			}
		}
	}
}

// housekeep is one round of housekeeping.
func (m *Main) housekeep() {
	if del, rem, err := m.Cases.Housekeep(); err != nil {
		m.Log.Error("draft housekeeping", "err", err)
	} else if del+rem > 0 {
		m.Log.Info("drafts housekept", "expired", del, "reminded", rem)
	}
	if exp, rem, err := m.Cases.HousekeepInvitations(); err != nil {
		m.Log.Error("invitation housekeeping", "err", err)
	} else if exp+rem > 0 {
		m.Log.Info("invitations housekept", "expired", exp, "reminded", rem)
	}
	if rem, dig, err := m.Cases.Deadlines(); err != nil {
		m.Log.Error("deadlines", "err", err)
	} else if rem+dig > 0 {
		m.Log.Info("deadlines", "supplementReminders", rem, "digests", dig)
	}
	if ans, del, err := m.Cases.Retain(); err != nil {
		m.Log.Error("case retention", "err", err)
	} else if ans+del > 0 {
		m.Log.Info("retention: deleted", "answers", ans, "cases", del)
	}
	if n, err := m.Cases.CollectOrphans(); err != nil {
		m.Log.Error("orphaned files", "err", err)
	} else if n > 0 {
		m.Log.Info("orphaned files deleted", "count", n)
	}
	m.anchorAudit(m.Now())
	if n, err := notify.Prune(m.Store, m.Now()); err != nil {
		m.Log.Error("notification retention", "err", err)
	} else if n > 0 {
		m.Log.Info("old notifications deleted", "count", n)
	}
	if n, err := m.Sessions.Sweep(); err != nil {
		m.Log.Error("session sweep", "err", err)
	} else if n > 0 {
		m.Log.Info("sessions expired", "count", n)
	}
	if _, err := m.loginStates.Sweep(); err != nil {
		m.Log.Error("login state sweep", "err", err)
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
		// A Run that failed right after listening may close before its
		// server took the listener, which Shutdown then does not know:
		// closed here, that server stops at once.
		m.ln.Close()
		<-m.done
		if m.stopNotify != nil { // nil when Run failed before starting them
			m.stopNotify()
		}
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
