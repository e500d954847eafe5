package web

import (
	"reflect"
	"strings"
	"testing"
)

// TestPathsAreRoutes: every URL paths builds is one the route table
// serves, so a route renamed in routes.go cannot leave links behind.
func TestPathsAreRoutes(t *testing.T) {
	e := newEnv(t)
	var patterns []string
	for _, r := range e.s.App().GetRoutes() {
		if r.Method == "GET" || r.Method == "POST" {
			patterns = append(patterns, r.Path)
		}
	}
	p := reflect.ValueOf(pathsIn("sv"))
	for i := 0; i < p.NumMethod(); i++ {
		m := p.Type().Method(i)
		var args []reflect.Value
		for j := 0; j < m.Type.NumIn()-1; j++ { // In(0) is the receiver
			switch m.Type.In(j + 1).Kind() {
			case reflect.String:
				args = append(args, reflect.ValueOf("x"+string(rune('1'+j))))
			case reflect.Int, reflect.Uint64:
				args = append(args, reflect.Zero(m.Type.In(j+1)))
			default:
				t.Fatalf("%s: argument %d of kind %s", m.Name, j, m.Type.In(j+1).Kind())
			}
		}
		url := p.Method(i).Call(args)[0].String()
		path, _, _ := strings.Cut(url, "?")
		path, _, _ = strings.Cut(path, "#")
		if !strings.HasPrefix(url, "/sv/") && !strings.HasPrefix(url, "/auth/") {
			t.Errorf("%s = %q: not in the language", m.Name, url)
		}
		if !matchesAny(patterns, path) {
			t.Errorf("%s = %q: no route serves it", m.Name, url)
		}
	}
}

// matchesAny reports whether a Fiber route pattern (":name" one segment,
// "*" the rest) matches path.
func matchesAny(patterns []string, path string) bool {
	for _, pat := range patterns {
		ps, xs := strings.Split(strings.TrimSuffix(pat, "/"), "/"), strings.Split(strings.TrimSuffix(path, "/"), "/")
		ok := len(ps) == len(xs)
		for i := 0; ok && i < len(ps); i++ {
			switch {
			case ps[i] == "*":
				return true
			case strings.HasPrefix(ps[i], ":"):
				ok = xs[i] != ""
			default:
				ok = ps[i] == xs[i]
			}
		}
		if ok {
			return true
		}
	}
	return false
}
