package catalog

import "fmt"

// Set holds the catalogues of the municipalities an installation serves,
// one each. A service is looked up through its municipality's catalogue:
// For(municipality) and then that catalogue's lookups, listings and
// search, which never see another municipality's services.
type Set struct {
	byMunicipality map[string]*Catalog
}

// NewSet gathers catalogues; it refuses two for one municipality.
func NewSet(cats ...*Catalog) (*Set, error) {
	s := &Set{byMunicipality: make(map[string]*Catalog, len(cats))}
	for _, c := range cats {
		if _, dup := s.byMunicipality[c.Municipality()]; dup {
			return nil, fmt.Errorf("catalog: two catalogues for municipality %q", c.Municipality())
		}
		s.byMunicipality[c.Municipality()] = c
	}
	return s, nil
}

// For returns the catalogue of the municipality with the given id.
func (s *Set) For(municipality string) (*Catalog, bool) {
	c, ok := s.byMunicipality[municipality]
	return c, ok
}
