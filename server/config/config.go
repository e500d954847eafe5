// Package config reads and validates the environment described in
// CONTRACT.md. Every bad value is reported, each with its own message.
package config

import (
	"bytes"
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"asiointi/server/forms"
)

// Mode is demo or production.
type Mode string

const (
	Demo       Mode = "demo"
	Production Mode = "production"
)

// DefaultPushHosts are the public browser push services.
var DefaultPushHosts = []string{
	"fcm.googleapis.com", "updates.push.services.mozilla.com",
	"web.push.apple.com", "*.notify.windows.com",
}

// Config is the validated configuration.
type Config struct {
	Addr    string
	DataDir string
	// Store is ASIOINTI_STORE: a postgres:// URL puts the store in that
	// PostgreSQL database (several nodes may share it); empty, the
	// default, is the bbolt file in DataDir.
	Store          string
	Mode           Mode
	PushHosts      []string
	RateLimits     bool
	TrustedProxies []string
	MetricsAddr    string
	// BaseURL is the public origin (scheme://host[:port]) when known;
	// required in production for links in messages.
	BaseURL string
	// IdentityProvider names the resident login: "suomifi-saml" (Suomi.fi
	// e-Identification) or "" (demo test login only).
	IdentityProvider string
	// Population names the population data adapter that tells, at a
	// person's first national login, their relations (guardianship of
	// minors, mandates, organisation roles): PopulationDemo (the embedded
	// demo register; the default in demo mode) or PopulationNone (the
	// default in production) (ASIOINTI_POPULATION).
	Population string
	// SAML service provider (ASIOINTI_SAML_*): the IdP metadata (a file
	// path or an https URL), the SP key and certificate (PEM files), and
	// optionally the SHA-256 fingerprints of the IdP signing certificates
	// to trust (needed when the metadata comes from a URL).
	SAMLIDPMetadata, SAMLKeyFile, SAMLCertFile string
	SAMLIDPCertSHA256                          []string
	// Staff login (ASIOINTI_STAFF_OIDC_*); RolesClaim defaults to "roles".
	StaffOIDCIssuer, StaffOIDCClientID, StaffOIDCClientSecret, StaffOIDCRolesClaim string
	// Suomi.fi Messages (ASIOINTI_MESSAGES_*); unset: not used.
	MessagesURL, MessagesUsername, MessagesPassword, MessagesServiceID string
	// MessagesKinds are the notification kinds sent to Suomi.fi Messages
	// (ASIOINTI_MESSAGES_KINDS; default notify.DefaultMessagesKinds).
	MessagesKinds []string
	// The right to act for others (ASIOINTI_MANDATES): "embedded" (the
	// default: the register's demo data) or "suomifi" (Suomi.fi Mandates
	// at MandatesURL, with the client id, the checksum key and the OAuth
	// secret).
	Mandates, MandatesURL, MandatesClientID, MandatesSecret, MandatesOAuthSecret string
	// SMTPURL and MailFrom configure e-mail (smtp:// with STARTTLS or
	// smtps://); SMSURL and SMSToken the SMS gateway. Unset in demo mode:
	// messages go to the demo outbox.
	SMTPURL, MailFrom string
	SMSURL, SMSToken  string
	// VAPIDPublic and VAPIDPrivate are the web push key pair (URL-safe
	// base64, P-256) when given by configuration; unset, the server
	// generates a pair at first start and keeps it in the store.
	VAPIDPublic, VAPIDPrivate string
	// SessionIdle and SessionAbsolute are the session timeouts.
	SessionIdle, KioskIdle, SessionAbsolute time.Duration
	// UploadQuota caps the bytes of files one person holds in unsubmitted
	// drafts (ASIOINTI_UPLOAD_QUOTA); 0 is no cap.
	UploadQuota int64
	// MaxConnsPerIP caps one client address's open connections
	// (ASIOINTI_MAX_CONNS_PER_IP); the trusted proxies are not capped.
	MaxConnsPerIP int
	// Slow clients (no environment variables; tests shorten them): a
	// request's headers must arrive within HeaderTimeout; a body may pause
	// for BodyIdle between reads, and must arrive within BodyIdle plus its
	// size at MinBodyRate bytes per second (a phone on a weak link uploads
	// a large file; a client that trickles a body does not hold the
	// connection for long).
	HeaderTimeout, BodyIdle time.Duration
	MinBodyRate             int64
}

// DefaultUploadQuota is ASIOINTI_UPLOAD_QUOTA's default.
const DefaultUploadQuota = 100 << 20

// Load reads the configuration through getenv (os.Getenv in main).
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		Addr:            "127.0.0.1:8080", // loopback: demo mode's test login is not for the network
		DataDir:         "./data",
		Mode:            Demo,
		PushHosts:       DefaultPushHosts,
		RateLimits:      true,
		SessionIdle:     30 * time.Minute,
		KioskIdle:       10 * time.Minute,
		SessionAbsolute: 12 * time.Hour,
		UploadQuota:     DefaultUploadQuota,
		MaxConnsPerIP:   100,
		HeaderTimeout:   10 * time.Second,
		BodyIdle:        30 * time.Second,
		MinBodyRate:     4 << 10,
	}
	var errs []error
	bad := func(name, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, a...)))
	}
	if v := strings.TrimSpace(getenv("ASIOINTI_ADDR")); v != "" {
		if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
			bad("ASIOINTI_ADDR", "%q is not host:port (for example :8080 or 127.0.0.1:8080)", v)
		} else {
			c.Addr = v
		}
	}
	if v := strings.TrimSpace(getenv("ASIOINTI_DATA")); v != "" {
		c.DataDir = v
	}
	if v := strings.TrimSpace(getenv("ASIOINTI_STORE")); v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("ASIOINTI_STORE", "not a postgres:// URL (unset it for the bbolt file in ASIOINTI_DATA)")
		} else {
			c.Store = v
		}
	}
	switch v := strings.TrimSpace(getenv("ASIOINTI_MODE")); v {
	case "", string(Demo):
	case string(Production):
		c.Mode = Production
	default:
		bad("ASIOINTI_MODE", "%q is not one of demo, production", v)
	}
	if v := strings.TrimSpace(getenv("ASIOINTI_PUSH_HOSTS")); v != "" {
		c.PushHosts = nil
		for _, h := range strings.Split(v, ",") {
			h = strings.TrimSpace(h)
			if h == "" {
				continue
			}
			if strings.Contains(h, "/") || strings.Contains(h, " ") {
				bad("ASIOINTI_PUSH_HOSTS", "%q is not a host or host:port", h)
				continue
			}
			c.PushHosts = append(c.PushHosts, strings.ToLower(h))
		}
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv("ASIOINTI_RATE_LIMITS"))); v {
	case "", "on":
	case "off":
		c.RateLimits = false
	default:
		bad("ASIOINTI_RATE_LIMITS", "%q is not one of on, off", v)
	}
	if v := strings.TrimSpace(getenv("ASIOINTI_TRUSTED_PROXIES")); v != "" {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if _, err := netip.ParsePrefix(p); err != nil {
				if _, err := netip.ParseAddr(p); err != nil {
					bad("ASIOINTI_TRUSTED_PROXIES", "%q is not an IP address or CIDR range", p)
					continue
				}
			}
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if v := strings.TrimSpace(getenv("ASIOINTI_METRICS_ADDR")); v != "" {
		if _, _, err := net.SplitHostPort(v); err != nil {
			bad("ASIOINTI_METRICS_ADDR", "%q is not host:port", v)
		} else {
			c.MetricsAddr = v
		}
	}
	if v := strings.TrimSpace(getenv("ASIOINTI_BASE_URL")); v != "" {
		if !(strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "http://")) || strings.Count(v, "/") != 2 {
			bad("ASIOINTI_BASE_URL", "%q is not an origin such as https://asiointi.example.fi", v)
		} else {
			c.BaseURL = v
		}
	}
	if v := strings.TrimSpace(getenv("ASIOINTI_UPLOAD_QUOTA")); v != "" {
		n, ok := parseSize(v)
		switch {
		case strings.EqualFold(v, "off"):
			c.UploadQuota = 0
		case !ok:
			bad("ASIOINTI_UPLOAD_QUOTA", "%q is not a size such as 100MiB, 1GiB or 104857600 (bytes), or off", v)
		case n < forms.MaxStepFileBytes:
			bad("ASIOINTI_UPLOAD_QUOTA", "%q is less than the files of one form step may hold (%d MiB)", v, forms.MaxStepFileBytes>>20)
		default:
			c.UploadQuota = n
		}
	}
	if v := strings.TrimSpace(getenv("ASIOINTI_MAX_CONNS_PER_IP")); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 {
			bad("ASIOINTI_MAX_CONNS_PER_IP", "%q is not a whole number of 1 or more", v)
		} else {
			c.MaxConnsPerIP = n
		}
	}
	c.IdentityProvider = strings.TrimSpace(getenv("ASIOINTI_IDP"))
	for _, v := range []struct {
		name string
		to   *string
	}{{"ASIOINTI_SMTP_URL", &c.SMTPURL}, {"ASIOINTI_MAIL_FROM", &c.MailFrom}, {"ASIOINTI_SMS_URL", &c.SMSURL}, {"ASIOINTI_SMS_TOKEN", &c.SMSToken},
		{"ASIOINTI_VAPID_PUBLIC_KEY", &c.VAPIDPublic}, {"ASIOINTI_VAPID_PRIVATE_KEY", &c.VAPIDPrivate},
		{"ASIOINTI_STAFF_OIDC_CLIENT_SECRET", &c.StaffOIDCClientSecret},
		{"ASIOINTI_MESSAGES_USERNAME", &c.MessagesUsername}, {"ASIOINTI_MESSAGES_PASSWORD", &c.MessagesPassword},
		{"ASIOINTI_MANDATES_SECRET", &c.MandatesSecret}, {"ASIOINTI_MANDATES_OAUTH_SECRET", &c.MandatesOAuthSecret}} {
		val, err := secretEnv(getenv, v.name)
		if err != nil {
			bad(v.name+"_FILE", "%v", err)
		}
		*v.to = val
	}
	if c.VAPIDPublic != "" || c.VAPIDPrivate != "" {
		if err := checkVAPID(c.VAPIDPublic, c.VAPIDPrivate); err != nil {
			bad("ASIOINTI_VAPID_PUBLIC_KEY, ASIOINTI_VAPID_PRIVATE_KEY", "%v", err)
		}
	}
	if c.SMTPURL != "" && c.MailFrom == "" {
		bad("ASIOINTI_MAIL_FROM", "is needed with ASIOINTI_SMTP_URL (the sender address)")
	}
	loadFederation(&c, getenv, bad)
	if c.Mode == Production {
		var missing []string
		if c.BaseURL == "" {
			missing = append(missing, "ASIOINTI_BASE_URL (the public https origin)")
		} else if !strings.HasPrefix(c.BaseURL, "https://") {
			bad("ASIOINTI_BASE_URL", "production must be served over https")
		}
		if c.IdentityProvider == "" {
			missing = append(missing, "ASIOINTI_IDP (suomifi-saml: resident login through Suomi.fi e-Identification)")
		}
		missing = append(missing, c.missingFederation()...)
		if c.SMTPURL == "" {
			missing = append(missing, "ASIOINTI_SMTP_URL and ASIOINTI_MAIL_FROM (e-mail)")
		}
		if c.SMSURL == "" {
			missing = append(missing, "ASIOINTI_SMS_URL (SMS gateway)")
		}
		for _, m := range missing {
			errs = append(errs, fmt.Errorf("production mode needs %s", m))
		}
	}
	return c, errors.Join(errs...)
}

// checkVAPID checks a web push key pair: both given, URL-safe base64, a
// P-256 private key and its own public key.
func checkVAPID(public, private string) error {
	if public == "" || private == "" {
		return errors.New("give both keys or neither")
	}
	decode := func(s string) ([]byte, error) {
		return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	priv, err := decode(private)
	if err != nil {
		return errors.New("the private key is not URL-safe base64")
	}
	key, err := ecdh.P256().NewPrivateKey(priv)
	if err != nil {
		return errors.New("the private key is not a P-256 key (32 bytes)")
	}
	pub, err := decode(public)
	if err != nil {
		return errors.New("the public key is not URL-safe base64")
	}
	if !bytes.Equal(pub, key.PublicKey().Bytes()) {
		return errors.New("the public key is not the private key's")
	}
	return nil
}

// secretEnv reads NAME, or the file named by NAME_FILE.
func secretEnv(getenv func(string) string, name string) (string, error) {
	if path := strings.TrimSpace(getenv(name + "_FILE")); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err))
		}
		return strings.TrimSpace(string(b)), nil
	}
	return strings.TrimSpace(getenv(name)), nil
}

// parseSize reads a byte count: 104857600, 100MiB, 100 MiB, 1GiB, 512KiB.
func parseSize(v string) (int64, bool) {
	num, mult := v, int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}} {
		if strings.HasSuffix(strings.ToLower(v), u.suffix) {
			num, mult = strings.TrimSpace(v[:len(v)-len(u.suffix)]), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<50)/mult {
		return 0, false
	}
	return n * mult, true
}
