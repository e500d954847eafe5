package web

import (
	"fmt"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/i18n"
	"asiointi/server/config"
	"asiointi/server/datefmt"
	"asiointi/server/identity"
	"asiointi/server/population"
)

// Alternate is the same page in another language.
type Alternate struct {
	Lang, Label, URL string
	AbsURL           string // for <link rel="alternate">, which wants absolute URLs
	Current          bool
}

// Page is what every template receives.
type Page struct {
	Lang        string
	Nonce       string
	CSRF        string
	Title       string
	Description string
	Name        string // page name, used as a body class
	Path        string // path after /{lang}, with query
	Paths       paths  // the URLs of the pages, in Lang
	Session     *identity.Session
	ActingName  string
	Kiosk       bool
	Demo        bool
	Muni        population.Municipality
	Alternates  []Alternate
	Personal    bool // the page shows personal data
	Unread      int  // the person's unread notifications (the header bell)
	// ToApprove counts a resident's requests to approve an application
	// waiting for their answer (the navigation links to them).
	ToApprove int
	// LiveSince is the id of the person's newest notification when the
	// page was made: its live connection asks for what came after it.
	LiveSince   string
	IdleSeconds int
	WarnSeconds int
	Data        any
	Errors      []FieldMessage // the error summary's problems
	ErrorIntro  string         // the error summary's paragraph above them

	s *Server
}

// FieldMessage is one problem to show in the error summary: it links to
// Field on this page, or to URL when the field is on another page.
type FieldMessage struct {
	Field, Message string
	URL            string
}

var langLabels = map[string]string{"fi": "Suomi", "sv": "Svenska", "en": "English"}

// T translates a message id; args are key/value pairs for its template.
func (p *Page) T(id string, args ...any) string {
	var data map[string]any
	if len(args) > 0 {
		data = map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			k, ok := args[i].(string)
			if !ok {
				k = fmt.Sprint(args[i])
			}
			data[k] = args[i+1]
		}
	}
	return p.s.msg.T(p.Lang, id, data)
}

// M picks the current language from a multilingual value.
func (p *Page) M(t i18n.Text) string { return t.In(p.Lang) }

// Asset is the versioned URL of a static file.
func (p *Page) Asset(name string) string { return p.s.Asset(name) }

// LogoURL is the URL of the municipality's logo, "" when it has none.
func (p *Page) LogoURL() string { return p.s.LogoURL() }

// LogoWidth is the width of the municipality's logo at height CSS px.
func (p *Page) LogoWidth(height int) int { return p.s.LogoWidth(height) }

// LoggedIn reports whether someone is logged in.
func (p *Page) LoggedIn() bool { return p.Session != nil }

// IsStaff reports whether a staff member is logged in.
func (p *Page) IsStaff() bool { return p.Session != nil && p.Session.Kind == identity.Staff }

// page prepares the common page data for a /{lang}/… page or an
// out-of-language page (auth), using requestLang.
func (s *Server) page(c *fiber.Ctx, name, titleID string, data any) *Page {
	lang := requestLang(c)
	p := &Page{
		Lang: lang, Paths: pathsIn(lang), Nonce: nonce(c), CSRF: s.csrfToken(c), Name: name,
		Session: session(c), Kiosk: isKiosk(c), Demo: s.cfg.Mode == config.Demo,
		Muni: s.muni, Data: data, s: s,
	}
	if titleID != "" {
		p.Title = p.T(titleID)
	}
	if d, ok := s.descriptions.Load(lang); ok { // the same on every page in a language
		p.Description = d.(string)
	} else {
		p.Description = p.T("meta.description", "Municipality", p.M(s.muni.ShortName))
		s.descriptions.Store(lang, p.Description)
	}
	if p.Session != nil {
		p.Personal = true
		idle := s.sessions.IdleLimit(*p.Session)
		p.IdleSeconds = int(idle.Seconds())
		p.WarnSeconds = 120
		// The bell shows 0 if the count cannot be read.
		p.Unread, p.LiveSince, _ = s.inbox.State(p.Session.UserID)
		if p.Session.Kind == identity.Resident { // 0 if it cannot be read
			p.ToApprove, _ = s.cases.OpenInvitations(p.Session.UserID)
		}
	}
	// Language switcher: same page in the other languages.
	path := c.Path()
	rest := path
	inLang := false
	if len(path) >= 3 && i18n.Supported(path[1:3]) && (len(path) == 3 || path[3] == '/') {
		rest = path[3:]
		inLang = true
	}
	q := string(c.Request().URI().QueryString())
	origin := s.origin(c)
	p.Alternates = make([]Alternate, 0, len(i18n.Languages))
	for _, l := range i18n.Languages {
		var u string
		if inLang {
			u = pathsIn(l).in(rest)
			if rest == "" {
				u += "/"
			}
			if q != "" {
				u += "?" + q
			}
		} else {
			v, _ := url.ParseQuery(q)
			v.Set("lang", l)
			u = path + "?" + v.Encode()
		}
		p.Alternates = append(p.Alternates, Alternate{Lang: l, Label: langLabels[l], URL: u, AbsURL: origin + u, Current: l == lang})
	}
	p.Path = rest
	return p
}

// render writes a page as HTML.
func (s *Server) render(c *fiber.Ctx, status int, p *Page) error {
	s.pageHeaders(c, status, p)
	return s.pages.Render(c.Response().BodyWriter(), p.Name, p)
}

// pageHeaders sets a page's status and headers.
func (s *Server) pageHeaders(c *fiber.Ctx, status int, p *Page) {
	c.Status(status)
	c.Set("Content-Type", "text/html; charset=utf-8")
	if p.Personal {
		c.Set("Cache-Control", "no-store")
	} else if c.Get("Cache-Control") == "" {
		c.Set("Cache-Control", "no-cache")
	}
}

// Date formats a date in the page language (31.3.2027 / 31 March 2027).
func (p *Page) Date(t time.Time) string { return datefmt.Date(t, p.Lang) }

// DateTime formats a moment in the page language, Helsinki time.
func (p *Page) DateTime(t time.Time) string { return datefmt.DateTime(t, p.Lang) }

// origin is the public origin: the configured base URL, else what the
// request says (behind a trusted proxy, its forwarded scheme).
func (s *Server) origin(c *fiber.Ctx) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	return c.Protocol() + "://" + c.Hostname()
}
