package web

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
	"asiointi/server/datefmt"
	"asiointi/server/forms"
	"asiointi/server/identity"
	"asiointi/server/reports"
)

// The managers' reports (issue 14): pages under /staff/reports and the
// same figures as JSON, CSV and XLSX under /api/v1/reports. Each report
// is built as tables (reportTables) in the reader's language: the page
// shows each table beside its chart, the downloads write one table.

// reportNames are the reports, the live situation first; reportTitles
// their titles.
var (
	reportNames  = []string{"situation", "trends", "deviations", "answers"}
	reportTitles = map[string]string{"situation": "reports.situation.title", "trends": "reports.trends.title",
		"deviations": "reports.deviations.title", "answers": "reports.answers.title"}
)

// reportSection is one table of a report, with its chart and the links
// of its rows (deviations: to the cases behind them).
type reportSection struct {
	Table reports.Table
	Chart *reports.Chart
	Links []string // per row, "" for none
	// The downloads of the table.
	CSV, CSVSemicolon, XLSX string
}

type reportView struct {
	Name     string
	Tabs     []inboxTab
	Services []option
	Units    []option
	Handlers []option
	Concepts []option
	By       []option // what the chosen concept can be crossed with
	From, To string
	Concept  string
	Sections []reportSection
	Refused  string
	Live     bool
	Comma    bool // decimal comma (fi, sv)
}

// reportFilter reads the filters of a report request.
func reportFilter(c *fiber.Ctx) cases.ReportFilter {
	f := cases.ReportFilter{Service: strings.Clone(c.Query("service")), Unit: strings.Clone(c.Query("unit")),
		Handler: strings.Clone(c.Query("handler")), Concept: strings.Clone(c.Query("concept")), By: strings.Clone(c.Query("by"))}
	hel := datefmt.Helsinki()
	if t, err := time.ParseInLocation("2006-01-02", c.Query("from"), hel); err == nil {
		f.From = t
	}
	if t, err := time.ParseInLocation("2006-01-02", c.Query("to"), hel); err == nil {
		f.To = t.AddDate(0, 0, 1) // the last day is included
	}
	return f
}

// reportData runs the named report: its domain result (for JSON) and
// its tables.
func (s *Server) reportData(c *fiber.Ctx, name string) (any, []reportSection, error) {
	lang := requestLang(c)
	who := actorRef(session(c))
	f := reportFilter(c)
	switch name {
	case "situation":
		r, err := s.cases.Situation(who, f)
		if err != nil {
			return nil, nil, err
		}
		return r, s.situationTables(lang, r), nil
	case "trends":
		r, err := s.cases.Trends(who, f)
		if err != nil {
			return nil, nil, err
		}
		return r, s.trendsTables(lang, r), nil
	case "deviations":
		r, err := s.cases.Deviations(who, f)
		if err != nil {
			return nil, nil, err
		}
		return r, s.deviationTables(lang, r), nil
	case "answers":
		r, err := s.cases.Answers(who, f)
		if err != nil {
			return nil, nil, err
		}
		return r, s.answerTables(lang, r), nil
	}
	return nil, nil, cases.ErrNotFound
}

func (s *Server) serviceName(lang, id string) string {
	if svc, ok := s.catalog.Service(id); ok {
		return svc.Name.In(lang)
	}
	return id
}

func (s *Server) situationTables(lang string, r *cases.Situation) []reportSection {
	t := reports.Table{Title: s.msg.T(lang, "reports.situation.title"), Headers: []string{
		s.msg.T(lang, "staff.inbox.service"), s.caseStatusText(lang, cases.StatusSubmitted), s.caseStatusText(lang, cases.StatusInProgress),
		s.caseStatusText(lang, cases.StatusSupplementRequested), s.msg.T(lang, "reports.open"), s.msg.T(lang, "reports.awaiting"),
		s.msg.T(lang, "staff.inbox.overdue"), s.msg.T(lang, "reports.dueSoon"), s.msg.T(lang, "reports.today"),
		s.msg.T(lang, "reports.week"), s.msg.T(lang, "reports.oldest")}}
	chart := &reports.Chart{ID: "chart-open", Title: s.msg.T(lang, "reports.openChart"), Desc: s.msg.T(lang, "reports.chartDesc")}
	row := func(name string, ss cases.ServiceSituation) []reports.Value {
		oldest := reports.Txt("")
		if ss.Oldest != nil {
			oldest = reports.Txt(ss.Oldest.Reference + " " + datefmt.Date(ss.Oldest.SubmittedAt, lang))
		}
		return []reports.Value{reports.Txt(name), num(ss.ByStatus[cases.StatusSubmitted]), num(ss.ByStatus[cases.StatusInProgress]),
			num(ss.ByStatus[cases.StatusSupplementRequested]), num(ss.Open), num(ss.Awaiting), num(ss.Overdue), num(ss.DueSoon),
			num(ss.Today), num(ss.Week), oldest}
	}
	for _, ss := range r.Services {
		name := s.serviceName(lang, ss.Service)
		t.Rows = append(t.Rows, row(name, ss))
		chart.Bars = append(chart.Bars, reports.Bar{Label: name, Value: float64(ss.Open), Text: strconv.Itoa(ss.Open)})
	}
	t.Rows = append(t.Rows, row(s.msg.T(lang, "reports.total"), r.Total))
	return []reportSection{{Table: t, Chart: chart}}
}

// pluralCount is a figure as go-i18n takes a plural count: it refuses a
// float64 (the message's id showed instead), but takes the number as text.
func pluralCount(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func num(n int) reports.Value { return reports.Num(float64(n)) }

// fig is a figure that may be missing, as a value (empty when NaN).
func fig(f cases.Figure, scale float64) reports.Value {
	if math.IsNaN(float64(f)) {
		return reports.Txt("–")
	}
	return reports.Num(math.Round(float64(f)*scale*10) / 10)
}

func (s *Server) trendsTables(lang string, r *cases.Trends) []reportSection {
	in := reports.Table{Title: s.msg.T(lang, "reports.inflow.compared"), Headers: []string{s.msg.T(lang, "reports.period"),
		s.msg.T(lang, "reports.arrived"), s.msg.T(lang, "reports.change")}}
	for _, row := range []struct {
		label string
		n     int
	}{{s.msg.T(lang, "reports.thisPeriod"), r.Inflow.Now}, {s.msg.T(lang, "reports.periodBefore"), r.Inflow.Before},
		{s.msg.T(lang, "reports.yearBefore"), r.Inflow.YearBefore}} {
		change := reports.Txt("")
		if len(in.Rows) > 0 { // the periods before
			change = reports.Txt("–")
			if c := reports.Compare(float64(r.Inflow.Now), float64(row.n)); !math.IsNaN(c.Percent) {
				change = reports.Num(math.Round(c.Percent*10) / 10)
			}
		}
		in.Rows = append(in.Rows, []reports.Value{reports.Txt(row.label), num(row.n), change})
	}
	out := []reportSection{{Table: in}}
	for _, k := range []struct {
		id     string
		title  string
		points []cases.InflowPoint
		label  func(time.Time) string
	}{
		{"weekly", "reports.inflow.weekly", r.Weekly, func(t time.Time) string {
			return s.msg.T(lang, "reports.weekOf", map[string]any{"Date": datefmt.Date(t, lang)})
		}},
		{"monthly", "reports.inflow.monthly", r.Monthly, func(t time.Time) string { return t.Format("2006-01") }},
	} {
		t := reports.Table{Title: s.msg.T(lang, k.title), Headers: []string{s.msg.T(lang, "reports.period")}}
		for _, svc := range r.Services {
			t.Headers = append(t.Headers, s.serviceName(lang, svc))
		}
		t.Headers = append(t.Headers, s.msg.T(lang, "reports.total"))
		chart := &reports.Chart{ID: "chart-" + k.id, Title: t.Title, Desc: s.msg.T(lang, "reports.chartDesc")}
		for _, p := range k.points {
			row := []reports.Value{reports.Txt(k.label(p.Start))}
			for _, svc := range r.Services {
				row = append(row, num(p.By[svc]))
			}
			t.Rows = append(t.Rows, append(row, num(p.Total)))
			chart.Bars = append(chart.Bars, reports.Bar{Label: k.label(p.Start), Value: float64(p.Total), Text: strconv.Itoa(p.Total)})
		}
		out = append(out, reportSection{Table: t, Chart: chart})
	}
	for _, k := range []struct {
		id    string
		title string
		rows  []cases.ProcessingComparison
		name  func(string) string
	}{
		{"byService", "reports.processing.byService", r.ByService, func(id string) string { return s.serviceName(lang, id) }},
		{"byHandler", "reports.processing.byHandler", r.ByHandler, func(id string) string { return id }},
	} {
		t := reports.Table{Title: s.msg.T(lang, k.title), Headers: []string{s.msg.T(lang, "reports.group"),
			s.msg.T(lang, "reports.decided"), s.msg.T(lang, "reports.median"), s.msg.T(lang, "reports.p90"), s.msg.T(lang, "reports.onTime"),
			s.msg.T(lang, "reports.medianBefore"), s.msg.T(lang, "reports.medianYearBefore"), s.msg.T(lang, "reports.decidedYearBefore")}}
		chart := &reports.Chart{ID: "chart-" + k.id, Title: t.Title, Desc: s.msg.T(lang, "reports.chartDesc"),
			Legend: []string{s.msg.T(lang, "reports.median"), s.msg.T(lang, "reports.p90")}}
		for _, p := range k.rows {
			t.Rows = append(t.Rows, []reports.Value{reports.Txt(k.name(p.Now.Key)), num(p.Now.Decided), fig(p.Now.Median, 1), fig(p.Now.P90, 1),
				fig(p.Now.Share, 100), fig(p.Before.Median, 1), fig(p.YearBefore.Median, 1), num(p.YearBefore.Decided)})
			if !math.IsNaN(float64(p.Now.Median)) {
				chart.Bars = append(chart.Bars,
					reports.Bar{Label: k.name(p.Now.Key), Value: float64(p.Now.Median), Text: fig(p.Now.Median, 1).String(lang != "en"), Series: 0},
					reports.Bar{Label: k.name(p.Now.Key), Value: float64(p.Now.P90), Text: fig(p.Now.P90, 1).String(lang != "en"), Series: 1})
			}
		}
		out = append(out, reportSection{Table: t, Chart: chart})
	}
	return out
}

func (s *Server) deviationTables(lang string, ds []cases.Deviation) []reportSection {
	t := reports.Table{Title: s.msg.T(lang, "reports.deviations.title"), Headers: []string{s.msg.T(lang, "staff.inbox.service"),
		s.msg.T(lang, "reports.deviation"), s.msg.T(lang, "reports.value"), s.msg.T(lang, "reports.usual")}}
	// The chart: each flag's value beside what is usual (the top of the
	// usual range, the overdue a week ago, the handlers' median queue).
	sec := reportSection{Chart: &reports.Chart{ID: "chart-deviations", Title: s.msg.T(lang, "reports.deviationsChart"),
		Desc: s.msg.T(lang, "reports.chartDesc"), Legend: []string{s.msg.T(lang, "reports.value"), s.msg.T(lang, "reports.usual")}}}
	p := pathsIn(lang)
	for _, d := range ds {
		var what, short, usual string
		var usualValue float64
		switch d.Kind {
		case cases.DeviationSpike:
			what = s.msg.T(lang, "reports.spike", map[string]any{"Week": d.Week})
			short = s.msg.T(lang, "reports.spikeShort")
			usual, usualValue = fmt.Sprintf("%g–%g", d.Low, d.High), d.High
		case cases.DeviationOverdue:
			what = s.msg.T(lang, "reports.overdueGrowth")
			short = s.msg.T(lang, "reports.overdueGrowthShort")
			usual, usualValue = s.msg.T(lang, "reports.weekAgo", map[string]any{"Count": pluralCount(d.Before)}), d.Before
		case cases.DeviationQueue:
			what = s.msg.T(lang, "reports.queue", map[string]any{"Handler": d.Handler})
			short = s.msg.T(lang, "reports.queueShort", map[string]any{"Handler": d.Handler})
			usual, usualValue = s.msg.T(lang, "reports.medianQueue", map[string]any{"Count": pluralCount(d.Median)}), d.Median
		}
		t.Rows = append(t.Rows, []reports.Value{reports.Txt(s.serviceName(lang, d.Service)), reports.Txt(what), reports.Num(d.Value), reports.Txt(usual)})
		sec.Links = append(sec.Links, p.Staff()+"?"+inboxArgs(d.Behind).Encode()) // the cases behind the flag
		label := s.serviceName(lang, d.Service) + ": " + short
		sec.Chart.Bars = append(sec.Chart.Bars,
			reports.Bar{Label: label, Value: d.Value, Text: reports.Num(d.Value).String(lang != "en"), Series: 0},
			reports.Bar{Label: label, Value: usualValue, Text: usual, Series: 1})
	}
	sec.Table = t
	return []reportSection{sec}
}

// answerName is how an answer value of f reads: an option's label,
// yes or no, or the value itself (a postal code, a month, an age group).
func (s *Server) answerName(lang string, f *forms.Field, v string) string {
	if f == nil {
		return v
	}
	if f.Type == forms.TypeCheckbox {
		return s.msg.T(lang, map[string]string{"yes": "reports.yes", "no": "reports.no"}[v])
	}
	for _, o := range f.Options {
		if o.Value == v {
			return o.Label.In(lang)
		}
	}
	return v
}

func conceptLabel(lang, concept string, f *forms.Field) string {
	if f != nil {
		return f.Label.In(lang)
	}
	return concept
}

// cellValue is a protected count as a table value.
func cellValue(c reports.Cell) reports.Value {
	if c.Suppressed {
		return reports.Value{Suppressed: true}
	}
	return reports.Count(c.N)
}

func (s *Server) answerTables(lang string, r *cases.Answers) []reportSection {
	var out []reportSection
	for _, a := range r.Reports {
		label := conceptLabel(lang, a.Concept, a.Field)
		t := reports.Table{Title: label, Headers: []string{s.msg.T(lang, "reports.answer"), s.msg.T(lang, "reports.persons")}}
		chart := &reports.Chart{ID: "chart-" + strings.ReplaceAll(a.Concept, ".", "-"), Title: label, Desc: s.msg.T(lang, "reports.chartDesc")}
		for _, v := range a.Values {
			name := s.answerName(lang, a.Field, v.Value)
			val := cellValue(v.Count)
			t.Rows = append(t.Rows, []reports.Value{reports.Txt(name), val})
			chart.Bars = append(chart.Bars, reports.Bar{Label: name, Value: float64(v.Count.N), Text: val.String(false)})
		}
		out = append(out, reportSection{Table: t, Chart: chart})
		if a.By != "" {
			out = append(out, s.crossSection(lang, a))
		}
	}
	return out
}

// crossSection is the answers of a crossed with another concept or the
// service: a row per answer, a column per answer of the other; in the
// chart a bar per cell, one fill per column (named in the legend when
// there are few enough fills to tell them apart, in each bar's label
// always).
func (s *Server) crossSection(lang string, a cases.AnswerReport) reportSection {
	byLabel, byName := s.msg.T(lang, "reports.byService"), func(v string) string { return s.serviceName(lang, v) }
	if a.By != cases.ByService {
		byLabel = conceptLabel(lang, a.By, a.ByField)
		byName = func(v string) string { return s.answerName(lang, a.ByField, v) }
	}
	title := s.msg.T(lang, "reports.crossTitle", map[string]any{"Concept": conceptLabel(lang, a.Concept, a.Field), "By": byLabel})
	t := reports.Table{Title: title, Headers: []string{s.msg.T(lang, "reports.answer")}}
	chart := &reports.Chart{ID: "chart-cross", Title: title, Desc: s.msg.T(lang, "reports.chartDesc")}
	for _, b := range a.ByValues {
		t.Headers = append(t.Headers, byName(b))
		if len(a.ByValues) <= reports.Fills {
			chart.Legend = append(chart.Legend, byName(b))
		}
	}
	for i, v := range a.Values {
		name := s.answerName(lang, a.Field, v.Value)
		row := []reports.Value{reports.Txt(name)}
		for j, b := range a.ByValues {
			c := a.Cross[i*len(a.ByValues)+j].Count
			val := cellValue(c)
			row = append(row, val)
			chart.Bars = append(chart.Bars, reports.Bar{Label: name + " · " + byName(b), Value: float64(c.N), Text: val.String(false), Series: j})
		}
		t.Rows = append(t.Rows, row)
	}
	return reportSection{Table: t, Chart: chart}
}

// staffReportPage is a report page; without a name the live situation.
func (s *Server) staffReportPage(c *fiber.Ctx) error {
	lang := requestLang(c)
	name := c.Params("name", "situation")
	if name == "" {
		name = "situation"
	}
	if reportTitles[name] == "" {
		return s.staffFail(c, cases.ErrNotFound)
	}
	v := &reportView{Name: name, Concept: c.Query("concept"), From: c.Query("from"), To: c.Query("to"),
		Live: name == "situation", Comma: lang != "en"}
	for _, n := range reportNames {
		u := pathsIn(lang).StaffReport(n)
		v.Tabs = append(v.Tabs, inboxTab{Label: s.msg.T(lang, reportTitles[n]), URL: u, Current: n == name})
	}
	services, err := s.cases.ReportServices(actorRef(session(c)))
	if err != nil {
		return s.staffFail(c, err)
	}
	v.Services = append(v.Services, option{Value: "", Label: s.msg.T(lang, "staff.inbox.allServices")})
	for _, id := range services {
		v.Services = append(v.Services, option{Value: id, Label: s.serviceName(lang, id), Selected: id == c.Query("service")})
	}
	v.Units = append(v.Units, option{Value: "", Label: s.msg.T(lang, "reports.allUnits")})
	for _, u := range s.catalog.Units() {
		for _, id := range services {
			if svc, ok := s.catalog.Service(id); ok && svc.Unit == u.ID {
				v.Units = append(v.Units, option{Value: u.ID, Label: u.Name.In(lang), Selected: u.ID == c.Query("unit")})
				break
			}
		}
	}
	if name == "trends" {
		holders, err := s.dir.RoleHolders()
		if err != nil {
			return err
		}
		v.Handlers = append(v.Handlers, option{Value: "", Label: s.msg.T(lang, "staff.inbox.anyone")})
		seen := map[string]bool{}
		for _, h := range holders {
			if !seen[h.Username] && slices.Contains(services, h.Service) && (h.Role == identity.RoleHandler || h.Role == identity.RoleManager) {
				seen[h.Username] = true
				v.Handlers = append(v.Handlers, option{Value: h.Username, Label: h.Name, Selected: h.Username == c.Query("handler")})
			}
		}
	}
	data, sections, err := s.reportData(c, name)
	switch {
	case err == nil:
	case errors.Is(err, cases.ErrSinglesOut):
		v.Refused = s.msg.T(lang, "reports.singlesOut")
	default:
		return s.staffFail(c, err)
	}
	if a, ok := data.(*cases.Answers); ok {
		v.Concepts = append(v.Concepts, option{Value: "", Label: s.msg.T(lang, "reports.allConcepts")})
		v.By = append(v.By, option{Value: "", Label: s.msg.T(lang, "reports.byNothing")},
			option{Value: cases.ByService, Label: s.msg.T(lang, "reports.byService"), Selected: c.Query("by") == cases.ByService})
		for _, k := range a.Concepts {
			label := k
			if fl := a.Fields[k]; fl != nil {
				label = fl.Label.In(lang) + " (" + k + ")"
			}
			v.Concepts = append(v.Concepts, option{Value: k, Label: label, Selected: k == v.Concept})
			v.By = append(v.By, option{Value: k, Label: label, Selected: k == c.Query("by")})
		}
	}
	q := c.Request().URI().QueryArgs()
	for i := range sections {
		download := func(format string) string {
			args := url.Values{}
			for k, val := range q.All() {
				args.Set(string(k), string(val))
			}
			args.Set("format", format)
			args.Set("table", strconv.Itoa(i))
			return "/api/v1/reports/" + name + "?" + args.Encode()
		}
		sections[i].CSV, sections[i].CSVSemicolon, sections[i].XLSX = download("csv"), download("csv-semicolon"), download("xlsx")
	}
	v.Sections = sections
	return s.render(c, fiber.StatusOK, s.page(c, "staff-reports", reportTitles[name], v))
}

// apiReport is GET /api/v1/reports/{name}: JSON, or with format=csv
// (csv-semicolon: the ';' variant) or xlsx one table (table=, from 0).
func (s *Server) apiReport(c *fiber.Ctx) error {
	name := c.Params("name")
	data, sections, err := s.reportData(c, name)
	if err != nil {
		if errors.Is(err, cases.ErrSinglesOut) {
			return s.fail(c, fiber.StatusUnprocessableEntity, "singles-out", "reports.singlesOut")
		}
		return s.staffFail(c, err)
	}
	format := c.Query("format")
	if format == "" || format == "json" {
		return c.JSON(data)
	}
	i, _ := strconv.Atoi(c.Query("table", "0"))
	if i < 0 || i >= len(sections) {
		return s.fail(c, fiber.StatusNotFound, "not-found", "error.notFound")
	}
	t := sections[i].Table
	var buf bytes.Buffer
	file := name + "-" + strconv.Itoa(i)
	switch format {
	case "csv", "csv-semicolon":
		sep := ','
		if format == "csv-semicolon" {
			sep = ';'
		}
		if err := reports.WriteCSV(&buf, t, sep); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		file += ".csv"
	case "xlsx":
		if err := reports.WriteXLSX(&buf, t); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		file += ".xlsx"
	default:
		return s.fail(c, fiber.StatusBadRequest, "bad-format", "error.badRequest")
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+file+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}
