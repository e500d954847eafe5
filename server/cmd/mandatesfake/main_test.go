package main

import "testing"

// TestFlags: -grant and -role read what the README shows and refuse
// anything else.
func TestFlags(t *testing.T) {
	var g grants
	if err := g.Set("030392-974H>050840-948K:Helmi Korhonen:http://a.example/x,http://a.example/y"); err != nil ||
		len(g) != 1 || g[0].Principal != "050840-948K" || len(g[0].Issues) != 2 {
		t.Errorf("grant: %+v %v", g, err)
	}
	var r roles
	if err := r.Set("030392-974H>2345678-0:Esimerkkilän Urheiluseura ry:PJ"); err != nil ||
		len(r) != 1 || r[0].BusinessID != "2345678-0" || r[0].Name != "Esimerkkilän Urheiluseura ry" || r[0].Roles[0] != "PJ" {
		t.Errorf("role: %+v %v", r, err)
	}
	for _, bad := range []string{"", "030392-974H", "030392-974H>2345678-0:name", ">2345678-0:n:PJ", "h>2345678-0:n:"} {
		if err := r.Set(bad); err == nil {
			t.Errorf("role %q accepted", bad)
		}
		if err := g.Set(bad); err == nil {
			t.Errorf("grant %q accepted", bad)
		}
	}
}
