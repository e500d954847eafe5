// Package staffsso is the staff login through the municipality's own
// OpenID Connect provider (Entra ID, Keycloak, ...), with
// github.com/coreos/go-oidc: the authorization code flow with PKCE
// (S256), state and nonce checked, the ID token verified against the
// provider's keys, the staff roles read from a configurable claim and
// mapped to the platform's roles, and RP-initiated logout when the
// provider offers it.
package staffsso

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"asiointi/server/identity"
)

// CallbackPath is where the provider sends the browser back (CONTRACT.md).
const CallbackPath = "/auth/oidc/callback"

// AttemptTTL is how long a login may take at the provider.
const AttemptTTL = 10 * time.Minute

const kindLogin = "oidc-login"

// Config is what the client needs.
type Config struct {
	Issuer, ClientID, ClientSecret string
	// BaseURL is the public origin; the redirect URI is BaseURL +
	// CallbackPath.
	BaseURL string
	// RolesClaim names the claim with the staff member's roles or groups;
	// a dotted name reads a nested claim (Keycloak: realm_access.roles).
	RolesClaim string
	// Roles maps the claim's values; nil: PrefixRoles over Services.
	Roles RoleMapper
	// Services are the ids of the served municipality's services (what a
	// role without a service applies to).
	Services []string
	States   *identity.LoginStates
	// HTTPClient talks to the provider (nil: a client with a timeout).
	HTTPClient *http.Client
}

// Client is the staff login.
type Client struct {
	cfg        Config
	provider   *oidc.Provider
	oauth      oauth2.Config
	verifier   *oidc.IDTokenVerifier
	endSession string
	client     *http.Client
}

// New discovers the provider (its /.well-known/openid-configuration).
func New(ctx context.Context, c Config) (*Client, error) {
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if c.Roles == nil {
		c.Roles = PrefixRoles{Services: c.Services}
	}
	if c.RolesClaim == "" {
		c.RolesClaim = "roles"
	}
	ctx = oidc.ClientContext(ctx, c.HTTPClient)
	p, err := oidc.NewProvider(ctx, c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("staffsso: discovery: %w", err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = p.Claims(&extra)
	return &Client{
		cfg: c, provider: p, client: c.HTTPClient, endSession: extra.EndSession,
		oauth: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: strings.TrimRight(c.BaseURL, "/") + CallbackPath,
			Scopes:      []string{oidc.ScopeOpenID, "profile", "email"}},
		verifier: p.Verifier(&oidc.Config{ClientID: c.ClientID}),
	}, nil
}

type attempt struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	Next     string `json:"next"`
}

// StartLogin answers the provider URL to send the browser to and the
// token of the attempt (the caller keeps it in a cookie).
func (c *Client) StartLogin(next string) (redirect, token string, err error) {
	a := attempt{State: identity.NewToken(), Nonce: identity.NewToken(), Verifier: oauth2.GenerateVerifier(), Next: next}
	token, err = c.cfg.States.Begin(kindLogin, a, AttemptTTL)
	if err != nil {
		return "", "", err
	}
	return c.oauth.AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier)), token, nil
}

// Login is a verified staff login.
type Login struct {
	Subject  string // the provider's stable id of the person
	Username string // preferred_username (or the subject)
	Name     string
	Email    string
	Grant    Grant
	IDToken  string // kept for RP-initiated logout (id_token_hint)
	Next     string
}

// Errors of FinishLogin.
var (
	ErrNoAttempt = errors.New("staffsso: no login attempt from this browser")
	ErrState     = errors.New("staffsso: state does not match")
	ErrNonce     = errors.New("staffsso: nonce does not match")
	ErrNoRole    = errors.New("staffsso: no staff role in the roles claim")
	ErrRefused   = errors.New("staffsso: the provider refused the login")
)

// FinishLogin takes the provider's answer (the callback's query) to the
// attempt the token names; the attempt is used up either way.
func (c *Client) FinishLogin(ctx context.Context, token string, q url.Values) (Login, error) {
	var a attempt
	if err := c.cfg.States.Take(kindLogin, token, &a); err != nil {
		if errors.Is(err, identity.ErrNoLoginState) {
			return Login{}, ErrNoAttempt
		}
		return Login{}, err
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(a.State)) != 1 {
		return Login{}, ErrState
	}
	if e := q.Get("error"); e != "" {
		return Login{}, fmt.Errorf("%w: %s", ErrRefused, e)
	}
	ctx = oidc.ClientContext(ctx, c.client)
	tok, err := c.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return Login{}, fmt.Errorf("staffsso: code exchange: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Login{}, errors.New("staffsso: no id_token in the token response")
	}
	idt, err := c.verifier.Verify(ctx, raw)
	if err != nil {
		return Login{}, fmt.Errorf("staffsso: id token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(a.Nonce)) != 1 {
		return Login{}, ErrNonce
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Login{}, err
	}
	str := func(k string) string { s, _ := claims[k].(string); return strings.TrimSpace(s) }
	l := Login{Subject: idt.Subject, Username: str("preferred_username"), Name: str("name"), Email: str("email"), IDToken: raw, Next: a.Next}
	if l.Username == "" {
		l.Username = idt.Subject
	}
	if l.Name == "" {
		l.Name = strings.TrimSpace(str("given_name") + " " + str("family_name"))
	}
	if l.Name == "" {
		l.Name = l.Username
	}
	g, ok := c.cfg.Roles.Map(claimStrings(claims, c.cfg.RolesClaim))
	if !ok {
		return Login{}, ErrNoRole
	}
	l.Grant = g
	return l, nil
}

// claimStrings reads a claim (dotted: nested) as a list of strings.
func claimStrings(claims map[string]any, name string) []string {
	var v any = claims
	for _, part := range strings.Split(name, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[part]
	}
	switch t := v.(type) {
	case string:
		return strings.Fields(t)
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// LogoutURL is where to send the browser to end the provider's session
// too (RP-initiated logout), or "" when the provider has no
// end_session_endpoint. back is where the provider returns the browser.
func (c *Client) LogoutURL(idToken, back string) string {
	if c.endSession == "" {
		return ""
	}
	u, err := url.Parse(c.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("client_id", c.cfg.ClientID)
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	if back != "" {
		q.Set("post_logout_redirect_uri", back)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// LogoutOrigin is the origin of the provider's end-session endpoint (""
// when it has none): our logout form leads there, so the pages' CSP
// form-action must allow it.
func (c *Client) LogoutOrigin() string {
	u, err := url.Parse(c.endSession)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
