package notify_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"asiointi/server/notify"
	"asiointi/server/store"
)

// smtpServer is a local SMTP server (STARTTLS, AUTH PLAIN) that keeps
// what it receives.
type smtpServer struct {
	mu       sync.Mutex
	mails    []string
	from, to []string
	authed   []string
}

func (s *smtpServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &smtpSession{s: s, tls: isTLS}, nil
}

type smtpSession struct {
	s    *smtpServer
	tls  bool
	user string
}

func (ss *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (ss *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "asiointi" || pass != "s3cret" {
			return smtp.ErrAuthFailed
		}
		ss.user = user
		return nil
	}), nil
}
func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.user == "" {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	ss.s.mu.Lock()
	ss.s.from = append(ss.s.from, from)
	ss.s.mu.Unlock()
	return nil
}
func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.SMTPError{Code: 550, Message: "no such user"}
	}
	ss.s.mu.Lock()
	ss.s.to = append(ss.s.to, to)
	ss.s.mu.Unlock()
	return nil
}
func (ss *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	ss.s.mu.Lock()
	ss.s.mails = append(ss.s.mails, string(b))
	ss.s.authed = append(ss.s.authed, ss.user)
	ss.s.mu.Unlock()
	return err
}
func (ss *smtpSession) Reset()        {}
func (ss *smtpSession) Logout() error { return nil }

// startSMTP serves on loopback with a self-signed certificate; the
// returned TLS config trusts it.
func startSMTP(t *testing.T) (*smtpServer, string, *tls.Config) {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	hs.StartTLS() // only for its certificate
	cert := hs.TLS.Certificates[0]
	hs.Close()
	be := &smtpServer{}
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return be, ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "example.com"}
}

func TestMailerSMTP(t *testing.T) {
	srv, addr, tlsConf := startSMTP(t)
	st := openStore(t, t.TempDir())
	err := st.Update(func(tx *store.Tx) error {
		return notify.Submitted(tx, notify.Action{Case: "c1", Service: "home-help", At: t0,
			Actor: notify.Person{ID: "juhani", Name: "Juhani Korhonen"}, Principal: &notify.Person{ID: "sven", Name: "Sven Lindqvist"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := notify.NewMailer("smtp://asiointi:s3cret@"+addr, "asiointi@esimerkkila.fi")
	if err != nil {
		t.Fatal(err)
	}
	m.TLS = tlsConf
	d := &notify.Dispatcher{Store: st, Render: renderer(t), People: demo, Now: func() time.Time { return t0 },
		Senders: map[string]notify.Sender{notify.ChannelEmail: m}}
	if _, err := d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.mails) != 1 || srv.to[0] != "sven@example.fi" || srv.from[0] != "asiointi@esimerkkila.fi" || srv.authed[0] != "asiointi" {
		t.Fatalf("received %d mails, to %v from %v authed %v", len(srv.mails), srv.to, srv.from, srv.authed)
	}
	msg, err := mail.ReadMessage(strings.NewReader(srv.mails[0]))
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subj != "Nytt meddelande i e-tjänsten" || msg.Header.Get("Content-Language") != "sv" || !strings.Contains(msg.Header.Get("Message-Id"), ".email@esimerkkila.fi>") {
		t.Errorf("headers %v (subject %q)", msg.Header, subj)
	}
	mt, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if mt != "multipart/alternative" {
		t.Fatalf("content type %s", mt)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(p) // NextPart decodes quoted-printable
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = string(b)
	}
	if !strings.Contains(parts["text/plain"], "Juhani Korhonen skickade en ansökan för din räkning: Hemservice.") ||
		!strings.Contains(parts["text/plain"], "https://asiointi.example.fi/sv/cases/c1") ||
		!strings.Contains(parts["text/html"], `<a href="https://asiointi.example.fi/sv/cases/c1">`) {
		t.Errorf("parts %q", parts)
	}
}

func TestMailerRefusals(t *testing.T) {
	_, addr, tlsConf := startSMTP(t)
	for _, tc := range []struct {
		name, url, to string
		permanent     bool
	}{
		{"unknown recipient: 5xx, permanent", "smtp://asiointi:s3cret@" + addr, "nobody@example.fi", true},
		{"wrong password: 5xx, permanent", "smtp://asiointi:wrong@" + addr, "sven@example.fi", true},
		{"no such server: retried", "smtp://asiointi:s3cret@127.0.0.1:1", "sven@example.fi", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := notify.NewMailer(tc.url, "asiointi@esimerkkila.fi")
			if err != nil {
				t.Fatal(err)
			}
			m.TLS, m.Timeout = tlsConf, 5*time.Second
			err = m.Send(context.Background(), notify.Message{Key: "k", To: tc.to, Subject: "s", Text: "t", HTML: "<p>t</p>"})
			if err == nil || errors.Is(err, notify.ErrPermanent) != tc.permanent {
				t.Errorf("err %v, permanent want %v", err, tc.permanent)
			}
		})
	}
	// Without TLS the password would be sent in the clear: refused.
	_, plainAddr := startPlainSMTP(t)
	m, _ := notify.NewMailer("smtp://asiointi:s3cret@"+plainAddr, "asiointi@esimerkkila.fi")
	m.Timeout = 5 * time.Second
	if err := m.Send(context.Background(), notify.Message{Key: "k", To: "sven@example.fi"}); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("no STARTTLS: %v", err)
	}
	for _, bad := range []string{"http://x", "smtp://", "mailto:x@y"} {
		if _, err := notify.NewMailer(bad, "a@b.fi"); err == nil {
			t.Errorf("NewMailer(%q) accepted", bad)
		}
	}
}

func startPlainSMTP(t *testing.T) (*smtpServer, string) {
	be := &smtpServer{}
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return be, ln.Addr().String()
}

func TestSMSGateway(t *testing.T) {
	type got struct {
		auth, key string
		body      map[string]string
	}
	var mu sync.Mutex
	var reqs []got
	answer := 200
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b map[string]string
		json.NewDecoder(r.Body).Decode(&b)
		mu.Lock()
		reqs = append(reqs, got{r.Header.Get("Authorization"), r.Header.Get("Idempotency-Key"), b})
		a := answer
		mu.Unlock()
		switch a {
		case 302:
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		case 503:
			w.Header().Set("Retry-After", "7")
		}
		w.WriteHeader(a)
	}))
	defer gw.Close()
	g, err := notify.NewSMSGateway(gw.URL+"/send", "tok")
	if err != nil {
		t.Fatal(err)
	}
	msg := notify.Message{Key: "n1.sms", To: "+358401", Text: "Hei https://x/fi/cases/c1"}
	for _, tc := range []struct {
		answer    int
		permanent bool
		retryIn   time.Duration
		ok        bool
	}{
		{200, false, 0, true}, {503, false, 7 * time.Second, false}, {429, false, 0, false},
		{400, true, 0, false}, {413, true, 0, false}, {302, true, 0, false},
	} {
		mu.Lock()
		answer, reqs = tc.answer, nil
		mu.Unlock()
		err := g.Send(context.Background(), msg)
		var re *notify.RetryError
		switch {
		case tc.ok && err != nil, errors.Is(err, notify.ErrPermanent) != tc.permanent:
			t.Errorf("%d: %v", tc.answer, err)
		case !tc.ok && !tc.permanent && (!errors.As(err, &re) || re.After != tc.retryIn):
			t.Errorf("%d: %v, want retry in %s", tc.answer, err, tc.retryIn)
		}
		mu.Lock()
		if len(reqs) != 1 || reqs[0].auth != "Bearer tok" || reqs[0].key != "n1.sms" || reqs[0].body["to"] != "+358401" || reqs[0].body["text"] != msg.Text {
			t.Errorf("%d: gateway got %+v (a redirect must not be followed)", tc.answer, reqs)
		}
		mu.Unlock()
	}
	for _, bad := range []string{"http://sms.example.fi/send", "ftp://x", "/send"} {
		if _, err := notify.NewSMSGateway(bad, ""); err == nil {
			t.Errorf("NewSMSGateway(%q) accepted", bad)
		}
	}
}
