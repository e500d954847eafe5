// Package web is the HTTP layer: Fiber routes, middleware and thin handlers
// that call the domain packages and render pages or JSON.
package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	stdpng "image/png"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"asiointi/assets"
	"asiointi/i18n"
	"asiointi/pwa"
	"asiointi/server/audit"
	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/config"
	"asiointi/server/identity"
	"asiointi/server/logo"
	"asiointi/server/mandates"
	"asiointi/server/metrics"
	"asiointi/server/mydata"
	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/publish"
	"asiointi/server/ratelimit"
	"asiointi/server/render"
	"asiointi/server/staffsso"
	"asiointi/server/suomifi/eid"
)

// Deps are what the HTTP layer needs, built once by app.Open (see
// wiring.Build): web builds no domain service of its own.
type Deps struct {
	Config  config.Config
	Log     *slog.Logger
	Metrics *metrics.Registry
	// Now is the clock (injectable for deadline tests).
	Now func() time.Time
	// Storage answers /readyz.
	Storage Storage

	Messages     *i18n.Bundle
	Municipality population.Municipality
	// Catalog is the service catalogue; Cases runs drafts and cases.
	Catalog   *catalog.Catalog
	Cases     *cases.Service
	Directory *identity.Directory
	Sessions  *identity.Sessions
	Secret    []byte // the key of CSRF tokens
	// The notifications: the in-app inbox, each person's channel choices,
	// the demo outbox of e-mail and SMS, and web push.
	Inbox  *notify.Inbox
	Prefs  *notify.Prefs
	Outbox *notify.Recorder
	Push   *notify.Push
	// The published statements: accessibility statements and feedback.
	Statements *publish.Statements
	Feedback   *publish.Feedbacks
	// Access is the access log: who has read whose data.
	Access *audit.Log
	// EID is the resident login through Suomi.fi e-Identification (nil:
	// not configured; demo mode has the test login).
	EID *eid.SP
	// StaffSSO is the staff login through the municipality's OpenID
	// Connect provider (nil: not configured).
	StaffSSO *staffsso.Client
	// Mandates is Suomi.fi Mandates (nil: the embedded register's
	// mandates, ASIOINTI_MANDATES=embedded).
	Mandates *mandates.Link
}

// Storage is what /readyz asks of the database.
type Storage interface {
	Ready() bool    // open
	Writable() bool // writes succeed (not a full disk)
}

// Server is the HTTP layer.
type Server struct {
	cfg      config.Config
	storage  Storage
	msg      *i18n.Bundle
	log      *slog.Logger
	now      func() time.Time
	metrics  *metrics.Registry
	pages    *render.Engine
	sessions *identity.Sessions
	dir      *identity.Directory
	secret   []byte
	static   map[string][]byte // path → content
	version  string            // hash of every static file
	// logoName is the municipality's logo among the static files ("":
	// none), logoPNG the logo for the PDF receipt.
	logoName   string
	logoPNG    []byte
	logoAspect float64 // its width by its height
	muni       population.Municipality
	limits     map[string]*ratelimit.Limiter
	app        *fiber.App
	catalog    *catalog.Catalog
	cases      *cases.Service
	// inbox is the in-app notifications; noticeText writes them.
	inbox      *notify.Inbox
	noticeText *notify.Renderer
	devOutbox  *notify.Recorder // demo mode's record of e-mail and SMS
	prefs      *notify.Prefs
	push       *notify.Push
	hub        *notify.Hub // live connections (/ws)
	statements *publish.Statements
	feedback   *publish.Feedbacks
	access     *audit.Log
	mydata     *mydata.Reader
	wsHandler  fiber.Handler
	wsPings    sync.Once     // starts wsPinger with the first connection
	wsStop     chan struct{} // closed at shutdown: wsPinger ends
	eid        *eid.SP
	staffSSO   *staffsso.Client
	mandates   *mandates.Link
	// formActions are the outside origins our forms may lead to (the
	// identity providers' logout), for the CSP form-action.
	formActions string
	// uploadSlots bounds the files read into memory at once (attach).
	uploadSlots chan struct{}
	// rules are form fields' data-rules (*fieldRules by *forms.Field),
	// one map per language of i18n.Languages (fieldBuilder.rules);
	// datedRules those with relative date bounds, for one day.
	rules, datedRules []sync.Map
	// specs are form fields' entries of a step's data-spec (specHTML).
	specs sync.Map
	// markup are text-like inputs' fixed markup (*fieldMarkup by
	// *forms.Field), one map per language (fieldBuilder.markup).
	markup []sync.Map
	// availTexts are services' availability in words by availKey
	// (availabilityText); descriptions are the pages' meta descriptions
	// by language (page).
	availTexts, descriptions sync.Map
	availCount               atomic.Int64

	idPrefix string
	reqSeq   atomic.Uint64
	// routePatterns holds every registered route path, the only route
	// labels metrics get (see routeLabel).
	routePatterns map[string]string

	shutdownMu    sync.Mutex
	shutdownHooks []func()
}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Metrics == nil {
		d.Metrics = metrics.New()
	}
	s := &Server{cfg: d.Config, storage: d.Storage, msg: d.Messages, log: d.Log, now: d.Now, metrics: d.Metrics,
		catalog: d.Catalog, cases: d.Cases, sessions: d.Sessions, dir: d.Directory, secret: d.Secret, muni: d.Municipality,
		inbox: d.Inbox, prefs: d.Prefs, devOutbox: d.Outbox, push: d.Push,
		statements: d.Statements, feedback: d.Feedback, access: d.Access, uploadSlots: make(chan struct{}, 4),
		rules: make([]sync.Map, len(i18n.Languages)), datedRules: make([]sync.Map, len(i18n.Languages)),
		markup: make([]sync.Map, len(i18n.Languages))}
	s.noticeText = NoticeRenderer(d.Messages, d.Catalog, "")
	if d.Cases != nil {
		col := &mydata.Collector{Store: d.Cases.Store, Forms: d.Cases.Forms, Catalog: d.Catalog, Msg: d.Messages,
			Notices: s.noticeText.Text, Now: d.Now}
		if d.Sessions != nil {
			col.SessionEnds = d.Sessions.ExpiresAt
		}
		s.mydata = &mydata.Reader{Directory: d.Directory, Collector: col}
	}
	s.eid, s.staffSSO, s.mandates = d.EID, d.StaffSSO, d.Mandates
	if d.EID != nil && d.EID.LogoutOrigin() != "" {
		s.formActions += " " + d.EID.LogoutOrigin()
	}
	if d.StaffSSO != nil && d.StaffSSO.LogoutOrigin() != "" {
		s.formActions += " " + d.StaffSSO.LogoutOrigin()
	}
	s.idPrefix = randomString(6) + "-"
	if err := s.loadStatic(); err != nil {
		return nil, err
	}
	s.hub = &notify.Hub{}
	// Idle sockets are many: write buffers come from a pool while a
	// message is written, and read buffers are small (clients say little).
	s.wsHandler = websocket.New(s.wsServe, websocket.Config{HandshakeTimeout: 10 * time.Second,
		ReadBufferSize: 256, WriteBufferSize: 1024, WriteBufferPool: &sync.Pool{}})
	s.wsStop = make(chan struct{})
	var stopPings sync.Once
	s.OnShutdown(func() {
		s.hub.Shutdown() // every socket gets 1001 before the store closes
		stopPings.Do(func() { close(s.wsStop) })
	})
	var err error
	s.pages, err = render.New(pwa.Templates, "templates", template.FuncMap{
		"join":         strings.Join,
		"contactLinks": render.ContactLinks,
		"fields":       fieldsHTML,
		"layoutStart":  layoutStart,
		"layoutTop":    layoutTop,
		"layoutEnd":    layoutEnd,
		"serviceCards": serviceCards,
	})
	if err != nil {
		return nil, err
	}
	s.limits = map[string]*ratelimit.Limiter{
		// Logins: 10 at once on one account, then one per 6 s; an address
		// (many people behind one) 40 at once, then one per 2 s.
		"login":         ratelimit.New(ratelimit.Rule{Burst: 10, Every: 6 * time.Second}, d.Now),
		"login-address": ratelimit.New(ratelimit.Rule{Burst: 40, Every: 2 * time.Second}, d.Now),
		"write":         ratelimit.New(ratelimit.Rule{Burst: 120, Every: 100 * time.Millisecond}, d.Now),
		"upload":        ratelimit.New(ratelimit.Rule{Burst: 20, Every: 3 * time.Second}, d.Now),
		// Accessibility feedback needs no login: 5 at once from an
		// address, then one per 10 minutes.
		"feedback": ratelimit.New(ratelimit.Rule{Burst: 5, Every: 10 * time.Minute}, d.Now),
		// Co-applicants: naming parties and asking again send messages
		// (an SMS costs money): 20 at once, then one a minute. Opening
		// invitation links (token guessing): 10 from one address or
		// session, then one per 30 s (a 256-bit token is not guessed
		// anyway; this keeps scans quiet).
		"invite":           ratelimit.New(ratelimit.Rule{Burst: 20, Every: time.Minute}, d.Now),
		"invitation-guess": ratelimit.New(ratelimit.Rule{Burst: 10, Every: 30 * time.Second}, d.Now),
	}
	s.app = s.routes()
	s.routePatterns = map[string]string{}
	for _, r := range s.app.GetRoutes() {
		s.routePatterns[r.Path] = r.Path
	}
	return s, nil
}

// Live is the live channel's sender: new notifications to open pages.
func (s *Server) Live() *notify.Live { return &notify.Live{Hub: s.hub, Inbox: s.inbox} }

// NoticeRenderer writes notifications with service names from the
// catalogue; base is the origin for links sent outside the app.
func NoticeRenderer(msg *i18n.Bundle, cat *catalog.Catalog, base string) *notify.Renderer {
	return &notify.Renderer{Msg: msg, BaseURL: base, ServiceName: func(id, lang string) string {
		if svc, ok := cat.Service(id); ok {
			return svc.Name.In(lang)
		}
		return id
	}}
}

// App is the Fiber application.
func (s *Server) App() *fiber.App { return s.app }

// OnShutdown registers a hook run before the HTTP server stops (e.g.
// closing WebSockets).
func (s *Server) OnShutdown(f func()) {
	s.shutdownMu.Lock()
	s.shutdownHooks = append(s.shutdownHooks, f)
	s.shutdownMu.Unlock()
}

// Shutdown runs the hooks then stops accepting and waits for in-flight
// requests up to timeout.
func (s *Server) Shutdown(timeout time.Duration) error {
	s.shutdownMu.Lock()
	hooks := s.shutdownHooks
	s.shutdownMu.Unlock()
	for _, h := range hooks {
		h()
	}
	return s.app.ShutdownWithTimeout(timeout)
}

// loadStatic reads every static file into memory and derives one version
// hash from all of them: URLs under /s/<version>/ change on every deploy
// that changes any file, so they can be cached forever.
func (s *Server) loadStatic() error {
	s.static = map[string][]byte{}
	add := func(fsys fs.FS, prefix string) error {
		return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".mjs") {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			s.static[prefix+p] = b
			return nil
		})
	}
	if err := add(assets.FS, ""); err != nil {
		return err
	}
	if err := add(pwa.Static, ""); err != nil {
		return err
	}
	// The municipality's logo is served with them (its URL changes when
	// it does) and drawn as a PNG for the PDF receipt.
	if l := s.muni.Logo; l != nil {
		png, err := logo.Raster(*l)
		if err != nil {
			return fmt.Errorf("the logo of %s: %w", s.muni.ID, err)
		}
		cfg, err := stdpng.DecodeConfig(bytes.NewReader(png))
		if err != nil {
			return fmt.Errorf("the logo of %s: %w", s.muni.ID, err)
		}
		s.logoName, s.logoPNG, s.logoAspect = "municipality/logo"+logo.Extension(*l), png, float64(cfg.Width)/float64(cfg.Height)
		s.static[s.logoName] = l.Data
	}
	names := make([]string, 0, len(s.static))
	for n := range s.static {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write(s.static[n])
	}
	h.Write([]byte(pwa.ServiceWorker))
	s.version = hex.EncodeToString(h.Sum(nil))[:12]
	return nil
}

// Asset is the cache-forever URL of a static file.
func (s *Server) Asset(name string) string { return "/s/" + s.version + "/" + name }

// LogoWidth is the width of the municipality's logo at the given height
// (CSS px), for its <img> (the page keeps its place while it loads).
func (s *Server) LogoWidth(height int) int { return max(1, int(float64(height)*s.logoAspect+0.5)) }

// LogoURL is the URL of the municipality's logo, "" when it has none.
func (s *Server) LogoURL() string {
	if s.logoName == "" {
		return ""
	}
	return s.Asset(s.logoName)
}
