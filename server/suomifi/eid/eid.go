// Package eid is the resident login through Suomi.fi e-Identification: a
// SAML 2.0 service provider (github.com/crewjam/saml) that sends signed
// AuthnRequests with the HTTP-Redirect binding, asks for level of
// assurance loa2 or stronger, accepts signed (and encrypted) assertions
// with the HTTP-POST binding, validated strictly (signature against the
// pinned IdP certificate, audience, recipient, destination, time limits
// with a small clock skew, InResponseTo bound to this browser's login
// attempt, each assertion once), and does single logout both ways.
package eid

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
	dsig "github.com/russellhaering/goxmldsig"

	"asiointi/i18n"
	"asiointi/server/identity"
	"asiointi/server/population"
)

// Levels of assurance (Traficom's, as Suomi.fi names them).
const (
	LoA2 = "http://ftn.ficora.fi/2017/loa2" // substantial
	LoA3 = "http://ftn.ficora.fi/2017/loa3" // high
)

// Attributes of Suomi.fi e-Identification, by their SAML names (each
// with its friendly name). Checked on 26 November 2026 against the
// attribute list of Suomi.fi e-Identification (DVV, "Suomi.fi-tunnistuksen
// attribuutit": suppeat, keskilaajat and laajat henkilötiedot; the same
// OIDs as City-of-Helsinki/tunnistamo's suomifi_fields.yaml, which
// transcribes it): every OID below is the documented one. givenName is the
// name in use, or the first given name when none is registered; the home
// municipality comes as its three-digit number (KotikuntaKuntanumero; the
// names are 2.2.19 fi and 2.2.20 sv); the address attributes are those of
// the permanent domestic address, and none of them is sent when
// TurvakieltoTieto is 1.
const (
	AttrHetu             = "urn:oid:1.2.246.21" // nationalIdentificationNumber
	AttrGivenName        = "urn:oid:2.5.4.42"   // givenName: the name in use (kutsumanimi)
	AttrFirstNames       = "http://eidas.europa.eu/attributes/naturalperson/CurrentGivenName"
	AttrSurname          = "urn:oid:2.5.4.4"                   // sn
	AttrDisplayName      = "urn:oid:2.16.840.1.113730.3.1.241" // displayName
	AttrMail             = "urn:oid:0.9.2342.19200300.100.1.3" // mail
	AttrHomeMunicipality = "urn:oid:1.2.246.517.2002.2.18"     // KotikuntaKuntanumero
	AttrStreet           = "urn:oid:1.2.246.517.2002.2.4"      // VakinainenKotimainenLahiosoiteS
	AttrStreetSv         = "urn:oid:1.2.246.517.2002.2.5"      // VakinainenKotimainenLahiosoiteR
	AttrPostalCode       = "urn:oid:1.2.246.517.2002.2.6"      // VakinainenKotimainenLahiosoitePostinumero
	AttrCity             = "urn:oid:1.2.246.517.2002.2.7"      // VakinainenKotimainenLahiosoitePostitoimipaikkaS
	AttrCitySv           = "urn:oid:1.2.246.517.2002.2.8"      // VakinainenKotimainenLahiosoitePostitoimipaikkaR
	AttrAddressProtected = "urn:oid:1.2.246.517.2002.2.27"     // TurvakieltoTieto: "1" = non-disclosure
)

// Paths of the service provider (CONTRACT.md).
const (
	MetadataPath = "/saml/metadata"
	ACSPath      = "/saml/acs"
	SLOPath      = "/saml/slo"
)

// AttemptTTL is how long a login or logout may take at the IdP.
const AttemptTTL = 15 * time.Minute

// Kinds of login state.
const (
	kindLogin  = "saml-login"
	kindLogout = "saml-logout"
)

// Config is what the service provider needs.
type Config struct {
	// BaseURL is the public origin, e.g. https://asiointi.example.fi; the
	// entity id is BaseURL + MetadataPath.
	BaseURL string
	Key     *rsa.PrivateKey
	Cert    *x509.Certificate
	// IDPMetadata is the IdP's metadata XML.
	IDPMetadata []byte
	// PinnedCerts, when set, are SHA-256 fingerprints (hex) of the IdP
	// signing certificates to trust: every other signing key in the
	// metadata is dropped, and metadata without a pinned one is refused.
	PinnedCerts []string
	States      *identity.LoginStates
	Now         func() time.Time
}

// SP is the e-Identification service provider.
type SP struct {
	sp     saml.ServiceProvider
	states *identity.LoginStates
	now    func() time.Time
}

// New builds the service provider.
func New(c Config) (*SP, error) {
	if c.Key == nil || c.Cert == nil {
		return nil, errors.New("eid: the SP key and certificate are needed")
	}
	base, err := url.Parse(strings.TrimRight(c.BaseURL, "/"))
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("eid: base URL %q is not an origin", c.BaseURL)
	}
	idp, err := samlsp.ParseMetadata(c.IDPMetadata)
	if err != nil {
		return nil, fmt.Errorf("eid: IdP metadata: %w", err)
	}
	if err := pin(idp, c.PinnedCerts); err != nil {
		return nil, err
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	at := func(p string) url.URL { u := *base; u.Path = p; return u }
	s := &SP{states: c.States, now: c.Now}
	meta := at(MetadataPath)
	s.sp = saml.ServiceProvider{
		EntityID:    meta.String(),
		Key:         c.Key,
		Certificate: c.Cert,
		MetadataURL: at(MetadataPath),
		AcsURL:      at(ACSPath),
		SloURL:      at(SLOPath),
		IDPMetadata: idp,
		// Suomi.fi gives a transient NameID; single logout names it back.
		AuthnNameIDFormat: saml.TransientNameIDFormat,
		RequestedAuthnContext: &saml.RequestedAuthnContext{Comparison: "exact",
			AuthnContextClassRefs: []string{LoA2, LoA3}},
		ValidateAuthnContextClassRef:     true,
		SignatureMethod:                  dsig.RSASHA256SignatureMethod,
		LogoutBindings:                   []string{saml.HTTPRedirectBinding},
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		RejectSHA1Signatures:             true,
		ReplayCache:                      replayCache{c.States},
	}
	return s, nil
}

// pin keeps only the IdP signing certificates whose SHA-256 fingerprint
// is listed (none listed: the metadata file itself is the pin).
func pin(idp *saml.EntityDescriptor, pins []string) error {
	if len(pins) == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, p := range pins {
		want[normalizeFingerprint(p)] = true
	}
	kept := 0
	for i := range idp.IDPSSODescriptors {
		d := &idp.IDPSSODescriptors[i]
		var keys []saml.KeyDescriptor
		for _, k := range d.KeyDescriptors {
			if k.Use == "encryption" {
				keys = append(keys, k)
				continue
			}
			for _, c := range k.KeyInfo.X509Data.X509Certificates {
				if want[Fingerprint(c.Data)] {
					keys = append(keys, k)
					kept++
					break
				}
			}
		}
		d.KeyDescriptors = keys
	}
	if kept == 0 {
		return errors.New("eid: the IdP metadata has no signing certificate with a pinned fingerprint")
	}
	return nil
}

// Fingerprint is the SHA-256 fingerprint (lowercase hex) of a base64 DER
// certificate as metadata carries it.
func Fingerprint(b64 string) string {
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

func normalizeFingerprint(s string) string {
	return strings.ToLower(strings.NewReplacer(":", "", " ", "").Replace(strings.TrimSpace(s)))
}

// Metadata is the SP metadata XML to register with the IdP.
func (s *SP) Metadata() ([]byte, error) {
	return xmlBytes(s.sp.Metadata())
}

// EntityID is the SP's entity id.
func (s *SP) EntityID() string { return s.sp.EntityID }

type loginAttempt struct {
	RequestID string `json:"requestId"`
	Next      string `json:"next"`
}

// StartLogin makes a signed AuthnRequest and answers the IdP URL to send
// the browser to, and the token that binds the answer to this browser
// (the caller keeps it in a cookie). next is where to go afterwards; the
// caller has checked it is one of our own paths.
func (s *SP) StartLogin(next string) (redirect, token string, err error) {
	req, err := s.sp.MakeAuthenticationRequest(s.sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return "", "", err
	}
	token, err = s.states.Begin(kindLogin, loginAttempt{RequestID: req.ID, Next: next}, AttemptTTL)
	if err != nil {
		return "", "", err
	}
	u, err := req.Redirect("", &s.sp)
	if err != nil {
		return "", "", err
	}
	return u.String(), token, nil
}

// Login is a validated login.
type Login struct {
	Person    identity.Identified
	Federated identity.Federated
	Next      string
}

// Errors of FinishLogin besides the SAML ones.
var (
	// ErrNoAttempt: no login from this browser is waiting for an answer
	// (none started, answered already, or expired).
	ErrNoAttempt = errors.New("eid: no login attempt from this browser")
	// ErrMissingHetu: the assertion named no henkilötunnus.
	ErrMissingHetu = errors.New("eid: no henkilötunnus in the assertion")
)

// FinishLogin validates the IdP's answer (the SAMLResponse form field)
// to the attempt the token names; the attempt is used up either way.
func (s *SP) FinishLogin(token, samlResponse string) (Login, error) {
	var a loginAttempt
	if err := s.states.Take(kindLogin, token, &a); err != nil {
		if errors.Is(err, identity.ErrNoLoginState) {
			return Login{}, ErrNoAttempt
		}
		return Login{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(samlResponse)
	if err != nil {
		return Login{}, fmt.Errorf("eid: SAMLResponse is not base64: %w", err)
	}
	as, err := s.sp.ParseXMLResponse(raw, []string{a.RequestID}, s.sp.AcsURL)
	if err != nil {
		return Login{}, describe(err)
	}
	attrs := map[string]string{}
	for _, st := range as.AttributeStatements {
		for _, at := range st.Attributes {
			if len(at.Values) > 0 {
				attrs[at.Name] = strings.TrimSpace(at.Values[0].Value)
			}
		}
	}
	in := identity.Identified{
		Hetu:             strings.ToUpper(attrs[AttrHetu]),
		FirstName:        attrs[AttrGivenName],
		LastName:         attrs[AttrSurname],
		Email:            attrs[AttrMail],
		HomeMunicipality: attrs[AttrHomeMunicipality],
		AddressProtected: attrs[AttrAddressProtected] == "1",
	}
	if in.FirstName == "" {
		in.FirstName, _, _ = strings.Cut(attrs[AttrFirstNames], " ")
	}
	if in.Hetu == "" {
		return Login{}, ErrMissingHetu
	}
	if !in.AddressProtected && attrs[AttrPostalCode] != "" {
		in.Address = population.Address{
			Street:     text(attrs[AttrStreet], attrs[AttrStreetSv]),
			PostalCode: attrs[AttrPostalCode],
			City:       text(attrs[AttrCity], attrs[AttrCitySv]),
		}
	}
	fed := identity.Federated{Method: "suomifi-saml"}
	if n := as.Subject.NameID; n != nil {
		fed.NameID, fed.NameIDFormat, fed.NameQualifier, fed.SPNameQualifier = n.Value, n.Format, n.NameQualifier, n.SPNameQualifier
	}
	for _, st := range as.AuthnStatements {
		if st.SessionIndex != "" {
			fed.SessionIndex = st.SessionIndex
			break
		}
	}
	return Login{Person: in, Federated: fed, Next: a.Next}, nil
}

func text(fi, sv string) i18n.Text {
	t := i18n.Text{}
	if fi != "" {
		t["fi"] = fi
	}
	if sv != "" {
		t["sv"] = sv
	}
	return t
}

// describe keeps the SAML package's private detail (InvalidResponseError
// hides it from Error()) so logs say why a response was refused.
func describe(err error) error {
	var ire *saml.InvalidResponseError
	if errors.As(err, &ire) && ire.PrivateErr != nil {
		return fmt.Errorf("eid: response refused: %w", ire.PrivateErr)
	}
	return fmt.Errorf("eid: response refused: %w", err)
}

type logoutAttempt struct {
	RequestID string `json:"requestId"`
}

// StartLogout makes a signed LogoutRequest for the federated login and
// answers the IdP URL to send the browser to and the token of the attempt
// (kept in a cookie). An IdP without single logout answers "", "".
func (s *SP) StartLogout(f identity.Federated) (redirect, token string, err error) {
	loc := s.sp.GetSLOBindingLocation(saml.HTTPRedirectBinding)
	if loc == "" || f.NameID == "" {
		return "", "", nil
	}
	req, err := s.sp.MakeLogoutRequest(loc, f.NameID, saml.WithSessionIndex(f.SessionIndex), func(r *saml.LogoutRequest) {
		if r.NameID != nil {
			r.NameID.Format, r.NameID.NameQualifier, r.NameID.SPNameQualifier = f.NameIDFormat, f.NameQualifier, f.SPNameQualifier
		}
	})
	if err != nil {
		return "", "", err
	}
	token, err = s.states.Begin(kindLogout, logoutAttempt{RequestID: req.ID}, AttemptTTL)
	if err != nil {
		return "", "", err
	}
	u, err := s.sp.RedirectLogoutRequestURL(req, "")
	if err != nil {
		return "", "", err
	}
	return u.String(), token, nil
}

// FinishLogout validates the IdP's LogoutResponse (r carries it, as the
// browser brought it) to the attempt the token names.
func (s *SP) FinishLogout(token string, r *http.Request) error {
	var a logoutAttempt
	if err := s.states.Take(kindLogout, token, &a); err != nil {
		if errors.Is(err, identity.ErrNoLoginState) {
			return ErrNoAttempt
		}
		return err
	}
	if _, err := s.sp.ParseLogoutResponse(r, []string{a.RequestID}); err != nil {
		return describe(err)
	}
	return nil
}

// IdPLogout is a logout the IdP started: the sessions it names are to end,
// then the browser goes to Answer (the signed LogoutResponse).
type IdPLogout struct {
	NameID        string
	SessionIndexs []string
	Answer        string
}

// Matches reports whether a session came from the login the request
// names.
func (l IdPLogout) Matches(f *identity.Federated) bool {
	if f == nil || f.Method != "suomifi-saml" || f.NameID != l.NameID {
		return false
	}
	if len(l.SessionIndexs) == 0 {
		return true
	}
	for _, i := range l.SessionIndexs {
		if i == f.SessionIndex {
			return true
		}
	}
	return false
}

// HandleIdPLogout validates a LogoutRequest from the IdP (signed, to us,
// current, not seen before).
func (s *SP) HandleIdPLogout(r *http.Request) (IdPLogout, error) {
	req, err := s.sp.ValidateLogoutRequest(r)
	if err != nil {
		return IdPLogout{}, describe(err)
	}
	if req.NameID == nil {
		return IdPLogout{}, errors.New("eid: logout request names nobody")
	}
	out := IdPLogout{NameID: req.NameID.Value}
	for _, i := range req.AllSessionIndexes() {
		out.SessionIndexs = append(out.SessionIndexs, i.Value)
	}
	relay := r.URL.Query().Get("RelayState")
	if relay == "" && r.PostForm != nil {
		relay = r.PostForm.Get("RelayState")
	}
	u, err := s.sp.MakeRedirectLogoutResponse(req.ID, relay)
	if err != nil {
		return IdPLogout{}, err
	}
	out.Answer = u.String()
	return out, nil
}

// IsLogoutRequest tells a LogoutRequest from a LogoutResponse at the SLO
// endpoint.
func IsLogoutRequest(r *http.Request) bool {
	if r.URL.Query().Get("SAMLRequest") != "" {
		return true
	}
	return r.PostForm != nil && r.PostForm.Get("SAMLRequest") != ""
}

// LoadKeyPair reads the SP key and certificate (PEM files).
func LoadKeyPair(certFile, keyFile string) (*rsa.PrivateKey, *x509.Certificate, error) {
	kp, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, nil, err
	}
	key, ok := kp.PrivateKey.(*rsa.PrivateKey)
	if !ok {
		return nil, nil, errors.New("the SAML key must be an RSA key (assertions are encrypted to it)")
	}
	cert, err := x509.ParseCertificate(kp.Certificate[0])
	if err != nil {
		return nil, nil, err
	}
	return key, cert, nil
}

// replayCache keeps the used assertion ids in the store.
type replayCache struct{ states *identity.LoginStates }

func (c replayCache) Consume(id string, expiresAt time.Time) error {
	err := c.states.Consume("saml:"+id, expiresAt)
	if errors.Is(err, identity.ErrReplayed) {
		return saml.ErrAssertionReplayed
	}
	return err
}

// xmlBytes marshals a metadata document.
func xmlBytes(v any) ([]byte, error) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}

// ReadMetadata reads the IdP metadata from a file, or from an http(s)
// URL (the configuration allows http to loopback hosts only).
func ReadMetadata(ctx context.Context, src string) ([]byte, error) {
	if !strings.Contains(src, "://") {
		return os.ReadFile(src)
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", src, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 4<<20))
}

// LogoutOrigin is the origin of the IdP's single logout service ("" when
// it has none): our logout form leads there, so the pages' CSP
// form-action must allow it.
func (s *SP) LogoutOrigin() string {
	return origin(s.sp.GetSLOBindingLocation(saml.HTTPRedirectBinding))
}

func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
