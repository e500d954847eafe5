// Package wiring builds, once, the parts an installation runs on from its
// open store: the demo data (in demo mode), the messages, the municipality
// it serves and that municipality's catalogue and forms, the cases
// service, the register, the sessions, the CSRF secret and the
// notifications' inbox, preferences, demo outbox and web push. app.Open uses
// it to build the server, and the web package's test harness uses it too,
// so the tests run on the same wiring as the program.
package wiring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"asiointi/i18n"
	"asiointi/server/audit"
	"asiointi/server/cases"
	"asiointi/server/catalog"
	"asiointi/server/config"
	"asiointi/server/identity"
	"asiointi/server/mandates"
	"asiointi/server/notify"
	"asiointi/server/population"
	"asiointi/server/publish"
	"asiointi/server/staffsso"
	"asiointi/server/store"
	"asiointi/server/suomifi/eid"
)

// Options are what Build needs besides the store.
type Options struct {
	Config config.Config
	Now    func() time.Time
	Log    *slog.Logger
	// Catalogs are the service catalogues by municipality; nil means the
	// embedded one.
	Catalogs *catalog.Set
}

// Parts are the installation's services, each built once.
type Parts struct {
	Messages     *i18n.Bundle
	Municipality population.Municipality // the one the installation serves
	Catalog      *catalog.Catalog        // the served municipality's
	Cases        *cases.Service
	Directory    *identity.Directory
	Sessions     *identity.Sessions
	Secret       []byte // the key of CSRF tokens

	Inbox  *notify.Inbox    // in-app notifications
	Prefs  *notify.Prefs    // each person's channel choices
	Outbox *notify.Recorder // demo mode's record of e-mail and SMS
	Push   *notify.Push     // web push, with the installation's VAPID keys

	Statements *publish.Statements // accessibility statements
	Feedback   *publish.Feedbacks  // accessibility feedback
	Access     *audit.Log          // the access log
	// LoginStates holds outside logins in flight; EID is the resident
	// login through Suomi.fi e-Identification (nil unless configured).
	LoginStates *identity.LoginStates
	EID         *eid.SP
	// StaffSSO is the staff login through the municipality's OpenID
	// Connect provider (nil unless configured).
	StaffSSO *staffsso.Client
	// Mandates is Suomi.fi Mandates (nil unless ASIOINTI_MANDATES=suomifi):
	// the person mandates come from there, checked on every use.
	Mandates *mandates.Link
}

// Build seeds the demo data in demo mode and builds the parts on st.
func Build(st *store.Store, o Options) (*Parts, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Config.Mode == config.Demo {
		d, err := population.Demo()
		if err != nil {
			return nil, err
		}
		seeded, err := identity.Seed(st, d, o.Now())
		if err != nil {
			return nil, err
		}
		if seeded && o.Log != nil {
			o.Log.Info("demo data seeded", "people", len(d.People), "staff", len(d.Staff))
		}
	}
	p := &Parts{Directory: &identity.Directory{Store: st}}
	var err error
	// The population data adapter: relations at a first national login.
	if o.Config.Population == config.PopulationDemo {
		d, err := population.Demo()
		if err != nil {
			return nil, err
		}
		p.Directory.Population = population.DemoRegister{Data: d}
	}
	if p.Messages, err = i18n.Load(); err != nil {
		return nil, err
	}
	if p.Municipality, p.Catalog, err = ServedCatalog(st, o.Catalogs); err != nil {
		return nil, err
	}
	fs, err := cases.LoadForms(st, p.Catalog)
	if err != nil {
		return nil, err
	}
	p.Cases = &cases.Service{Store: st, Catalog: p.Catalog, Forms: fs, Register: p.Directory,
		RefPrefix: p.Municipality.RefPrefix, Now: o.Now, UploadQuota: o.Config.UploadQuota, Log: o.Log}
	if c := o.Config; c.Mandates == config.MandatesSuomiFi {
		p.Mandates = &mandates.Link{Store: st, Now: o.Now, Client: &mandates.Client{BaseURL: c.MandatesURL, ClientID: c.MandatesClientID,
			Secret: c.MandatesSecret, OAuthSecret: c.MandatesOAuthSecret, Now: o.Now, HTTP: &http.Client{Timeout: 10 * time.Second}}}
		p.Directory.Mandates, p.Cases.Mandates = p.Mandates, p.Mandates
	}
	if err := p.Cases.AggregateExisting(); err != nil {
		return nil, fmt.Errorf("report aggregates: %w", err)
	}
	p.Sessions = &identity.Sessions{Store: st, Idle: o.Config.SessionIdle, KioskIdle: o.Config.KioskIdle,
		Absolute: o.Config.SessionAbsolute, Touch: time.Minute, Now: o.Now}
	if p.Secret, err = identity.Secret(st); err != nil {
		return nil, err
	}
	p.LoginStates = &identity.LoginStates{Store: st, Now: o.Now}
	if p.EID, err = residentLogin(o.Config, p.LoginStates, o.Now); err != nil {
		return nil, err
	}
	if c := o.Config; c.StaffOIDCIssuer != "" {
		p.StaffSSO, err = staffsso.New(context.Background(), staffsso.Config{Issuer: c.StaffOIDCIssuer,
			ClientID: c.StaffOIDCClientID, ClientSecret: c.StaffOIDCClientSecret, BaseURL: c.BaseURL,
			RolesClaim: c.StaffOIDCRolesClaim, States: p.LoginStates, Services: serviceIDs(p.Catalog)})
		if err != nil {
			return nil, fmt.Errorf("ASIOINTI_STAFF_OIDC_ISSUER: %w", err)
		}
	}
	p.Inbox, p.Prefs, p.Outbox = &notify.Inbox{Store: st}, &notify.Prefs{Store: st}, &notify.Recorder{Store: st, Now: o.Now}
	// The web push keys: from configuration, or made at first start and
	// kept in the store.
	vapid := notify.VAPID{Public: o.Config.VAPIDPublic, Private: o.Config.VAPIDPrivate}
	if vapid.Public == "" {
		if vapid, err = notify.LoadVAPID(st); err != nil {
			return nil, fmt.Errorf("web push keys: %w", err)
		}
	}
	// The push services' contact: the site, or the municipality's e-mail.
	contact := p.Municipality.Email
	if strings.HasPrefix(o.Config.BaseURL, "https://") {
		contact = o.Config.BaseURL
	}
	p.Statements = &publish.Statements{Store: st}
	p.Access = &audit.Log{Store: st, Now: o.Now}
	p.Feedback = &publish.Feedbacks{Store: st, Secret: p.Secret, Now: o.Now}
	p.Push = &notify.Push{Store: st, Keys: vapid, Hosts: o.Config.PushHosts, Subscriber: contact, Now: o.Now}
	return p, nil
}

// serviceIDs are the ids of the catalogue's services.
func serviceIDs(c *catalog.Catalog) []string {
	var out []string
	for _, s := range c.Services() {
		out = append(out, s.ID)
	}
	return out
}

// ServedCatalog looks up the municipality the installation serves (its
// default one) and that municipality's catalogue in cats; nil cats means
// the embedded catalogue alone, which a municipality other than the
// demo's takes up (catalog.Adopt). A municipality that names its services
// is served those only. A data file without a municipality gives
// identity.ErrNoMunicipality.
func ServedCatalog(st *store.Store, cats *catalog.Set) (population.Municipality, *catalog.Catalog, error) {
	muni, err := identity.ServedMunicipality(st)
	if errors.Is(err, identity.ErrNoMunicipality) {
		return muni, nil, err
	}
	if err != nil {
		return muni, nil, fmt.Errorf("municipality settings: %w", err)
	}
	var embedded *catalog.Catalog
	if cats == nil {
		if embedded, err = catalog.Load(); err != nil {
			return muni, nil, err
		}
		if cats, err = catalog.NewSet(embedded); err != nil {
			return muni, nil, err
		}
	}
	cat, ok := cats.For(muni.ID)
	if !ok && embedded != nil {
		cat, ok = embedded, true
	}
	if !ok {
		return muni, nil, fmt.Errorf("no service catalogue for municipality %q", muni.ID)
	}
	if cat.Municipality() != muni.ID || len(muni.Services) > 0 {
		if cat, err = cat.Adopt(muni.ID, muni.Services); err != nil {
			return muni, nil, fmt.Errorf("municipality %q: %w", muni.ID, err)
		}
	}
	return muni, cat, nil
}

// residentLogin builds the SAML service provider of Suomi.fi
// e-Identification when the configuration names it.
func residentLogin(c config.Config, states *identity.LoginStates, now func() time.Time) (*eid.SP, error) {
	if c.IdentityProvider != config.IDPSuomiFi {
		return nil, nil
	}
	key, cert, err := eid.LoadKeyPair(c.SAMLCertFile, c.SAMLKeyFile)
	if err != nil {
		return nil, fmt.Errorf("ASIOINTI_SAML_KEY and ASIOINTI_SAML_CERT: %w", err)
	}
	meta, err := eid.ReadMetadata(context.Background(), c.SAMLIDPMetadata)
	if err != nil {
		return nil, fmt.Errorf("ASIOINTI_SAML_IDP_METADATA: %w", err)
	}
	sp, err := eid.New(eid.Config{BaseURL: c.BaseURL, Key: key, Cert: cert, IDPMetadata: meta,
		PinnedCerts: c.SAMLIDPCertSHA256, States: states, Now: now})
	if err != nil {
		return nil, fmt.Errorf("ASIOINTI_SAML_IDP_METADATA: %w", err)
	}
	return sp, nil
}
