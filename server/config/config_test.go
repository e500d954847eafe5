package config

import (
	"os"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.Mode != Demo || !c.RateLimits || len(c.PushHosts) == 0 || c.Mandates != MandatesEmbedded || c.Population != PopulationDemo {
		t.Errorf("defaults: %+v", c)
	}
}

func TestBadValues(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"ASIOINTI_ADDR": "8080"}, []string{"ASIOINTI_ADDR", "not host:port"}},
		{map[string]string{"ASIOINTI_MODE": "prod"}, []string{"ASIOINTI_MODE", "demo, production"}},
		{map[string]string{"ASIOINTI_RATE_LIMITS": "maybe"}, []string{"ASIOINTI_RATE_LIMITS"}},
		{map[string]string{"ASIOINTI_TRUSTED_PROXIES": "10.0.0.0/8,nonsense"}, []string{"nonsense", "CIDR"}},
		{map[string]string{"ASIOINTI_PUSH_HOSTS": "https://x/y"}, []string{"ASIOINTI_PUSH_HOSTS"}},
		{map[string]string{"ASIOINTI_BASE_URL": "example.fi"}, []string{"ASIOINTI_BASE_URL"}},
		{map[string]string{"ASIOINTI_MODE": "production"}, []string{"ASIOINTI_BASE_URL", "ASIOINTI_IDP", "ASIOINTI_STAFF_OIDC_ISSUER"}},
		{map[string]string{"ASIOINTI_MODE": "production", "ASIOINTI_BASE_URL": "http://x.fi", "ASIOINTI_IDP": "suomifi"}, []string{"https", "ASIOINTI_IDP: \"suomifi\" is not one of suomifi-saml"}},
		{map[string]string{"ASIOINTI_IDP": "suomifi-saml"}, []string{"ASIOINTI_SAML_IDP_METADATA: is needed", "ASIOINTI_SAML_KEY: is needed", "ASIOINTI_SAML_CERT: is needed", "ASIOINTI_BASE_URL: is needed"}},
		{map[string]string{"ASIOINTI_POPULATION": "dvv"}, []string{"ASIOINTI_POPULATION: \"dvv\" is not one of demo, none"}},
		{map[string]string{"ASIOINTI_SAML_KEY": "/nonexistent/sp.key"}, []string{"ASIOINTI_SAML_KEY", "cannot read"}},
		{map[string]string{"ASIOINTI_SAML_IDP_METADATA": "http://idp.example.fi/metadata"}, []string{"ASIOINTI_SAML_IDP_METADATA", "https"}},
		{map[string]string{"ASIOINTI_SAML_IDP_METADATA": "https://idp.example.fi/metadata"}, []string{"ASIOINTI_SAML_IDP_CERT_SHA256: is needed"}},
		{map[string]string{"ASIOINTI_SAML_IDP_CERT_SHA256": "abc"}, []string{"ASIOINTI_SAML_IDP_CERT_SHA256", "64 hex"}},
		{map[string]string{"ASIOINTI_STAFF_OIDC_ISSUER": "http://login.example.fi"}, []string{"ASIOINTI_STAFF_OIDC_ISSUER", "https", "ASIOINTI_STAFF_OIDC_CLIENT_ID: is needed", "ASIOINTI_STAFF_OIDC_CLIENT_SECRET: is needed"}},
		{map[string]string{"ASIOINTI_MESSAGES_URL": "https://api.messages.example"}, []string{"ASIOINTI_MESSAGES_USERNAME: is needed", "ASIOINTI_MESSAGES_PASSWORD: is needed", "ASIOINTI_MESSAGES_SERVICE_ID: is needed"}},
		{map[string]string{"ASIOINTI_MANDATES": "valtuudet"}, []string{"ASIOINTI_MANDATES", "embedded, suomifi"}},
		{map[string]string{"ASIOINTI_MANDATES": "suomifi"}, []string{"ASIOINTI_MANDATES_URL: is needed", "ASIOINTI_MANDATES_CLIENT_ID: is needed",
			"ASIOINTI_MANDATES_SECRET: is needed", "ASIOINTI_MANDATES_OAUTH_SECRET: is needed", "ASIOINTI_BASE_URL: is needed"}},
		{map[string]string{"ASIOINTI_MANDATES": "suomifi", "ASIOINTI_MANDATES_URL": "http://valtuudet.example.fi"}, []string{"ASIOINTI_MANDATES_URL", "https"}},
		{map[string]string{"ASIOINTI_MESSAGES_KINDS": "proxy-submitted,spam"}, []string{"ASIOINTI_MESSAGES_KINDS", `"spam"`}},
		{map[string]string{"ASIOINTI_STAFF_OIDC_CLIENT_SECRET_FILE": "/nonexistent/secret"}, []string{"ASIOINTI_STAFF_OIDC_CLIENT_SECRET_FILE", "cannot read"}},
		{map[string]string{"ASIOINTI_UPLOAD_QUOTA": "lots"}, []string{"ASIOINTI_UPLOAD_QUOTA", "100MiB"}},
		{map[string]string{"ASIOINTI_UPLOAD_QUOTA": "100MB"}, []string{"ASIOINTI_UPLOAD_QUOTA"}},
		{map[string]string{"ASIOINTI_UPLOAD_QUOTA": "-1"}, []string{"ASIOINTI_UPLOAD_QUOTA"}},
		{map[string]string{"ASIOINTI_UPLOAD_QUOTA": "39MiB"}, []string{"ASIOINTI_UPLOAD_QUOTA", "40 MiB"}},
		{map[string]string{"ASIOINTI_MAX_CONNS_PER_IP": "0"}, []string{"ASIOINTI_MAX_CONNS_PER_IP"}},
		{map[string]string{"ASIOINTI_STORE": "mysql://db/asiointi"}, []string{"ASIOINTI_STORE", "postgres://"}},
		{map[string]string{"ASIOINTI_STORE": "/var/lib/asiointi"}, []string{"ASIOINTI_STORE"}},
		{map[string]string{"ASIOINTI_MAX_CONNS_PER_IP": "many"}, []string{"ASIOINTI_MAX_CONNS_PER_IP"}},
		// Several bad values: every one is reported.
		{map[string]string{"ASIOINTI_ADDR": "x", "ASIOINTI_MODE": "y"}, []string{"ASIOINTI_ADDR", "ASIOINTI_MODE"}},
		{map[string]string{"ASIOINTI_SMTP_URL": "smtp://mail.example.fi:587"}, []string{"ASIOINTI_MAIL_FROM"}},
		{map[string]string{"ASIOINTI_SMS_TOKEN_FILE": "/nonexistent/token"}, []string{"ASIOINTI_SMS_TOKEN_FILE", "cannot read"}},
		{map[string]string{"ASIOINTI_MODE": "production"}, []string{"ASIOINTI_SMTP_URL", "ASIOINTI_SMS_URL"}},
		{map[string]string{"ASIOINTI_VAPID_PUBLIC_KEY": vapidPublic}, []string{"ASIOINTI_VAPID_PRIVATE_KEY", "both keys or neither"}},
		{map[string]string{"ASIOINTI_VAPID_PRIVATE_KEY": vapidPrivate}, []string{"both keys or neither"}},
		{map[string]string{"ASIOINTI_VAPID_PUBLIC_KEY": vapidPublic, "ASIOINTI_VAPID_PRIVATE_KEY": "not base64!"}, []string{"private key is not URL-safe base64"}},
		{map[string]string{"ASIOINTI_VAPID_PUBLIC_KEY": vapidPublic, "ASIOINTI_VAPID_PRIVATE_KEY": "AAAA"}, []string{"not a P-256 key"}},
		{map[string]string{"ASIOINTI_VAPID_PUBLIC_KEY": vapidPrivate, "ASIOINTI_VAPID_PRIVATE_KEY": vapidPrivate}, []string{"not the private key's"}},
	} {
		_, err := Load(env(tc.env))
		if err == nil {
			t.Errorf("%v: accepted", tc.env)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", tc.env, err, w)
			}
		}
	}
}

func TestGoodValues(t *testing.T) {
	c, err := Load(env(map[string]string{
		"ASIOINTI_ADDR": "127.0.0.1:9000", "ASIOINTI_DATA": "/tmp/x", "ASIOINTI_RATE_LIMITS": "off",
		"ASIOINTI_PUSH_HOSTS": "127.0.0.1:9999, push.example", "ASIOINTI_TRUSTED_PROXIES": "10.0.0.1,192.168.0.0/16",
		"ASIOINTI_STORE": "postgres://asiointi@db.example.fi/asiointi",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.RateLimits || c.Addr != "127.0.0.1:9000" || len(c.PushHosts) != 2 || len(c.TrustedProxies) != 2 || c.Store != "postgres://asiointi@db.example.fi/asiointi" {
		t.Errorf("%+v", c)
	}
}

// A VAPID key pair (generated once for these tests).
const (
	vapidPublic  = "BPndvap6_JJIY8_uNOpMVlUaCdbVCd8sA_Qk4OBv4cieEk9O3W1P8pdd9XQgLtnsalZnkoIi3z5JpOnllyrWQCg"
	vapidPrivate = "Z6WbGThuPaidnAGoCw1KWN2rNKXnmC5qY5n-UdoC54Q"
)

func TestVAPIDKeys(t *testing.T) {
	path := t.TempDir() + "/vapid"
	if err := os.WriteFile(path, []byte(vapidPrivate+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"ASIOINTI_VAPID_PUBLIC_KEY": vapidPublic, "ASIOINTI_VAPID_PRIVATE_KEY_FILE": path}))
	if err != nil {
		t.Fatal(err)
	}
	if c.VAPIDPublic != vapidPublic || c.VAPIDPrivate != vapidPrivate {
		t.Errorf("%+v", c)
	}
}

func TestSecretFromFile(t *testing.T) {
	path := t.TempDir() + "/token"
	if err := os.WriteFile(path, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"ASIOINTI_SMS_URL": "https://sms.example.fi/send", "ASIOINTI_SMS_TOKEN_FILE": path}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMSToken != "s3cret" || c.SMSURL != "https://sms.example.fi/send" {
		t.Errorf("%+v", c)
	}
}

func TestUploadQuota(t *testing.T) {
	for v, want := range map[string]int64{"": DefaultUploadQuota, "off": 0, "OFF": 0, "104857600": 100 << 20,
		"200MiB": 200 << 20, "200 MiB": 200 << 20, "1GiB": 1 << 30, "65536KiB": 64 << 20, "40MiB": 40 << 20} {
		c, err := Load(env(map[string]string{"ASIOINTI_UPLOAD_QUOTA": v}))
		if err != nil || c.UploadQuota != want {
			t.Errorf("%q: %d, %v; want %d", v, c.UploadQuota, err, want)
		}
	}
	c, err := Load(env(map[string]string{"ASIOINTI_MAX_CONNS_PER_IP": "20"}))
	if err != nil || c.MaxConnsPerIP != 20 {
		t.Errorf("ASIOINTI_MAX_CONNS_PER_IP=20: %d, %v", c.MaxConnsPerIP, err)
	}
}

// TestProductionSettings: with every required setting production mode
// loads; the secrets come from _FILE variables as well.
func TestProductionSettings(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, err := Load(env(map[string]string{
		"ASIOINTI_MODE": "production", "ASIOINTI_BASE_URL": "https://asiointi.example.fi",
		"ASIOINTI_IDP": "suomifi-saml", "ASIOINTI_SAML_IDP_METADATA": file("idp.xml", "<x/>"),
		"ASIOINTI_SAML_KEY": file("sp.key", "k"), "ASIOINTI_SAML_CERT": file("sp.crt", "c"),
		"ASIOINTI_STAFF_OIDC_ISSUER": "https://login.example.fi/realms/kunta", "ASIOINTI_STAFF_OIDC_CLIENT_ID": "asiointi",
		"ASIOINTI_STAFF_OIDC_CLIENT_SECRET_FILE": file("oidc", "oidc-s3cret\n"),
		"ASIOINTI_MESSAGES_URL":                  "https://api.messages.example", "ASIOINTI_MESSAGES_USERNAME": "u",
		"ASIOINTI_MESSAGES_PASSWORD_FILE": file("msg", "msg-s3cret"), "ASIOINTI_MESSAGES_SERVICE_ID": "0000000-0",
		"ASIOINTI_SMTP_URL": "smtp://mail.example.fi:587", "ASIOINTI_MAIL_FROM": "noreply@example.fi",
		"ASIOINTI_SMS_URL":  "https://sms.example.fi/send",
		"ASIOINTI_MANDATES": "suomifi", "ASIOINTI_MANDATES_URL": "https://asiointivaltuustarkistus.suomi.fi", "ASIOINTI_MANDATES_CLIENT_ID": "esimerkkila",
		"ASIOINTI_MANDATES_SECRET_FILE": file("mandates", "checksum-s3cret\n"), "ASIOINTI_MANDATES_OAUTH_SECRET": "oauth-s3cret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.StaffOIDCClientSecret != "oidc-s3cret" || c.MessagesPassword != "msg-s3cret" || c.StaffOIDCRolesClaim != "roles" ||
		c.Mandates != MandatesSuomiFi || c.MandatesSecret != "checksum-s3cret" || c.MandatesOAuthSecret != "oauth-s3cret" || c.Population != PopulationNone {
		t.Errorf("%+v", c)
	}
}
