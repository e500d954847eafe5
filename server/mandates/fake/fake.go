// Package fake is a local stand-in for the Suomi.fi Mandates web API, for
// tests and demos: it checks the checksum header of every call (refusing
// a bad or stale one), registers sessions, shows a page where the person
// chooses whom to act for, issues codes and tokens, lists the chosen
// principal and answers authorisation checks ALLOWED or DISALLOWED (an
// expired mandate is DISALLOWED). Its mandates are set by the test or the
// demo with Grant.
package fake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"asiointi/server/mandates"
)

// Mandate is one mandate the fake knows: the holder may act for the
// principal on the issues until ValidTo (zero: open-ended).
type Mandate struct {
	Holder, Principal, PrincipalName string // henkilötunnukset and the principal's name
	Issues                           []string
	ValidTo                          time.Time
}

// OrgRole is a person's role in an organisation, as the trade register
// gives it to Suomi.fi Mandates (the ypa sessions).
type OrgRole struct {
	Holder, BusinessID, Name string // the holder's henkilötunnus, the organisation's business id and name
	Roles                    []string
}

// Server is the fake API.
type Server struct {
	ClientID, Secret, OAuthSecret string
	Now                           func() time.Time
	MaxSkew                       time.Duration // of the checksum timestamp (default 5 min)

	mu       sync.Mutex
	mandates []Mandate
	roles    []OrgRole
	sessions map[string]*session // session id → session
	users    map[string]*session // user id → session
	codes    map[string]*session
	tokens   map[string]*session
	// Calls counts the API calls that passed the checksum check, by path
	// prefix ("register", "token", …), for tests.
	Calls map[string]int
}

type session struct {
	id, user, hetu string
	kind           string // mandates.Persons or mandates.Organizations
	chosen         string // the principal's henkilötunnus (or business id) once chosen
}

// New makes a fake with the credentials the client will use.
func New(clientID, secret, oauthSecret string) *Server {
	return &Server{ClientID: clientID, Secret: secret, OAuthSecret: oauthSecret, Now: time.Now,
		sessions: map[string]*session{}, users: map[string]*session{}, codes: map[string]*session{},
		tokens: map[string]*session{}, Calls: map[string]int{}}
}

// Grant adds a mandate.
func (f *Server) Grant(m Mandate) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mandates = append(f.mandates, m)
}

// Count is how many calls of a kind ("register", "token", …) passed the
// checksum check.
func (f *Server) Count(kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Calls[kind]
}

// GrantRole adds a role in an organisation.
func (f *Server) GrantRole(r OrgRole) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roles = append(f.roles, r)
}

// Revoke removes every mandate the holder has from the principal.
func (f *Server) Revoke(holder, principal string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mandates = slices.DeleteFunc(f.mandates, func(m Mandate) bool { return m.Holder == holder && m.Principal == principal })
}

// RevokeRole removes the holder's roles in the organisation (the role
// ended, or the organisation's mandate was revoked).
func (f *Server) RevokeRole(holder, businessID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roles = slices.DeleteFunc(f.roles, func(o OrgRole) bool { return o.Holder == holder && o.BusinessID == businessID })
}

func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// ServeHTTP answers the API and the browser pages.
func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if path == "/oauth/authorize" {
		f.authorize(w, r) // the browser: no checksum
		return
	}
	skew := f.MaxSkew
	if skew == 0 {
		skew = 5 * time.Minute
	}
	if err := mandates.VerifyChecksum(r.Header.Get(mandates.Header), f.ClientID, f.Secret, r.URL.RequestURI(), f.Now(), skew); err != nil {
		http.Error(w, `{"error":"`+err.Error()+`"}`, http.StatusUnauthorized)
		return
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case len(parts) == 6 && parts[0] == "service" && parts[2] == "user" && parts[3] == "register":
		if parts[4] != f.ClientID {
			http.Error(w, "unknown client", http.StatusForbidden)
			return
		}
		f.Calls["register"]++
		s := &session{id: newID(), user: newID(), hetu: parts[5], kind: parts[1]}
		f.sessions[s.id], f.users[s.user] = s, s
		writeJSON(w, map[string]string{"sessionId": s.id, "userId": s.user})
	case len(parts) == 5 && parts[0] == "service" && parts[2] == "user" && parts[3] == "unregister":
		f.Calls["unregister"]++
		if s, ok := f.sessions[parts[4]]; ok {
			delete(f.users, s.user)
			delete(f.sessions, s.id)
		}
		writeJSON(w, map[string]string{})
	case path == "/oauth/token":
		id, secret, ok := r.BasicAuth()
		s := f.codes[r.URL.Query().Get("code")]
		if !ok || id != f.ClientID || secret != f.OAuthSecret || s == nil || r.Method != http.MethodPost {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		f.Calls["token"]++
		delete(f.codes, r.URL.Query().Get("code"))
		tok := newID()
		f.tokens[tok] = s
		writeJSON(w, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": 600})
	case len(parts) == 5 && parts[1] == "hpa" && parts[3] == "delegate":
		s := f.bearer(w, r, parts[4])
		if s == nil {
			return
		}
		f.Calls["delegate"]++
		var out []mandates.Delegate
		if s.chosen != "" {
			out = append(out, mandates.Delegate{PersonID: s.chosen, Name: f.nameOf(s.chosen)})
		}
		writeJSON(w, out)
	case len(parts) == 5 && parts[1] == "ypa" && parts[3] == "organizationRoles":
		s := f.bearer(w, r, parts[4])
		if s == nil {
			return
		}
		f.Calls["organizationRoles"]++
		out := []mandates.OrganizationRole{}
		for _, o := range f.roles {
			if o.Holder == s.hetu && o.BusinessID == s.chosen {
				out = append(out, mandates.OrganizationRole{Name: o.Name, Identifier: o.BusinessID, Roles: o.Roles})
			}
		}
		writeJSON(w, out)
	case len(parts) == 6 && parts[1] == "hpa" && parts[3] == "authorization":
		s := f.bearer(w, r, parts[4])
		if s == nil {
			return
		}
		f.Calls["authorization"]++
		issues := strings.Split(r.URL.Query().Get("issues"), ",")
		result := mandates.Disallowed
		if f.allowed(s.hetu, parts[5], issues) {
			result = mandates.Allowed
		}
		writeJSON(w, map[string]string{"result": result})
	default:
		http.NotFound(w, r)
	}
}

// bearer finds the session of the call's token; the token must be the
// session's.
func (f *Server) bearer(w http.ResponseWriter, r *http.Request, sessionID string) *session {
	s := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	if s == nil || s.id != sessionID {
		http.Error(w, `{"error":"invalid_token"}`, http.StatusUnauthorized)
		return nil
	}
	return s
}

// allowed: a valid mandate covers every issue.
func (f *Server) allowed(holder, principal string, issues []string) bool {
	now := f.Now()
	for _, m := range f.mandates {
		if m.Holder != holder || m.Principal != principal || (!m.ValidTo.IsZero() && now.After(m.ValidTo)) {
			continue
		}
		ok := true
		for _, is := range issues {
			ok = ok && slices.Contains(m.Issues, is)
		}
		if ok {
			return true
		}
	}
	return false
}

// hasRole: the holder has a role in the organisation.
func (f *Server) hasRole(holder, businessID string) bool {
	for _, o := range f.roles {
		if o.Holder == holder && o.BusinessID == businessID {
			return true
		}
	}
	return false
}

func (f *Server) nameOf(hetu string) string {
	for _, m := range f.mandates {
		if m.Principal == hetu {
			return m.PrincipalName
		}
	}
	return ""
}

var choosePage = template.Must(template.New("choose").Parse(`<!doctype html><html lang="{{.Lang}}"><head><meta charset="utf-8"><title>Suomi.fi-valtuudet (fake)</title></head>
<body><h1>Valitse, kenen puolesta asioit</h1><ul>{{range .Choices}}<li><a class="principal" href="{{.URL}}">{{.Name}}</a></li>{{else}}<li>Ei valtuuksia.</li>{{end}}</ul></body></html>`))

// authorize is the browser page: the person picks whom to act for among
// their valid mandates; the choice returns to redirect_uri with a code.
func (f *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.users[q.Get("user")]
	if s == nil || q.Get("client_id") != f.ClientID || q.Get("response_type") != "code" || q.Get("redirect_uri") == "" {
		http.Error(w, "invalid request", http.StatusBadRequest)
		return
	}
	if pick := q.Get("pick"); pick != "" {
		if !f.allowed(s.hetu, pick, nil) && !f.hasRole(s.hetu, pick) {
			http.Error(w, "no such mandate", http.StatusForbidden)
			return
		}
		s.chosen = pick
		code := newID()
		f.codes[code] = s
		back, err := url.Parse(q.Get("redirect_uri"))
		if err != nil {
			http.Error(w, "bad redirect_uri", http.StatusBadRequest)
			return
		}
		bq := back.Query()
		bq.Set("code", code)
		bq.Set("state", q.Get("state"))
		back.RawQuery = bq.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
		return
	}
	type choice struct{ Name, URL string }
	var cs []choice
	add := func(pick, name string) {
		cq := url.Values{}
		for k, v := range q {
			cq[k] = v
		}
		cq.Set("pick", pick)
		cs = append(cs, choice{Name: name, URL: "/oauth/authorize?" + cq.Encode()})
	}
	now := f.Now()
	if s.kind == mandates.Organizations {
		for _, o := range f.roles {
			if o.Holder == s.hetu {
				add(o.BusinessID, o.Name)
			}
		}
	} else {
		for _, m := range f.mandates {
			if m.Holder == s.hetu && (m.ValidTo.IsZero() || !now.After(m.ValidTo)) {
				add(m.Principal, m.PrincipalName)
			}
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = choosePage.Execute(w, map[string]any{"Lang": q.Get("lang"), "Choices": cs})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
