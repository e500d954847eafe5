// Package eidtest is a local SAML identity provider that stands in for
// Suomi.fi e-Identification in tests and demos (built on crewjam/saml's
// IdP): it signs the response and the assertion and encrypts the
// assertion to the service provider, gives a transient NameID, the level
// of assurance loa3 and Suomi.fi's attributes, does single logout both
// ways, and can be told to misbehave.
package eidtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/logger"
	"github.com/crewjam/saml/samlsp"
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"

	"asiointi/server/suomifi/eid"
)

// Person is who logs in at the IdP.
type Person struct {
	Hetu, GivenName, Surname, Mail, HomeMunicipality string
	Street, PostalCode, City                         string
	AddressProtected                                 bool
}

// Fault is how the IdP misbehaves in its next answers.
type Fault string

// Faults.
const (
	Good              Fault = ""
	WrongAudience     Fault = "wrong-audience"       // assertion for another service
	Expired           Fault = "expired"              // issued an hour ago, long expired
	Unsigned          Fault = "unsigned"             // neither response nor assertion signed
	WrongSignature    Fault = "wrong-signature"      // signed with a key not in the metadata
	WrongInResponseTo Fault = "wrong-in-response-to" // answers another request
	MissingHetu       Fault = "missing-hetu"         // no henkilötunnus attribute
	WrongDestination  Fault = "wrong-destination"    // response addressed to another URL
	LowLoA            Fault = "low-loa"              // password-level authentication only
)

// Paths of the IdP.
const (
	MetadataPath  = "/metadata"
	SSOPath       = "/sso"
	SLOPath       = "/slo"
	IdPLogoutPath = "/logout" // starts IdP-initiated logout of the browser's session
)

// IdP is the local identity provider. Serve it (it is an http.Handler)
// at the base URL given to New.
type IdP struct {
	idp   saml.IdentityProvider
	rogue saml.IdentityProvider // signs with a key nobody trusts
	Cert  *x509.Certificate
	Key   *rsa.PrivateKey

	mu       sync.Mutex
	person   Person
	fault    Fault
	sps      map[string]*saml.EntityDescriptor
	sessions map[string]*session // by IdP session cookie
	last     url.Values          // the last answer posted to an SP
}

type session struct {
	s            saml.Session
	participants []saml.SessionParticipant
}

const cookieName = "eidtest_session"

// New makes an IdP served at baseURL (http://127.0.0.1:port), with a new
// key and certificate, logging in p.
func New(baseURL string, p Person) (*IdP, error) {
	key, cert, err := selfSigned("Asiointi local test IdP")
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, err
	}
	at := func(p string) url.URL { u := *base; u.Path = p; return u }
	d := &IdP{Cert: cert, Key: key, person: p, sps: map[string]*saml.EntityDescriptor{}, sessions: map[string]*session{}}
	enc := xmlenc.OAEP()
	enc.BlockCipher = xmlenc.AES256GCM
	d.idp = saml.IdentityProvider{
		Key: key, Certificate: cert, Logger: logger.DefaultLogger,
		MetadataURL: at(MetadataPath), SSOURL: at(SSOPath), LogoutURL: at(SLOPath),
		ServiceProviderProvider: d, SessionProvider: d, AssertionMaker: d, ResponseWriter: d,
		SignatureMethod:         dsig.RSASHA256SignatureMethod,
		LogoutBindings:          []string{saml.HTTPRedirectBinding},
		WantAuthnRequestsSigned: true,
		AssertionEncrypter:      enc,
		NameIDFormats:           []saml.NameIDFormat{saml.TransientNameIDFormat},
	}
	return d, nil
}

// SetPerson chooses who logs in next.
func (d *IdP) SetPerson(p Person) { d.mu.Lock(); d.person = p; d.mu.Unlock() }

// SetFault makes the next answers misbehave (Good: behave).
func (d *IdP) SetFault(f Fault) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if f == WrongSignature && d.rogue.Key == nil {
		// A key nobody trusts, made when first needed (RSA keys are slow).
		key, cert, err := selfSigned("Asiointi local test IdP")
		if err != nil {
			return err
		}
		d.rogue = d.idp
		d.rogue.Key, d.rogue.Certificate = key, cert
	}
	d.fault = f
	return nil
}

// LastAnswer is the form the IdP last posted to a service provider
// (SAMLResponse, RelayState): replaying it must fail.
func (d *IdP) LastAnswer() url.Values {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.last
}

// Register trusts a service provider's metadata.
func (d *IdP) Register(metadata []byte) error {
	m, err := samlsp.ParseMetadata(metadata)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.sps[m.EntityID] = m
	d.mu.Unlock()
	return nil
}

// Metadata is the IdP metadata XML (what the SP is configured with).
func (d *IdP) Metadata() ([]byte, error) {
	b, err := xml.MarshalIndent(d.idp.Metadata(), "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}

// CertFingerprint is the SHA-256 fingerprint of the signing certificate.
func (d *IdP) CertFingerprint() string {
	return eid.Fingerprint(base64.StdEncoding.EncodeToString(d.Cert.Raw))
}

// ServeHTTP serves metadata, single sign-on, single logout and the start
// of IdP-initiated logout.
func (d *IdP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case MetadataPath:
		b, err := d.Metadata()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		_, _ = w.Write(b)
	case SSOPath:
		d.idp.ServeSSO(w, r)
	case SLOPath:
		d.idp.ServeSLO(w, r)
	case IdPLogoutPath:
		s := d.browserSession(r)
		if s == nil {
			http.Error(w, "no session at the IdP", http.StatusBadRequest)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
		d.idp.StartLogout(w, r, &s.s, "")
		d.mu.Lock()
		delete(d.sessions, s.s.ID)
		d.mu.Unlock()
	default:
		http.NotFound(w, r)
	}
}

func (d *IdP) browserSession(r *http.Request) *session {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sessions[c.Value]
}

// GetServiceProvider implements saml.ServiceProviderProvider.
func (d *IdP) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if m, ok := d.sps[id]; ok {
		return m, nil
	}
	return nil, os.ErrNotExist
}

// GetSession implements saml.SessionProvider: the chosen person is
// "identified" at once (a new IdP session each time).
func (d *IdP) GetSession(w http.ResponseWriter, _ *http.Request, _ *saml.IdpAuthnRequest) *saml.Session {
	now := time.Now()
	s := &session{s: saml.Session{
		ID: randomID(), Index: randomID(), CreateTime: now, ExpireTime: now.Add(time.Hour),
		NameID: "AAdzZWNyZXQx" + randomID(), NameIDFormat: string(saml.TransientNameIDFormat),
		AuthnContextClassRef: eid.LoA3,
	}}
	if d.currentFault() == LowLoA {
		s.s.AuthnContextClassRef = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
	}
	d.mu.Lock()
	d.sessions[s.s.ID] = s
	d.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.s.ID, Path: "/", HttpOnly: true})
	return &s.s
}

// InvalidateSession implements saml.SessionInvalidator (SP-initiated
// logout ends the IdP session).
func (d *IdP) InvalidateSession(w http.ResponseWriter, _ *http.Request, req *saml.IdpLogoutRequest) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, s := range d.sessions {
		if req.MatchesSession(&s.s) {
			delete(d.sessions, id)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	return nil
}

// AddSessionParticipant implements saml.SessionParticipantTracker.
func (d *IdP) AddSessionParticipant(_ *http.Request, s *saml.Session, p saml.SessionParticipant) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ss, ok := d.sessions[s.ID]; ok {
		ss.participants = append(ss.participants, p)
	}
	return nil
}

// SessionParticipants implements saml.SessionParticipantTracker.
func (d *IdP) SessionParticipants(_ *http.Request, match func(*saml.Session) bool) ([]saml.SessionParticipant, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []saml.SessionParticipant
	for _, s := range d.sessions {
		if match(&s.s) {
			out = append(out, s.participants...)
		}
	}
	return out, nil
}

func (d *IdP) currentFault() Fault {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.fault
}

// MakeAssertion implements saml.AssertionMaker: Suomi.fi's attributes,
// and the assertion-level faults.
func (d *IdP) MakeAssertion(req *saml.IdpAuthnRequest, s *saml.Session) error {
	d.mu.Lock()
	p, fault := d.person, d.fault
	d.mu.Unlock()
	switch fault {
	case Expired:
		req.Now = req.Now.Add(-time.Hour)
	case WrongInResponseTo:
		req.Request.ID = "id-" + randomID()
	}
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, s); err != nil {
		return err
	}
	a := req.Assertion
	var attrs []saml.Attribute
	add := func(name, friendly, v string) {
		if v != "" {
			attrs = append(attrs, saml.Attribute{Name: name, FriendlyName: friendly,
				NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
				Values:     []saml.AttributeValue{{Type: "xs:string", Value: v}}})
		}
	}
	if fault != MissingHetu {
		add(eid.AttrHetu, "nationalIdentificationNumber", p.Hetu)
	}
	add(eid.AttrGivenName, "givenName", p.GivenName)
	add(eid.AttrSurname, "sn", p.Surname)
	add(eid.AttrDisplayName, "displayName", strings.TrimSpace(p.GivenName+" "+p.Surname))
	add(eid.AttrMail, "mail", p.Mail)
	add(eid.AttrHomeMunicipality, "KotikuntaKuntanumero", p.HomeMunicipality)
	if p.AddressProtected {
		add(eid.AttrAddressProtected, "TurvakieltoTieto", "1")
	} else {
		add(eid.AttrStreet, "VakinainenKotimainenLahiosoiteS", p.Street)
		add(eid.AttrPostalCode, "VakinainenKotimainenLahiosoitePostinumero", p.PostalCode)
		add(eid.AttrCity, "VakinainenKotimainenLahiosoitePostitoimipaikkaS", p.City)
	}
	a.AttributeStatements = []saml.AttributeStatement{{Attributes: attrs}}
	if fault == WrongAudience && a.Conditions != nil {
		a.Conditions.AudienceRestrictions = []saml.AudienceRestriction{{Audience: saml.Audience{Value: "https://another.example.fi/saml/metadata"}}}
	}
	return nil
}

// WriteResponse implements saml.ResponseWriter: the message-level faults,
// then the HTTP-POST form (remembered for replay).
func (d *IdP) WriteResponse(w http.ResponseWriter, req *saml.IdpAuthnRequest) error {
	switch d.currentFault() {
	case WrongSignature:
		req.IDP = &d.rogue
	case Unsigned:
		if err := d.unsigned(req); err != nil {
			return err
		}
	case WrongDestination:
		if err := req.MakeResponse(); err != nil {
			return err
		}
		// Re-sign a response addressed elsewhere.
		if err := d.resign(req, "https://another.example.fi/saml/acs"); err != nil {
			return err
		}
	}
	form, err := req.PostBinding()
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.last = url.Values{"SAMLResponse": {form.SAMLResponse}, "RelayState": {form.RelayState}}
	d.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return postForm.Execute(w, form)
}

// unsigned builds the response with an encrypted but unsigned assertion
// and no response signature.
func (d *IdP) unsigned(req *saml.IdpAuthnRequest) error {
	cert, err := spEncryptionCert(req.SPSSODescriptor)
	if err != nil {
		return err
	}
	doc := etree.NewDocument()
	doc.SetRoot(req.Assertion.Element())
	buf, err := doc.WriteToBytes()
	if err != nil {
		return err
	}
	enc := xmlenc.OAEP()
	enc.BlockCipher = xmlenc.AES256GCM
	data, err := enc.Encrypt(cert, buf, nil)
	if err != nil {
		return err
	}
	data.CreateAttr("Type", "http://www.w3.org/2001/04/xmlenc#Element")
	ea := etree.NewElement("saml:EncryptedAssertion")
	ea.AddChild(data)
	req.AssertionEl = ea
	req.ResponseEl = d.response(req, req.ACSEndpoint.Location).Element()
	req.ResponseEl.AddChild(ea)
	return nil
}

func (d *IdP) response(req *saml.IdpAuthnRequest, destination string) *saml.Response {
	return &saml.Response{
		Destination: destination, ID: "id-" + randomID(), InResponseTo: req.Request.ID,
		IssueInstant: req.Now, Version: "2.0",
		Issuer: &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: d.idp.MetadataURL.String()},
		Status: saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}},
	}
}

// resign replaces the response by one to destination, signed properly.
func (d *IdP) resign(req *saml.IdpAuthnRequest, destination string) error {
	resp := d.response(req, destination)
	el := resp.Element()
	el.AddChild(req.AssertionEl)
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore{PrivateKey: d.Key, Certificate: [][]byte{d.Cert.Raw}})
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		return err
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		return err
	}
	resp.Signature = signed.ChildElements()[len(signed.ChildElements())-1]
	el = resp.Element()
	el.AddChild(req.AssertionEl)
	req.ResponseEl = el
	return nil
}

func spEncryptionCert(sp *saml.SPSSODescriptor) (*x509.Certificate, error) {
	for _, k := range sp.KeyDescriptors {
		if k.Use != "" && k.Use != "encryption" {
			continue
		}
		for _, c := range k.KeyInfo.X509Data.X509Certificates {
			der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c.Data), ""))
			if err != nil {
				return nil, err
			}
			return x509.ParseCertificate(der)
		}
	}
	return nil, errors.New("eidtest: the SP has no encryption certificate")
}

func randomID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// selfSigned makes an RSA key and a self-signed certificate for it.
func selfSigned(cn string) (*rsa.PrivateKey, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(2, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}

// KeyPairPEM makes a new RSA key and self-signed certificate for a
// service provider, as PEM (tests and the README's recipe do the same).
func KeyPairPEM(cn string) (certPEM, keyPEM []byte, err error) {
	key, cert, err := selfSigned(cn)
	if err != nil {
		return nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(key))})
	return certPEM, keyPEM, nil
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(fmt.Sprintf("eidtest: %v", err))
	}
	return b
}
