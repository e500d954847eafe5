// Command testidp runs the local SAML identity provider (eidtest) that
// stands in for Suomi.fi e-Identification in demos and development. It
// is never part of a production installation.
//
//	go run ./server/cmd/testidp -addr 127.0.0.1:8081 -sp http://127.0.0.1:8080 -metadata idp.xml
//
// It writes its metadata (new keys at each start) to -metadata for
// ASIOINTI_SAML_IDP_METADATA, reads the service provider's metadata from
// -sp/saml/metadata when first asked to log someone in, and logs in the
// person the flags name, at once.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"asiointi/server/suomifi/eid/eidtest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	sp := flag.String("sp", "http://127.0.0.1:8080", "the service provider's base URL")
	metaFile := flag.String("metadata", "testidp-metadata.xml", "where to write the IdP metadata")
	var p eidtest.Person
	flag.StringVar(&p.Hetu, "hetu", "010199-9986", "henkilötunnus of the person who logs in")
	flag.StringVar(&p.GivenName, "given", "Testi", "given name")
	flag.StringVar(&p.Surname, "surname", "Asukas", "surname")
	flag.StringVar(&p.Mail, "mail", "", "e-mail")
	flag.BoolVar(&p.AddressProtected, "protected", false, "non-disclosure of address (turvakielto)")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	idp, err := eidtest.New("http://"+ln.Addr().String(), p)
	if err != nil {
		log.Fatal(err)
	}
	meta, err := idp.Metadata()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*metaFile, meta, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("local test IdP at http://%s\nmetadata written to %s\nsigning certificate SHA-256: %s\n", ln.Addr(), *metaFile, idp.CertFingerprint())
	var once sync.Mutex
	registered := false
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Lock()
		if !registered && r.URL.Path != eidtest.MetadataPath {
			if err := register(idp, strings.TrimRight(*sp, "/")+"/saml/metadata"); err != nil {
				once.Unlock()
				http.Error(w, "cannot read the service provider's metadata: "+err.Error(), http.StatusBadGateway)
				return
			}
			registered = true
		}
		once.Unlock()
		idp.ServeHTTP(w, r)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}

func register(idp *eidtest.IdP, url string) error {
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	return idp.Register(b)
}
