package catalog

import (
	"encoding/json"
	"strings"
	"testing"
)

// mutated returns the embedded catalogue as JSON after change has edited
// its generic form.
func mutated(t *testing.T, change func(root map[string]any)) []byte {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(embedded, &root); err != nil {
		t.Fatal(err)
	}
	change(root)
	b, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func service(root map[string]any, id string) map[string]any {
	for _, s := range root["services"].([]any) {
		if m := s.(map[string]any); m["id"] == id {
			return m
		}
	}
	panic("no service " + id)
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(root map[string]any)
		want   string
	}{
		{"missing Swedish name", func(r map[string]any) {
			delete(service(r, "home-help")["name"].(map[string]any), "sv")
		}, `services[home-help].name: missing "sv"`},
		{"blank English description", func(r map[string]any) {
			service(r, "home-help")["description"].(map[string]any)["en"] = "  "
		}, `services[home-help].description: missing "en"`},
		{"unknown language", func(r map[string]any) {
			service(r, "home-help")["name"].(map[string]any)["se"] = "Hemservice"
		}, `unknown language "se"`},
		{"missing need translation", func(r map[string]any) {
			delete(service(r, "sports-shift")["needs"].([]any)[1].(map[string]any), "fi")
		}, `services[sports-shift].needs[1]: missing "fi"`},
		{"no needs", func(r map[string]any) {
			service(r, "sports-shift")["needs"] = []any{}
		}, `services[sports-shift].needs`},
		{"two-line summary", func(r map[string]any) {
			service(r, "sports-shift")["summary"].(map[string]any)["fi"] = "Yksi.\nKaksi."
		}, `one line`},
		{"unknown kind", func(r map[string]any) {
			service(r, "building-notification")["kind"] = "permit"
		}, `services[building-notification]: kind "permit" is not one of application, notification, request, registration`},
		{"eligibility without ages", func(r map[string]any) {
			e := service(r, "early-education")["eligibility"].(map[string]any)
			delete(e, "maxAge")
		}, `services[early-education].eligibility: give minAge, maxAge or both`},
		{"eligibility ages upside down", func(r map[string]any) {
			service(r, "summer-job-voucher")["eligibility"].(map[string]any)["maxAge"] = 14
		}, `maxAge must not be below minAge`},
		{"eligibility negative age", func(r map[string]any) {
			service(r, "early-education")["eligibility"].(map[string]any)["maxAge"] = -1
		}, `ages must be 0–150`},
		{"eligibility unknown ageOn", func(r map[string]any) {
			service(r, "summer-job-voucher")["eligibility"].(map[string]any)["ageOn"] = "birthday"
		}, `ageOn "birthday"`},
		{"age rules on an organisation's service", func(r map[string]any) {
			service(r, "association-grant")["eligibility"] = map[string]any{"minAge": 18, "reason": map[string]any{"fi": "a", "sv": "b", "en": "c"}}
		}, `no eligibility rules for an organization service`},
		{"eligibility reason untranslated", func(r map[string]any) {
			delete(service(r, "early-education")["eligibility"].(map[string]any)["reason"].(map[string]any), "sv")
		}, `services[early-education].eligibility.reason: missing "sv"`},
		{"missing category name", func(r map[string]any) {
			delete(r["categories"].([]any)[0].(map[string]any)["name"].(map[string]any), "en")
		}, `categories[0].name: missing "en"`},
		{"missing life event summary", func(r map[string]any) {
			delete(r["lifeEvents"].([]any)[2].(map[string]any), "summary")
		}, `lifeEvents[2].summary: missing "fi"`},
		{"unknown category", func(r map[string]any) {
			service(r, "home-help")["category"] = "health"
		}, `unknown category "health"`},
		{"unknown life event", func(r map[string]any) {
			service(r, "home-help")["lifeEvents"] = []any{"retiring"}
		}, `unknown life event "retiring"`},
		{"life event twice", func(r map[string]any) {
			service(r, "home-help")["lifeEvents"] = []any{"ageing-parent", "ageing-parent"}
		}, `listed twice`},
		{"unknown unit", func(r map[string]any) {
			service(r, "home-help")["unit"] = "elderly"
		}, `unknown unit "elderly"`},
		{"invalid onBehalf", func(r map[string]any) {
			service(r, "home-help")["onBehalf"] = "proxy"
		}, `onBehalf "proxy"`},
		{"mandate without issue", func(r map[string]any) {
			delete(service(r, "home-help"), "mandateIssue")
		}, `needs a mandateIssue`},
		{"relative mandate issue", func(r map[string]any) {
			service(r, "home-help")["mandateIssue"] = "sosiaali_ja_terveydenhuollon_asioiden_hoito"
		}, `absolute http(s) URI`},
		{"organization without role or issue", func(r map[string]any) {
			delete(service(r, "association-grant"), "mandateIssue")
			delete(service(r, "association-grant"), "role")
		}, `needs a role, a mandateIssue or both`},
		{"mandate issue not named", func(r map[string]any) {
			service(r, "home-help")["mandateIssue"] = "http://valtuusrekisteri.suomi.fi/other"
		}, `is not named in mandateIssues`},
		{"mandate issue without a Swedish name", func(r map[string]any) {
			delete(r["mandateIssues"].([]any)[0].(map[string]any)["name"].(map[string]any), "sv")
		}, `mandateIssues[0].name: missing "sv"`},
		{"mandate issue named twice", func(r map[string]any) {
			r["mandateIssues"] = append(r["mandateIssues"].([]any), r["mandateIssues"].([]any)[0])
		}, `duplicate id`},
		{"all parties told as other parties", func(r map[string]any) {
			service(r, "building-notification")["notifyOtherParties"] = true
		}, `notifyOtherParties is for services applied for alone`},
		{"bad role", func(r map[string]any) {
			service(r, "association-grant")["role"] = "chair"
		}, `role "chair"`},
		{"alone with a mandate issue", func(r map[string]any) {
			service(r, "sports-shift")["mandateIssue"] = "http://valtuusrekisteri.suomi.fi/x"
		}, `takes no mandateIssue or role`},
		{"alone but not for self", func(r map[string]any) {
			service(r, "sports-shift")["forSelf"] = false
		}, `set forSelf`},
		{"closes before opens", func(r map[string]any) {
			service(r, "summer-job-voucher")["closesAt"] = "2027-01-15T09:00:00+02:00"
		}, `closesAt must be after opensAt`},
		{"summer-time offset in winter", func(r map[string]any) {
			service(r, "summer-job-voucher")["opensAt"] = "2027-01-15T09:00:00+03:00"
		}, `has offset +03:00 but Helsinki is then at +02:00`},
		{"UTC bound", func(r map[string]any) {
			service(r, "summer-job-voucher")["closesAt"] = "2027-03-31T13:00:00Z"
		}, `has offset +00:00 but Helsinki is then at +03:00`},
		{"not RFC 3339", func(r map[string]any) {
			service(r, "summer-job-voucher")["opensAt"] = "15.1.2027 9.00"
		}, `parsing time "15.1.2027 9.00"`},
		{"bad retention", func(r map[string]any) {
			service(r, "home-help")["caseRetention"] = "10 years"
		}, `caseRetention`},
		{"no processing days", func(r map[string]any) {
			service(r, "home-help")["processingDays"] = 0
		}, `processingDays 0`},
		{"no draft retention", func(r map[string]any) {
			service(r, "home-help")["draftRetentionDays"] = 0
		}, `draftRetentionDays 0`},
		{"negative fee", func(r map[string]any) {
			service(r, "home-help")["feeCents"] = -1
		}, `feeCents`},
		{"duplicate service id", func(r map[string]any) {
			service(r, "home-help")["id"] = "sports-shift"
		}, `duplicate id "sports-shift"`},
		{"bad id", func(r map[string]any) {
			service(r, "home-help")["id"] = "Home_Help"
		}, `id "Home_Help"`},
		{"misspelt field", func(r map[string]any) {
			service(r, "home-help")["mandateIsue"] = "x"
		}, `unknown field "mandateIsue"`},
		{"no services", func(r map[string]any) {
			r["services"] = []any{}
		}, `no services`},
		{"no municipality", func(r map[string]any) {
			delete(r, "municipality")
		}, `the id "" of the catalogue's municipality`},
		{"bad municipality id", func(r map[string]any) {
			r["municipality"] = "Esimerkkilä/1"
		}, `the id "Esimerkkilä/1" of the catalogue's municipality`},
		{"service of another municipality", func(r map[string]any) {
			service(r, "home-help")["municipality"] = "toinen-kunta"
		}, `services[home-help]: municipality "toinen-kunta" is not the catalogue's ("esimerkkila")`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(mutated(t, tc.change))
			if err == nil {
				t.Fatalf("Parse accepted it: %v", c)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse(mutated(t, func(r map[string]any) {
		service(r, "home-help")["category"] = "x"
		service(r, "sports-shift")["unit"] = "y"
	}))
	if err == nil || !strings.Contains(err.Error(), `"x"`) || !strings.Contains(err.Error(), `"y"`) {
		t.Errorf("want both problems reported, got %v", err)
	}
}

func TestParseRejectsDuplicateKeys(t *testing.T) {
	in := `{"categories": [], "lifeEvents": [], "units": [], "services": [{"id": "a", "name": {"fi": "A", "sv": "A", "fi": "B"}}]}`
	_, err := Parse([]byte(in))
	if err == nil || !strings.Contains(err.Error(), `$.services[0].name: key "fi" appears twice`) {
		t.Errorf("got %v", err)
	}
}

func TestParseGarbage(t *testing.T) {
	for _, in := range []string{"", "null", "[]", `{"services": [null]}`, "{} {}", "{} ]", "{"} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
}
