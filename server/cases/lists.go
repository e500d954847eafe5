package cases

import (
	"slices"
	"sort"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"

	"asiointi/server/identity"
	"asiointi/server/store"
)

// List pages. Every list of a person's drafts and cases is read a page at
// a time over its index in time order (store.Tx.PageReverse), so a page
// costs the same at 20 entries and at 20,000.
const (
	// DefaultPageSize is how many entries a page holds unless asked.
	DefaultPageSize = 50
	// MaxPageSize caps what a caller may ask for.
	MaxPageSize = 100
)

// ErrBadCursor answers a page cursor this program did not hand out.
var ErrBadCursor = store.ErrBadCursor

// Page asks for one page of a list: Cursor is the Next of the page before
// ("" for the first page); Limit is how many entries (0 or less:
// DefaultPageSize, at most MaxPageSize).
type Page struct {
	Cursor string
	Limit  int
}

// Size is the number of entries the page holds at most.
func (p Page) Size() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageSize
	case p.Limit > MaxPageSize:
		return MaxPageSize
	}
	return p.Limit
}

// CasePage is one page of a person's cases, newest first. Next is the
// cursor of the following page, "" on the last.
type CasePage struct {
	Cases []MyCase
	Next  string
}

// MyCase is a case in a person's "my applications", with their access
// and the group it is listed under.
type MyCase struct {
	*Case
	Access Access // ResidentAccess or ResidentRead
	Group  string // GroupMine, GroupChildren, ...
}

// CasesPage is one page of the cases a user may open now, newest
// submitted first, each with their access and group: those they sent or
// that were made in their name or that name them as a party (the by-user
// index), their minor children's and their organisations' (while they
// hold the role; through the child's and the organisation's index
// entries). The cases come without their answers (Answers and Known are
// nil): Case has them.
func (s *Service) CasesPage(user string, p Page) (CasePage, error) {
	return s.casesPage(user, p.Cursor, p.Size(), decodeListed)
}

// Cases lists every case a user may open now, newest first. Lists people
// see are paged (CasesPage); this is for callers that need them all and
// know there are few.
func (s *Service) Cases(user string) ([]*Case, error) {
	pg, err := s.casesPage(user, "", 0, func(raw []byte) (*Case, error) {
		var c Case
		return &c, unmarshal(raw, &c)
	})
	out := make([]*Case, 0, len(pg.Cases))
	for _, c := range pg.Cases {
		out = append(out, c.Case)
	}
	return out, err
}

// casesPage merges the pages of each index prefix the user may read
// (their own, each minor child's, each organisation's): every prefix
// gives its newest limit below the cursor (a case id: ids are in time
// order), and the newest limit of them all make the page.
func (s *Service) casesPage(user, cursor string, limit int, decode func([]byte) (*Case, error)) (CasePage, error) {
	var pg CasePage
	v, err := s.resident(user)
	if err != nil {
		return pg, err
	}
	prefixes := []string{user + "/"}
	for _, r := range v.rels {
		if r.Kind == identity.PrincipalGuardian || r.Kind == identity.PrincipalOrganization {
			if p := r.ID + "/"; !slices.Contains(prefixes, p) {
				prefixes = append(prefixes, p)
			}
		}
	}
	more := false
	seen := map[string]bool{}
	err = s.Store.View(func(tx *store.Tx) error {
		for _, prefix := range prefixes {
			next, err := tx.PageReverse(store.CasesByUser, prefix, cursor, limit, func(k string, _ []byte) (bool, error) {
				id := strings.TrimPrefix(k, prefix)
				if seen[id] {
					return true, nil // listed through another prefix: it counts here too
				}
				raw, err := tx.GetRaw(store.Cases, id)
				if err != nil {
					return false, nil // index ahead of a removed case: skip
				}
				c, err := decode(raw)
				if err != nil {
					return false, nil // as before pages: a record that does not decode is left out
				}
				a := s.access(tx, v, c)
				if a == NoAccess {
					return false, nil
				}
				seen[id] = true
				pg.Cases = append(pg.Cases, MyCase{Case: c, Access: a, Group: v.groupOf(c)})
				return true, nil
			})
			if err != nil {
				return err
			}
			more = more || next != ""
		}
		return nil
	})
	sort.SliceStable(pg.Cases, func(i, j int) bool { return pg.Cases[i].ID > pg.Cases[j].ID })
	if limit > 0 && len(pg.Cases) > limit {
		pg.Cases, more = pg.Cases[:limit], true
	}
	if more && len(pg.Cases) > 0 {
		pg.Next = pg.Cases[len(pg.Cases)-1].ID
	}
	return pg, err
}

// DraftPage is one page of a person's unsubmitted drafts. Next is the
// cursor of the following page, "" on the last.
type DraftPage struct {
	Drafts []*Draft
	Next   string
}

// DraftsPage is one page of the owner's unsubmitted, unexpired drafts.
// Pages go from the newest started draft to the oldest; inside a page the
// most recently saved comes first. (So one page, which is what nearly
// everyone has, is in order of the last save; ordering every page by the
// last save would need an index that every autosave rewrites.)
func (s *Service) DraftsPage(owner string, p Page) (DraftPage, error) {
	return s.draftsPage(owner, p.Cursor, p.Size())
}

// Drafts lists every unsubmitted, unexpired draft of the owner, most
// recently saved first. Lists people see are paged (DraftsPage).
func (s *Service) Drafts(owner string) ([]*Draft, error) {
	pg, err := s.draftsPage(owner, "", 0)
	return pg.Drafts, err
}

func (s *Service) draftsPage(owner, cursor string, limit int) (DraftPage, error) {
	var pg DraftPage
	now := s.Now()
	prefix := owner + "/"
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		pg.Next, err = tx.PageReverse(store.DraftsByUser, prefix, cursor, limit, func(k string, _ []byte) (bool, error) {
			d, err := s.getDraft(tx, strings.TrimPrefix(k, prefix), false)
			if err != nil {
				return false, nil // index ahead of a deleted draft: skip
			}
			if d.CaseID != "" || !now.Before(d.ExpiresAt) {
				return false, nil
			}
			pg.Drafts = append(pg.Drafts, d)
			return true, nil
		})
		return err
	})
	sort.SliceStable(pg.Drafts, func(i, j int) bool { return pg.Drafts[i].UpdatedAt.After(pg.Drafts[j].UpdatedAt) })
	return pg, err
}

// listedCase decodes a case record for a list: everything but the answers
// and known values, whose decoding (maps of any) was most of the cost of a
// page; they are skipped over.
type listedCase struct {
	Case    `json:",inline"`
	Answers skipped `json:"answers"`
	Known   skipped `json:"known"`
}

// skipped is a JSON value left undecoded.
type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// decodeListed decodes a case record without its answers.
func decodeListed(raw []byte) (*Case, error) {
	var c listedCase
	if err := jsonv2.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	return &c.Case, nil
}
