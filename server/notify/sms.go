package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// SMSGateway sends text messages through a generic HTTPS gateway that
// takes POST {to, text} with a bearer token (ASIOINTI_SMS_URL,
// ASIOINTI_SMS_TOKEN). The delivery key goes in Idempotency-Key.
type SMSGateway struct {
	URL    string
	Token  string
	Client *http.Client // nil: NewHTTPClient(10 s)
}

// NewSMSGateway checks the gateway's URL (https, or http on loopback for
// tests).
func NewSMSGateway(rawURL, token string) (*SMSGateway, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || !(u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil, fmt.Errorf("%q is not an https URL", rawURL)
	}
	return &SMSGateway{URL: rawURL, Token: token, Client: NewHTTPClient(10 * time.Second)}, nil
}

// Send posts one message.
func (g *SMSGateway) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(map[string]string{"to": m.To, "text": m.Text})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPermanent, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", m.Key)
	if g.Token != "" {
		req.Header.Set("Authorization", "Bearer "+g.Token)
	}
	c := g.Client
	if c == nil {
		c = NewHTTPClient(10 * time.Second)
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	return HTTPOutcome(res, time.Now())
}

// NewHTTPClient is a client for delivery adapters: a timeout on every
// request and no redirects followed (a redirect answers as itself).
func NewHTTPClient(timeout time.Duration) *http.Client {
	// Its own transport that keeps as many idle connections to one host
	// as the dispatcher sends at once (the default keeps 2, so most sends
	// to one push service would open a new TLS connection).
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 64
	return &http.Client{Timeout: timeout, Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// HTTPOutcome maps a delivery service's answer: 2xx delivered; 429 and
// 5xx retried (after Retry-After when given); anything else, redirects
// included, permanent.
func HTTPOutcome(res *http.Response, now time.Time) error {
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return nil
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		return &RetryError{After: retryAfter(res.Header.Get("Retry-After"), now), Err: fmt.Errorf("answer %d", res.StatusCode)}
	default:
		return fmt.Errorf("%w: answer %d", ErrPermanent, res.StatusCode)
	}
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
