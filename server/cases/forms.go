package cases

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"sync"

	"asiointi/server/catalog"
	"asiointi/server/forms"
	"asiointi/server/forms/definitions"
	"asiointi/server/store"
)

// Forms holds every version of the form of every service of one
// municipality: the ones shipped in the binary (the embedded catalogue's
// forms) and the ones imported into the store for the municipality.
// Drafts keep the version they were started with.
type Forms struct {
	municipality string
	mu           sync.RWMutex
	defs         map[string]map[int]*forms.Definition
	latest       map[string]int
}

// LoadForms reads the forms of the municipality whose catalogue cat is:
// the embedded definitions when cat is the embedded catalogue, and those
// imported into st for the municipality. Without a catalogue it reads the
// embedded definitions only.
func LoadForms(st *store.Store, cat *catalog.Catalog) (*Forms, error) {
	f := &Forms{defs: map[string]map[int]*forms.Definition{}, latest: map[string]int{}}
	if cat != nil {
		f.municipality = cat.Municipality()
	}
	var names []string
	if cat == nil || cat.Embedded() {
		var err error
		if names, err = fs.Glob(definitions.FS, "*.json"); err != nil {
			return nil, err
		}
	}
	for _, n := range names {
		raw, err := fs.ReadFile(definitions.FS, n)
		if err != nil {
			return nil, err
		}
		d, err := forms.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("form %s: %w", n, err)
		}
		f.add(d)
	}
	if st != nil && cat != nil {
		err := st.View(func(tx *store.Tx) error {
			return tx.Scan(store.Forms, formPrefix(f.municipality), func(k string, raw []byte) error {
				d, err := forms.Parse(raw)
				if err != nil {
					return fmt.Errorf("imported form %s: %w", k, err)
				}
				f.add(d)
				return nil
			})
		})
		if err != nil {
			return nil, err
		}
	}
	if cat != nil {
		for _, s := range cat.Services() {
			def, ok := f.Latest(s.ID)
			if !ok {
				return nil, fmt.Errorf("service %s has no form", s.ID)
			}
			if s.NotifyOtherParties && !asksOtherPartiesKnow(def) {
				return nil, fmt.Errorf("service %s notifies the other parties: its form needs a required checkbox with the concept %s", s.ID, ConceptOtherPartiesKnow)
			}
		}
	}
	return f, nil
}

func (f *Forms) add(d *forms.Definition) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.defs[d.Service] == nil {
		f.defs[d.Service] = map[int]*forms.Definition{}
	}
	f.defs[d.Service][d.Version] = d
	if d.Version > f.latest[d.Service] {
		f.latest[d.Service] = d.Version
	}
}

// Municipality is the id of the municipality whose forms these are.
func (f *Forms) Municipality() string { return f.municipality }

// Latest is the newest version of a service's form.
func (f *Forms) Latest(service string) (*forms.Definition, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	v, ok := f.latest[service]
	if !ok {
		return nil, false
	}
	return f.defs[service][v], true
}

// Version is one version of a service's form.
func (f *Forms) Version(service string, v int) (*forms.Definition, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	d, ok := f.defs[service][v]
	return d, ok
}

// Versions lists the versions of a service's form, oldest first.
func (f *Forms) Versions(service string) []int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	var out []int
	for v := range f.defs[service] {
		out = append(out, v)
	}
	sort.Ints(out)
	return out
}

// ErrOldVersion refuses an import that does not raise the version.
var ErrOldVersion = errors.New("the version must be higher than the current one")

// Import validates a definition and stores it as the newest version of the
// form of a service in cat, for cat's municipality. It refuses bad
// definitions with the parser's precise messages, unknown services and
// versions that are not newer.
func Import(st *store.Store, cat *catalog.Catalog, current *Forms, raw []byte) (*forms.Definition, error) {
	if current.municipality != cat.Municipality() {
		return nil, fmt.Errorf("the forms of municipality %q are not those of the catalogue's %q", current.municipality, cat.Municipality())
	}
	d, err := forms.Parse(raw)
	if err != nil {
		return nil, err
	}
	if _, ok := cat.Service(d.Service); !ok {
		return nil, fmt.Errorf("unknown service %q", d.Service)
	}
	if cur, ok := current.Latest(d.Service); ok && d.Version <= cur.Version {
		return nil, fmt.Errorf("%s version %d: %w (%d)", d.Service, d.Version, ErrOldVersion, cur.Version)
	}
	err = st.UpdateAlone(func(tx *store.Tx) error {
		return tx.PutRaw(store.Forms, formKey(current.municipality, d.Service, d.Version), raw)
	})
	if err != nil {
		return nil, err
	}
	current.add(d)
	return d, nil
}

// ConceptOtherPartiesKnow is the concept of the confirmation, on the form
// of a service that notifies the other parties (catalog
// NotifyOtherParties), that they know of the application.
const ConceptOtherPartiesKnow = "application.otherPartiesKnow"

// asksOtherPartiesKnow: the form has the required confirmation that the
// other parties know.
func asksOtherPartiesKnow(def *forms.Definition) bool {
	for _, f := range def.DataFields() {
		if f.Concept == ConceptOtherPartiesKnow && f.Type == forms.TypeCheckbox && f.Required {
			return true
		}
	}
	return false
}
