// Package messages is a client of the Suomi.fi Messages REST API (v1
// token and mailbox check, v2 electronic messages and events) and the
// notification channel built on it: a resident with an active Suomi.fi
// mailbox gets the notification there too. Requests never carry more than
// the API needs; errors and logs never carry a henkilötunnus.
package messages

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Client talks to the Suomi.fi Messages API.
type Client struct {
	BaseURL            string // e.g. https://api.messages-qa.suomi.fi
	Username, Password string
	ServiceID          string // the sender service id
	HTTP               *http.Client
	// MailboxBatch is how many ids one mailbox check carries (the API
	// takes at most 10 000).
	MailboxBatch int
	Now          func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// APIError is an answer other than success.
type APIError struct {
	Status     int
	RetryAfter time.Duration
	Op         string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("suomi.fi messages: %s: HTTP %d", e.Op, e.Status)
}

// Temporary reports whether trying again later may succeed.
func (e *APIError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500 || e.Status == http.StatusRequestTimeout
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 20 * time.Second}
}

// accessToken answers a valid token, fetching one (POST /v1/token) when
// there is none or it is about to expire.
func (c *Client) accessToken(ctx context.Context, renew bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !renew && c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	body, _ := json.Marshal(map[string]string{"username": c.Username, "password": c.Password})
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := c.do(ctx, "token", http.MethodPost, "/v1/token", "", body, &out); err != nil {
		return "", err
	}
	if out.AccessToken == "" {
		return "", errors.New("suomi.fi messages: token: empty access token")
	}
	life := time.Duration(out.ExpiresIn) * time.Second
	if life <= 0 {
		life = 5 * time.Minute
	}
	c.token, c.expires = out.AccessToken, c.now().Add(life-min(life/10, time.Minute))
	return c.token, nil
}

// call makes an authorized request, renewing the token once when the API
// says it is no longer valid.
func (c *Client) call(ctx context.Context, op, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.accessToken(ctx, attempt > 0)
		if err != nil {
			return err
		}
		err = c.do(ctx, op, method, path, tok, body, out)
		var ae *APIError
		if attempt == 0 && errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
			continue
		}
		return err
	}
}

func (c *Client) do(ctx context.Context, op, method, path, token string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return fmt.Errorf("suomi.fi messages: %s: %w", op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("suomi.fi messages: %s: %w", op, err)
	}
	if resp.StatusCode/100 != 2 {
		e := &APIError{Status: resp.StatusCode, Op: op}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
		if resp.StatusCode == http.StatusConflict && out != nil {
			// The message with this externalId was sent already: its
			// answer carries the id, which is success for an idempotent send.
			if json.Unmarshal(raw, out) == nil {
				return errConflict{e}
			}
		}
		return e
	}
	if out == nil || len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, out)
}

type errConflict struct{ *APIError }

func (e errConflict) Unwrap() error { return e.APIError }

// ActiveMailboxes answers which of ids (henkilötunnus or business id)
// have an active Suomi.fi mailbox, asking in batches.
func (c *Client) ActiveMailboxes(ctx context.Context, ids []string) (map[string]bool, error) {
	batch := c.MailboxBatch
	if batch <= 0 || batch > 10000 {
		batch = 10000
	}
	active := map[string]bool{}
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(start+batch, len(ids))]
		type user struct {
			ID string `json:"id"`
		}
		in := struct {
			EndUsers []user `json:"endUsers"`
		}{}
		for _, id := range part {
			in.EndUsers = append(in.EndUsers, user{id})
		}
		var out struct {
			EndUsersWithActiveMailbox []user `json:"endUsersWithActiveMailbox"`
		}
		if err := c.call(ctx, "mailboxes", http.MethodPost, "/v1/mailboxes/active", in, &out); err != nil {
			return nil, err
		}
		for _, u := range out.EndUsersWithActiveMailbox {
			active[u.ID] = true
		}
	}
	return active, nil
}

// Electronic is one electronic message.
type Electronic struct {
	ExternalID  string // idempotency: the same id is sent once
	RecipientID string // henkilötunnus or business id
	Title, Body string
}

// Send sends an electronic message (POST /v2/messages/electronic) and
// answers its message id. A repeat of an externalId the API has already
// taken answers that message's id.
func (c *Client) Send(ctx context.Context, m Electronic) (int64, error) {
	in := map[string]any{
		"externalId": m.ExternalID,
		"recipient":  map[string]string{"id": m.RecipientID},
		"sender":     map[string]string{"serviceId": c.ServiceID},
		"electronic": map[string]any{
			"title": m.Title, "body": m.Body, "bodyFormat": "Text",
			"messageServiceType": "Normal", "replyAllowedBy": "No one", "visibility": "Normal",
			"attachments": []any{},
			"notifications": map[string]any{
				"senderDetailsInNotifications": "Organisation and service name",
				"unreadMessageNotification":    map[string]string{"reminder": "Default reminder"},
			},
		},
	}
	var out struct {
		MessageID int64 `json:"messageId"`
	}
	err := c.call(ctx, "send", http.MethodPost, "/v2/messages/electronic", in, &out)
	var conflict errConflict
	if errors.As(err, &conflict) && out.MessageID != 0 {
		return out.MessageID, nil
	}
	return out.MessageID, err
}

// Event is one event of a sent message.
type Event struct {
	Type       string    `json:"type"`
	Time       time.Time `json:"eventTime"`
	MessageID  int64     `json:"-"`
	ExternalID string    `json:"-"`
}

// Events reads the events after continuation ("" from the start) and
// answers them and the token to continue from (GET /v2/events; an empty
// list means nothing new for now).
func (c *Client) Events(ctx context.Context, continuation string) ([]Event, string, error) {
	path := "/v2/events"
	if continuation != "" {
		path += "?continuationToken=" + url.QueryEscape(continuation)
	}
	var out struct {
		Events []struct {
			Type      string    `json:"type"`
			EventTime time.Time `json:"eventTime"`
			Metadata  struct {
				MessageID  int64  `json:"messageId"`
				ExternalID string `json:"externalId"`
			} `json:"metadata"`
		} `json:"events"`
		ContinuationToken string `json:"continuationToken"`
	}
	if err := c.call(ctx, "events", http.MethodGet, path, nil, &out); err != nil {
		return nil, "", err
	}
	evs := make([]Event, 0, len(out.Events))
	for _, e := range out.Events {
		evs = append(evs, Event{Type: e.Type, Time: e.EventTime, MessageID: e.Metadata.MessageID, ExternalID: e.Metadata.ExternalID})
	}
	next := out.ContinuationToken
	if next == "" {
		next = continuation
	}
	return evs, next, nil
}
