// Command mandatesfake runs the local stand-in for the Suomi.fi Mandates
// (Valtuudet) web API (server/mandates/fake) for demos and development.
// It is never part of a production installation.
//
//	go run ./server/cmd/mandatesfake -addr 127.0.0.1:8082 \
//	  -grant '030392-974H>050840-948K:Helmi Korhonen:http://valtuusrekisteri.suomi.fi/sosiaali_ja_terveydenhuollon_asioiden_hoito'
//
// and the server with ASIOINTI_MANDATES=suomifi,
// ASIOINTI_MANDATES_URL=http://127.0.0.1:8082 and the same client id and
// secrets (README, Configuration). Each -grant is
// holder>principal:principal's name:issue[,issue…] (henkilötunnukset),
// each -role holder>business id:organisation's name:role[,role…].
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"asiointi/server/mandates/fake"
)

type grants []fake.Mandate

func (g *grants) String() string { return fmt.Sprint(len(*g)) }

func (g *grants) Set(v string) error {
	who, rest, ok := strings.Cut(v, ">")
	parts := strings.SplitN(rest, ":", 3)
	if !ok || len(parts) != 3 || who == "" || parts[0] == "" || parts[2] == "" {
		return fmt.Errorf("want holder>principal:name:issue[,issue], got %q", v)
	}
	*g = append(*g, fake.Mandate{Holder: who, Principal: parts[0], PrincipalName: parts[1], Issues: strings.Split(parts[2], ",")})
	return nil
}

type roles []fake.OrgRole

func (r *roles) String() string { return fmt.Sprint(len(*r)) }

func (r *roles) Set(v string) error {
	who, rest, ok := strings.Cut(v, ">")
	parts := strings.SplitN(rest, ":", 3)
	if !ok || len(parts) != 3 || who == "" || parts[0] == "" || parts[2] == "" {
		return fmt.Errorf("want holder>businessId:name:role[,role], got %q", v)
	}
	*r = append(*r, fake.OrgRole{Holder: who, BusinessID: parts[0], Name: parts[1], Roles: strings.Split(parts[2], ",")})
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8082", "listen address")
	clientID := flag.String("client-id", "esimerkkila", "the client id (ASIOINTI_MANDATES_CLIENT_ID)")
	secret := flag.String("secret", "checksum-secret", "the checksum key (ASIOINTI_MANDATES_SECRET)")
	oauth := flag.String("oauth-secret", "oauth-secret", "the OAuth secret (ASIOINTI_MANDATES_OAUTH_SECRET)")
	var gs grants
	flag.Var(&gs, "grant", "a mandate: holder>principal:name:issue[,issue] (repeatable)")
	var rs roles
	flag.Var(&rs, "role", "a role in an organisation: holder>businessId:name:role[,role] (repeatable)")
	flag.Parse()
	f := fake.New(*clientID, *secret, *oauth)
	for _, m := range gs {
		f.Grant(m)
	}
	for _, r := range rs {
		f.GrantRole(r)
	}
	srv := &http.Server{Addr: *addr, Handler: f, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(os.Stderr, "fake Suomi.fi Mandates at http://%s (%d mandates)\n", *addr, len(gs))
	log.Fatal(srv.ListenAndServe())
}
