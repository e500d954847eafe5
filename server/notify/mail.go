package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

// Mailer sends e-mail through an SMTP server: smtp://user:pass@host:587
// speaks STARTTLS (required), smtps://…:465 implicit TLS; the password is
// sent only over TLS.
type Mailer struct {
	URL  *url.URL
	From string // the sender address (ASIOINTI_MAIL_FROM)
	// TLS is the client TLS configuration (nil: the system's roots,
	// ServerName from the URL).
	TLS     *tls.Config
	Timeout time.Duration // for the whole conversation (30 s)
}

// NewMailer checks an ASIOINTI_SMTP_URL and ASIOINTI_MAIL_FROM.
func NewMailer(rawURL, from string) (*Mailer, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("%q is not smtp://user:pass@host:587 or smtps://user:pass@host:465", redactURL(rawURL))
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("mail sender %q is not an e-mail address", from)
	}
	return &Mailer{URL: u, From: from}, nil
}

func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return raw
}

// Send delivers one e-mail.
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host := m.URL.Hostname()
	port := m.URL.Port()
	if port == "" {
		port = map[string]string{"smtp": "587", "smtps": "465"}[m.URL.Scheme]
	}
	tlsConf := m.TLS
	if tlsConf == nil {
		tlsConf = &tls.Config{}
	}
	tlsConf = tlsConf.Clone()
	if tlsConf.ServerName == "" {
		tlsConf.ServerName = host
	}
	tlsConf.MinVersion = tls.VersionTLS12
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if m.URL.Scheme == "smtps" {
		conn = tls.Client(conn, tlsConf)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return smtpOutcome(err)
	}
	defer c.Close()
	if err := c.Hello(helloName(m.From)); err != nil {
		return smtpOutcome(err)
	}
	if m.URL.Scheme == "smtp" {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the SMTP server does not offer STARTTLS")
		}
		if err := c.StartTLS(tlsConf); err != nil {
			return smtpOutcome(err)
		}
	}
	if u := m.URL.User; u != nil && u.Username() != "" {
		pass, _ := u.Password()
		if err := c.Auth(smtp.PlainAuth("", u.Username(), pass, host)); err != nil {
			return smtpOutcome(err)
		}
	}
	body, err := m.compose(msg)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPermanent, err)
	}
	if err := c.Mail(m.From); err != nil {
		return smtpOutcome(err)
	}
	if err := c.Rcpt(msg.To); err != nil {
		return smtpOutcome(err)
	}
	w, err := c.Data()
	if err != nil {
		return smtpOutcome(err)
	}
	if _, err := w.Write(body); err != nil {
		return smtpOutcome(err)
	}
	if err := w.Close(); err != nil {
		return smtpOutcome(err)
	}
	return c.Quit()
}

// smtpOutcome makes a 5xx answer permanent; the rest is retried.
func smtpOutcome(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return fmt.Errorf("%w: %v", ErrPermanent, err)
	}
	return err
}

func helloName(from string) string {
	if i := strings.LastIndex(from, "@"); i >= 0 {
		return strings.Trim(from[i+1:], "<> ")
	}
	return "localhost"
}

// compose writes the message: plain text and HTML alternatives, in the
// recipient's language, with the delivery key as Message-ID so that a
// repeat is recognisable.
func (m *Mailer) compose(msg Message) ([]byte, error) {
	if _, err := mail.ParseAddress(msg.To); err != nil {
		return nil, fmt.Errorf("recipient is not an e-mail address")
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", m.From)
	h("To", msg.To)
	h("Subject", mime.QEncoding.Encode("utf-8", msg.Subject))
	h("Date", time.Now().Format(time.RFC1123Z))
	h("Message-ID", "<"+msg.Key+"@"+helloName(m.From)+">")
	h("Content-Language", msg.Lang)
	h("Auto-Submitted", "auto-generated")
	h("MIME-Version", "1.0")
	h("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	for _, part := range []struct{ ctype, body string }{{"text/plain", msg.Text}, {"text/html", msg.HTML}} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qw := quotedprintable.NewWriter(pw)
		if _, err := qw.Write([]byte(strings.ReplaceAll(part.body, "\n", "\r\n"))); err != nil {
			return nil, err
		}
		if err := qw.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
