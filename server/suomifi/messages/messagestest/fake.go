// Package messagestest is a local fake of the Suomi.fi Messages REST API
// for tests and demos: it issues tokens for one username and password,
// refuses requests without a valid bearer token, checks the shape of
// each request as the API documents it, keeps the messages sent (one per
// externalId: a repeat is 409 with the first message's id), answers
// mailbox checks from a set of active ids, and serves an events feed with
// continuation tokens. It can fail on purpose.
package messagestest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sent is one message the fake took.
type Sent struct {
	ID                       int64
	ExternalID, Recipient    string
	Title, Body, ServiceType string
	ServiceID                string
}

// Fake is the API; serve it (it is an http.Handler).
type Fake struct {
	Username, Password, ServiceID string

	mu         sync.Mutex
	tokens     map[string]bool
	active     map[string]bool
	sent       []Sent
	byExt      map[string]int64
	events     []event
	fail       []int // statuses to answer the next requests with
	retryAfter int
	Requests   map[string]int // by "METHOD path"
	Refused    []string       // why requests were refused (shape, auth)
	MaxBatch   int            // largest mailbox check seen
	nextID     int64
}

type event struct {
	Type       string    `json:"type"`
	EventTime  time.Time `json:"eventTime"`
	MessageID  int64     `json:"messageId"`
	ExternalID string    `json:"externalId"`
}

// New makes a fake for one API user and sender service.
func New(username, password, serviceID string) *Fake {
	return &Fake{Username: username, Password: password, ServiceID: serviceID, tokens: map[string]bool{},
		active: map[string]bool{}, byExt: map[string]int64{}, Requests: map[string]int{}, nextID: 1000}
}

// SetActive marks ids as having an active mailbox.
func (f *Fake) SetActive(ids ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		f.active[id] = true
	}
}

// FailNext makes the next requests answer these statuses (a 429 or 503
// with Retry-After seconds when retryAfter > 0).
func (f *Fake) FailNext(retryAfter int, statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = append(f.fail, statuses...)
	f.retryAfter = retryAfter
}

// ExpireTokens forgets every token issued (the next call gets a 401).
func (f *Fake) ExpireTokens() {
	f.mu.Lock()
	f.tokens = map[string]bool{}
	f.mu.Unlock()
}

// Sent answers the messages taken.
func (f *Fake) Sent() []Sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Sent(nil), f.sent...)
}

// AddEvent appends an event of a sent message to the feed.
func (f *Fake) AddEvent(typ, externalID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, event{Type: typ, EventTime: time.Now().UTC(), MessageID: f.byExt[externalID], ExternalID: externalID})
}

// PageSize is how many events one page holds.
const PageSize = 2

func (f *Fake) refuse(w http.ResponseWriter, status int, why string) {
	f.Refused = append(f.Refused, why)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"reason": why})
}

// ServeHTTP serves the API.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Requests[r.Method+" "+r.URL.Path]++
	if len(f.fail) > 0 {
		st := f.fail[0]
		f.fail = f.fail[1:]
		if f.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter))
		}
		w.WriteHeader(st)
		return
	}
	if r.URL.Path == "/v1/token" {
		var in struct{ Username, Password string }
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&in) != nil {
			f.refuse(w, http.StatusBadRequest, "token: not a JSON POST")
			return
		}
		if in.Username != f.Username || in.Password != f.Password {
			f.refuse(w, http.StatusUnauthorized, "token: wrong username or password")
			return
		}
		tok := fmt.Sprintf("tok-%d-%d", len(f.tokens), time.Now().UnixNano())
		f.tokens[tok] = true
		writeJSON(w, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !f.tokens[tok] {
		f.refuse(w, http.StatusUnauthorized, "no valid bearer token")
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/mailboxes/active":
		var in struct {
			EndUsers []struct{ ID string } `json:"endUsers"`
		}
		if json.NewDecoder(r.Body).Decode(&in) != nil || len(in.EndUsers) == 0 || len(in.EndUsers) > 10000 {
			f.refuse(w, http.StatusBadRequest, "mailboxes: endUsers must hold 1 to 10000 ids")
			return
		}
		f.MaxBatch = max(f.MaxBatch, len(in.EndUsers))
		out := []map[string]string{}
		for _, u := range in.EndUsers {
			if f.active[u.ID] {
				out = append(out, map[string]string{"id": u.ID})
			}
		}
		writeJSON(w, map[string]any{"endUsersWithActiveMailbox": out})
	case r.Method == http.MethodPost && r.URL.Path == "/v2/messages/electronic":
		f.electronic(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/v2/events":
		start := 0
		if c := r.URL.Query().Get("continuationToken"); c != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(c, "c"))
			if err != nil || n < 0 || n > len(f.events) {
				f.refuse(w, http.StatusBadRequest, "events: bad continuationToken")
				return
			}
			start = n
		}
		end := min(start+PageSize, len(f.events))
		page := []map[string]any{}
		for _, e := range f.events[start:end] {
			page = append(page, map[string]any{"type": e.Type, "eventTime": e.EventTime,
				"metadata": map[string]any{"messageId": e.MessageID, "serviceId": f.ServiceID, "externalId": e.ExternalID}})
		}
		writeJSON(w, map[string]any{"events": page, "continuationToken": fmt.Sprintf("c%d", end)})
	default:
		f.refuse(w, http.StatusNotFound, "no such operation: "+r.Method+" "+r.URL.Path)
	}
}

func (f *Fake) electronic(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ExternalID string              `json:"externalId"`
		Recipient  struct{ ID string } `json:"recipient"`
		Sender     struct {
			ServiceID string `json:"serviceId"`
		} `json:"sender"`
		Electronic *struct {
			Title, Body, BodyFormat, MessageServiceType, ReplyAllowedBy, Visibility string
		} `json:"electronic"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Electronic == nil {
		f.refuse(w, http.StatusBadRequest, "electronic: not a message")
		return
	}
	e := in.Electronic
	switch {
	case in.ExternalID == "" || len(in.ExternalID) > 300:
		f.refuse(w, http.StatusBadRequest, "electronic: externalId missing")
		return
	case in.Sender.ServiceID != f.ServiceID:
		f.refuse(w, http.StatusBadRequest, "electronic: unknown sender serviceId")
		return
	case in.Recipient.ID == "":
		f.refuse(w, http.StatusBadRequest, "electronic: recipient id missing")
		return
	case e.Title == "" || len(e.Title) > 200 || e.Body == "" || len(e.Body) > 30000:
		f.refuse(w, http.StatusBadRequest, "electronic: title (1-200) or body (1-30000) out of bounds")
		return
	case e.MessageServiceType != "Normal" && e.MessageServiceType != "Verifiable",
		e.BodyFormat != "Text" && e.BodyFormat != "Markdown",
		e.Visibility != "Normal" && e.Visibility != "Recipient only",
		e.ReplyAllowedBy != "Anyone" && e.ReplyAllowedBy != "No one":
		f.refuse(w, http.StatusBadRequest, "electronic: bad messageServiceType, bodyFormat, visibility or replyAllowedBy")
		return
	case !f.active[in.Recipient.ID]:
		f.refuse(w, http.StatusBadRequest, "MAILBOX_NOT_IN_USE")
		return
	}
	if id, ok := f.byExt[in.ExternalID]; ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		_ = json.NewEncoder(w).Encode(map[string]any{"messageId": id, "reason": "Message already exists"})
		return
	}
	f.nextID++
	f.byExt[in.ExternalID] = f.nextID
	f.sent = append(f.sent, Sent{ID: f.nextID, ExternalID: in.ExternalID, Recipient: in.Recipient.ID, Title: e.Title,
		Body: e.Body, ServiceType: e.MessageServiceType, ServiceID: in.Sender.ServiceID})
	writeJSON(w, map[string]any{"messageId": f.nextID})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
