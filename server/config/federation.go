package config

import (
	"net"
	"net/url"
	"os"
	"slices"
	"strings"

	"asiointi/server/notify"
)

// IDPSuomiFi is ASIOINTI_IDP's value for Suomi.fi e-Identification.
const IDPSuomiFi = "suomifi-saml"

// ASIOINTI_POPULATION's values.
const (
	PopulationDemo = "demo"
	PopulationNone = "none"
)

// loadFederation reads the resident login (SAML), staff login (OIDC) and
// Suomi.fi Messages settings. Secrets were read with the others (also
// from _FILE variables).
func loadFederation(c *Config, getenv func(string) string, bad func(name, format string, a ...any)) {
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	switch c.IdentityProvider {
	case "", IDPSuomiFi:
	default:
		bad("ASIOINTI_IDP", "%q is not one of %s", c.IdentityProvider, IDPSuomiFi)
	}
	switch c.Population = env("ASIOINTI_POPULATION"); c.Population {
	case "":
		c.Population = PopulationNone
		if c.Mode == Demo {
			c.Population = PopulationDemo
		}
	case PopulationDemo, PopulationNone:
	default:
		bad("ASIOINTI_POPULATION", "%q is not one of %s, %s", c.Population, PopulationDemo, PopulationNone)
	}
	c.SAMLIDPMetadata = env("ASIOINTI_SAML_IDP_METADATA")
	if v := c.SAMLIDPMetadata; v != "" {
		if strings.Contains(v, "://") {
			if !secureURL(v) {
				bad("ASIOINTI_SAML_IDP_METADATA", "%q must be an https URL (or a file path)", v)
			}
		} else if !readable(v) {
			bad("ASIOINTI_SAML_IDP_METADATA", "cannot read the file %q", v)
		}
	}
	for _, f := range []struct {
		name string
		to   *string
	}{{"ASIOINTI_SAML_KEY", &c.SAMLKeyFile}, {"ASIOINTI_SAML_CERT", &c.SAMLCertFile}} {
		*f.to = env(f.name)
		if *f.to != "" && !readable(*f.to) {
			bad(f.name, "cannot read the file %q", *f.to)
		}
	}
	if v := env("ASIOINTI_SAML_IDP_CERT_SHA256"); v != "" {
		for _, fp := range strings.Split(v, ",") {
			fp = strings.ToLower(strings.NewReplacer(":", "", " ", "").Replace(fp))
			if len(fp) != 64 || strings.Trim(fp, "0123456789abcdef") != "" {
				bad("ASIOINTI_SAML_IDP_CERT_SHA256", "%q is not a SHA-256 fingerprint (64 hex digits)", fp)
				continue
			}
			c.SAMLIDPCertSHA256 = append(c.SAMLIDPCertSHA256, fp)
		}
	}
	if strings.Contains(c.SAMLIDPMetadata, "://") && len(c.SAMLIDPCertSHA256) == 0 {
		bad("ASIOINTI_SAML_IDP_CERT_SHA256", "is needed when ASIOINTI_SAML_IDP_METADATA is a URL (the IdP signing certificate is pinned)")
	}
	if c.IdentityProvider == IDPSuomiFi {
		for name, v := range map[string]string{"ASIOINTI_SAML_IDP_METADATA": c.SAMLIDPMetadata, "ASIOINTI_SAML_KEY": c.SAMLKeyFile, "ASIOINTI_SAML_CERT": c.SAMLCertFile} {
			if v == "" {
				bad(name, "is needed with ASIOINTI_IDP=%s", IDPSuomiFi)
			}
		}
		if c.BaseURL == "" {
			bad("ASIOINTI_BASE_URL", "is needed with ASIOINTI_IDP=%s (the SAML entity id and endpoints are made from it)", IDPSuomiFi)
		}
	}

	c.StaffOIDCIssuer = env("ASIOINTI_STAFF_OIDC_ISSUER")
	c.StaffOIDCClientID = env("ASIOINTI_STAFF_OIDC_CLIENT_ID")
	c.StaffOIDCRolesClaim = env("ASIOINTI_STAFF_OIDC_ROLES_CLAIM")
	if c.StaffOIDCRolesClaim == "" {
		c.StaffOIDCRolesClaim = "roles"
	}
	if v := c.StaffOIDCIssuer; v != "" {
		if !secureURL(v) {
			bad("ASIOINTI_STAFF_OIDC_ISSUER", "%q must be an https URL", v)
		}
		if c.StaffOIDCClientID == "" {
			bad("ASIOINTI_STAFF_OIDC_CLIENT_ID", "is needed with ASIOINTI_STAFF_OIDC_ISSUER")
		}
		if c.StaffOIDCClientSecret == "" {
			bad("ASIOINTI_STAFF_OIDC_CLIENT_SECRET", "is needed with ASIOINTI_STAFF_OIDC_ISSUER")
		}
		if c.BaseURL == "" {
			bad("ASIOINTI_BASE_URL", "is needed with ASIOINTI_STAFF_OIDC_ISSUER (the callback URL is made from it)")
		}
	}

	loadMandates(c, getenv, bad)

	c.MessagesKinds = notify.DefaultMessagesKinds
	if v := env("ASIOINTI_MESSAGES_KINDS"); v != "" {
		c.MessagesKinds = nil
		for _, k := range strings.Split(v, ",") {
			k = strings.TrimSpace(k)
			if k == "" || k == "none" {
				continue
			}
			if !slices.Contains(notify.Kinds, k) {
				bad("ASIOINTI_MESSAGES_KINDS", "%q is not one of %s (or none)", k, strings.Join(notify.Kinds, ", "))
				continue
			}
			c.MessagesKinds = append(c.MessagesKinds, k)
		}
	}
	c.MessagesURL = env("ASIOINTI_MESSAGES_URL")
	c.MessagesServiceID = env("ASIOINTI_MESSAGES_SERVICE_ID")
	if v := c.MessagesURL; v != "" {
		if !secureURL(v) {
			bad("ASIOINTI_MESSAGES_URL", "%q must be an https URL", v)
		}
		for name, val := range map[string]string{"ASIOINTI_MESSAGES_USERNAME": c.MessagesUsername, "ASIOINTI_MESSAGES_PASSWORD": c.MessagesPassword, "ASIOINTI_MESSAGES_SERVICE_ID": c.MessagesServiceID} {
			if val == "" {
				bad(name, "is needed with ASIOINTI_MESSAGES_URL")
			}
		}
	}
}

// Values of ASIOINTI_MANDATES.
const (
	MandatesEmbedded = "embedded"
	MandatesSuomiFi  = "suomifi"
)

// loadMandates reads where the right to act for others comes from.
func loadMandates(c *Config, getenv func(string) string, bad func(name, format string, a ...any)) {
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	c.Mandates = env("ASIOINTI_MANDATES")
	switch c.Mandates {
	case "":
		c.Mandates = MandatesEmbedded
	case MandatesEmbedded:
	case MandatesSuomiFi:
		c.MandatesURL, c.MandatesClientID = env("ASIOINTI_MANDATES_URL"), env("ASIOINTI_MANDATES_CLIENT_ID")
		if c.MandatesURL != "" && !secureURL(c.MandatesURL) {
			bad("ASIOINTI_MANDATES_URL", "%q must be an https URL", c.MandatesURL)
		}
		for name, v := range map[string]string{"ASIOINTI_MANDATES_URL": c.MandatesURL, "ASIOINTI_MANDATES_CLIENT_ID": c.MandatesClientID,
			"ASIOINTI_MANDATES_SECRET": c.MandatesSecret, "ASIOINTI_MANDATES_OAUTH_SECRET": c.MandatesOAuthSecret} {
			if v == "" {
				bad(name, "is needed with ASIOINTI_MANDATES=%s", MandatesSuomiFi)
			}
		}
		if c.BaseURL == "" {
			bad("ASIOINTI_BASE_URL", "is needed with ASIOINTI_MANDATES=%s (the return address from Suomi.fi Mandates is made from it)", MandatesSuomiFi)
		}
	default:
		bad("ASIOINTI_MANDATES", "%q is not one of %s, %s", c.Mandates, MandatesEmbedded, MandatesSuomiFi)
	}
}

// missingFederation lists what production mode misses of the logins.
func (c Config) missingFederation() []string {
	var out []string
	if c.StaffOIDCIssuer == "" {
		out = append(out, "ASIOINTI_STAFF_OIDC_ISSUER, ASIOINTI_STAFF_OIDC_CLIENT_ID and ASIOINTI_STAFF_OIDC_CLIENT_SECRET (staff login through the municipality's OpenID Connect provider)")
	}
	return out
}

// secureURL accepts https URLs, and http ones to loopback hosts (a local
// test IdP or provider).
func secureURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	if u.Scheme != "http" {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func readable(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	f.Close()
	return true
}
