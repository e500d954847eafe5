// Package mandates is the client of the Suomi.fi Mandates (Valtuudet)
// web API: a session registered for the logged-in person, the browser
// sent to choose whom to act for, the code exchanged for a token, the
// principals (delegates) and organisation roles listed, an authorisation
// on a mandate issue checked, and the session unregistered at logout.
// Every call carries the checksum header; data calls the bearer token.
//
// Errors: ErrUnavailable when the service is down, slow or answers with a
// server error (the resident can still act for themself); *APIError for a
// refusal the service gave.
package mandates

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Header is the checksum header every call carries.
const Header = "X-AsiointivaltuudetAuthorization"

// TimeFormat is the timestamp of the checksum (ISO 8601 with milliseconds).
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// Checksum is the value of the checksum header for a call to pathQuery
// (the path and query of the URL) at the time at: the client id, the
// timestamp, and base64(HMAC-SHA256(pathQuery + " " + timestamp)) keyed
// with the checksum secret.
func Checksum(clientID, secret, pathQuery string, at time.Time) string {
	ts := at.Format(TimeFormat)
	return clientID + " " + ts + " " + sign(secret, pathQuery+" "+ts)
}

func sign(secret, msg string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Checksum errors.
var (
	ErrBadChecksum   = errors.New("mandates: bad checksum")
	ErrStaleChecksum = errors.New("mandates: stale checksum")
)

// VerifyChecksum checks a checksum header for a call to pathQuery: the
// client id, a timestamp within maxSkew of now, and the signature.
func VerifyChecksum(header, clientID, secret, pathQuery string, now time.Time, maxSkew time.Duration) error {
	parts := strings.Split(header, " ")
	if len(parts) != 3 || parts[0] != clientID {
		return ErrBadChecksum
	}
	at, err := time.Parse(TimeFormat, parts[1])
	if err != nil {
		return ErrBadChecksum
	}
	if !hmac.Equal([]byte(parts[2]), []byte(sign(secret, pathQuery+" "+parts[1]))) {
		return ErrBadChecksum
	}
	if d := now.Sub(at); d > maxSkew || d < -maxSkew {
		return ErrStaleChecksum
	}
	return nil
}

// Kinds of session: acting for a person or for an organisation.
const (
	Persons       = "hpa"
	Organizations = "ypa"
)

// Client calls the Suomi.fi Mandates API (ASIOINTI_MANDATES_* settings).
type Client struct {
	BaseURL     string // e.g. https://asiointivaltuustarkistus.suomi.fi
	ClientID    string
	Secret      string // the checksum key
	OAuthSecret string // for the token call (Basic auth)
	HTTP        *http.Client
	Now         func() time.Time
	// NewRequestID makes the requestId of a call (logged by the service).
	NewRequestID func() string
}

// ErrUnavailable: the service did not answer in time or failed.
var ErrUnavailable = errors.New("mandates: the Suomi.fi Mandates service is unavailable")

// APIError is a refusal the service answered (4xx).
type APIError struct {
	Status int
	Body   string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("mandates: refused (%d): %.200s", e.Status, e.Body)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (c *Client) requestID() string {
	if c.NewRequestID != nil {
		return c.NewRequestID()
	}
	return fmt.Sprintf("asiointi-%d", c.now().UnixNano())
}

// call makes one call with the checksum header (and the bearer token when
// given) and decodes a JSON answer into out (nil: ignore the body).
func (c *Client) call(ctx context.Context, method, pathQuery, token string, basic bool, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+pathQuery, nil)
	if err != nil {
		return err
	}
	req.Header.Set(Header, Checksum(c.ClientID, c.Secret, pathQuery, c.now()))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if basic {
		req.SetBasicAuth(c.ClientID, c.OAuthSecret)
	}
	res, err := c.httpClient().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its URL may hold a henkilötunnus (register): never in an error
		}
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	switch {
	case res.StatusCode >= 500:
		return fmt.Errorf("%w: status %d", ErrUnavailable, res.StatusCode)
	case res.StatusCode >= 400:
		return &APIError{Status: res.StatusCode, Body: string(body)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("mandates: answer to %s: %w", strings.SplitN(pathQuery, "?", 2)[0], err)
	}
	return nil
}

// Session is a registered Mandates session of one logged-in person.
type Session struct {
	ID     string `json:"sessionId"`
	UserID string `json:"userId"`
}

// Register registers a session for the person (kind Persons or
// Organizations) identified by henkilötunnus.
func (c *Client) Register(ctx context.Context, kind, hetu string) (Session, error) {
	var s Session
	p := "/service/" + kind + "/user/register/" + url.PathEscape(c.ClientID) + "/" + url.PathEscape(hetu) +
		"?requestId=" + url.QueryEscape(c.requestID())
	err := c.call(ctx, http.MethodGet, p, "", false, &s)
	if err == nil && (s.ID == "" || s.UserID == "") {
		err = errors.New("mandates: register answered no session")
	}
	return s, err
}

// AuthorizeURL is where to send the browser to choose whom to act for;
// the service sends it back to redirect with ?code=…&state=….
func (c *Client) AuthorizeURL(s Session, redirect, lang, state string) string {
	q := url.Values{"client_id": {c.ClientID}, "response_type": {"code"}, "redirect_uri": {redirect},
		"user": {s.UserID}, "lang": {lang}, "state": {state}}
	return strings.TrimRight(c.BaseURL, "/") + "/oauth/authorize?" + q.Encode()
}

// Token exchanges the code the browser brought back for an access token.
func (c *Client) Token(ctx context.Context, code, redirect string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	q := url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {redirect}, "code": {code}}
	err := c.call(ctx, http.MethodPost, "/oauth/token?"+q.Encode(), "", true, &out)
	if err == nil && out.AccessToken == "" {
		err = errors.New("mandates: token answered no access token")
	}
	return out.AccessToken, err
}

// Delegate is a person whom the session's person chose to act for.
type Delegate struct {
	PersonID string `json:"personId"` // henkilötunnus
	Name     string `json:"name"`
}

// Delegates lists the person(s) chosen in the browser.
func (c *Client) Delegates(ctx context.Context, s Session, token string) ([]Delegate, error) {
	var out []Delegate
	err := c.call(ctx, http.MethodGet, "/service/hpa/api/delegate/"+url.PathEscape(s.ID)+"?requestId="+url.QueryEscape(c.requestID()), token, false, &out)
	return out, err
}

// OrganizationRole is an organisation chosen, with the person's roles.
type OrganizationRole struct {
	Name       string   `json:"name"`
	Identifier string   `json:"identifier"` // business id
	Roles      []string `json:"roles"`
}

// OrganizationRoles lists the organisation(s) chosen in the browser.
func (c *Client) OrganizationRoles(ctx context.Context, s Session, token string) ([]OrganizationRole, error) {
	var out []OrganizationRole
	err := c.call(ctx, http.MethodGet, "/service/ypa/api/organizationRoles/"+url.PathEscape(s.ID)+"?requestId="+url.QueryEscape(c.requestID()), token, false, &out)
	return out, err
}

// Results of an authorisation check.
const (
	Allowed    = "ALLOWED"
	Disallowed = "DISALLOWED"
)

// Authorization tells whether the session's person may act for the
// principal (henkilötunnus) on the issues now: Allowed or Disallowed (an
// expired or revoked mandate is Disallowed).
func (c *Client) Authorization(ctx context.Context, s Session, token, principal string, issues []string) (string, error) {
	var out struct {
		Result string `json:"result"`
	}
	p := "/service/hpa/api/authorization/" + url.PathEscape(s.ID) + "/" + url.PathEscape(principal) +
		"?requestId=" + url.QueryEscape(c.requestID()) + "&issues=" + url.QueryEscape(strings.Join(issues, ","))
	if err := c.call(ctx, http.MethodGet, p, token, false, &out); err != nil {
		return "", err
	}
	if out.Result != Allowed && out.Result != Disallowed {
		return "", fmt.Errorf("mandates: unknown authorisation result %q", out.Result)
	}
	return out.Result, nil
}

// Unregister ends the session (at logout).
func (c *Client) Unregister(ctx context.Context, kind string, s Session) error {
	return c.call(ctx, http.MethodGet, "/service/"+kind+"/user/unregister/"+url.PathEscape(s.ID)+"?requestId="+url.QueryEscape(c.requestID()), "", false, nil)
}
