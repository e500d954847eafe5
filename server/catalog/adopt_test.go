package catalog

import (
	"slices"
	"testing"
)

// TestAdopt: a municipality takes up the shipped catalogue with the
// services it enables; the rest of the catalogue (categories, life events,
// units, search) follows, and an unknown service or a bad id is refused.
func TestAdopt(t *testing.T) {
	shipped, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ids := func(c *Catalog) (out []string) {
		for _, s := range c.Services() {
			out = append(out, s.ID)
		}
		return out
	}
	tests := []struct {
		name, municipality string
		services           []string
		want               []string // service ids; nil: refused
		categories         int
	}{
		{"all when none named", "kuusimaki", nil, ids(shipped), len(shipped.Categories())},
		{"two services", "kuusimaki", []string{"home-help", "early-education"}, []string{"early-education", "home-help"}, 2},
		{"unknown service", "kuusimaki", []string{"home-help", "no-such"}, nil, 0},
		{"bad municipality id", "Kuusimäki", []string{"home-help"}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := shipped.Adopt(tc.municipality, tc.services)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("adopted: %v", ids(c))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(c); !slices.Equal(got, tc.want) {
				t.Errorf("services %v, want %v", got, tc.want)
			}
			if len(c.Categories()) != tc.categories {
				t.Errorf("%d categories, want %d", len(c.Categories()), tc.categories)
			}
			if c.Municipality() != tc.municipality || !c.Embedded() {
				t.Errorf("municipality %q, embedded %v", c.Municipality(), c.Embedded())
			}
			for _, s := range c.Services() {
				if s.Municipality != tc.municipality {
					t.Errorf("%s offered by %q", s.ID, s.Municipality)
				}
				if _, ok := c.Unit(s.Unit); !ok {
					t.Errorf("%s: unit %q left out", s.ID, s.Unit)
				}
			}
		})
	}
	// The shipped catalogue is not changed, and search sees only what is enabled.
	c, err := shipped.Adopt("kuusimaki", []string{"home-help"})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := shipped.Service("home-help"); s.Municipality != shipped.Municipality() {
		t.Errorf("the shipped service now belongs to %q", s.Municipality)
	}
	if len(c.Search("kotiapu", "fi")) != 1 || len(c.Search("varhaiskasvatus", "fi")) != 0 {
		t.Errorf("search: kotiapu %d, varhaiskasvatus %d", len(c.Search("kotiapu", "fi")), len(c.Search("varhaiskasvatus", "fi")))
	}
}
