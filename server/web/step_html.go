package web

import "asiointi/server/render"

// writeStepHead is what a step page adds to the <head>: its scripts and
// the style sheet of pages without JavaScript.
func writeStepHead(h *render.HTML, p *Page) {
	h.Raw(`<script type="module" nonce="`)
	h.Text(p.Nonce)
	h.Raw(`" src="`)
	h.URL(p.Asset("js/form.js"))
	h.Raw("\"></script>\n<noscript><link rel=\"stylesheet\" href=\"")
	h.URL(p.Asset("css/nojs.css"))
	h.Raw("\"></noscript>\n")
}

// writeStepContent is a step page's content: the error summary and the
// form.
func writeStepContent(h *render.HTML, p *Page) {
	writeErrorSummary(h, p)
	h.Raw("\n")
	writeStepForm(h, p)
}

// writeStepForm is the form of a step page (after the error summary): the conflict panel, the step indicator, the fields and the
// buttons. Like the fields and the frame it is written in Go, with
// html/template's escaping (render.HTML): a step page is the platform's
// busiest page.
func writeStepForm(h *render.HTML, p *Page) {
	v := p.Data.(*stepView)
	h.Grow(4<<10 + 700*len(v.Fields))
	h.Raw(`<div id="conflict-panel" class="conflict-panel" role="region" aria-labelledby="conflict-title" tabindex="-1" hidden data-mine="`)
	h.Text(p.T("conflict.mine"))
	h.Raw(`" data-saved="`)
	h.Text(p.T("conflict.saved"))
	h.Raw(`" data-none="`)
	h.Text(p.T("summary.notAnswered"))
	h.Raw(`" data-yes="`)
	h.Text(p.T("form.summary.yes"))
	h.Raw(`" data-no="`)
	h.Text(p.T("form.summary.no"))
	h.Raw("\">\n<h2 id=\"conflict-title\">")
	h.Text(p.T("conflict.title"))
	h.Raw("</h2>\n<p>")
	h.Text(p.T("conflict.jsIntro"))
	h.Raw("</p>\n<ul id=\"conflict-list\"></ul>\n<p class=\"actions\"><button type=\"button\" class=\"btn\" id=\"conflict-keep\">")
	h.Text(p.T("conflict.keep"))
	h.Raw(`</button> <button type="button" class="btn btn-secondary" id="conflict-saved">`)
	h.Text(p.T("conflict.useSaved"))
	h.Raw("</button></p>\n</div>\n<form id=\"step-form\" class=\"step-form\" method=\"post\" action=\"")
	h.URL(v.Action)
	h.Raw(`" novalidate`)
	if v.Multipart {
		h.Raw(` enctype="multipart/form-data"`)
	}
	h.Raw(` data-draft="`)
	h.Text(v.DraftID)
	h.Raw(`" data-step="`)
	h.Int(v.Number)
	h.Raw(`" data-spec="`)
	writeSpec(h, v.Spec)
	for _, m := range [...]struct{ name, text string }{
		{"saved", v.Status.Saved}, {"saving", v.Status.Saving}, {"offline", v.Status.Offline},
		{"failed", v.Status.Failed}, {"full", v.Status.Full}, {"problem", v.Status.Problem},
		{"error", p.T("field.errorPrefix")},
	} {
		h.Raw(`" data-msg-` + m.name + `="`)
		h.Text(m.text)
	}
	next := p.T("step.continue")
	h.Raw("\">\n<button type=\"submit\" name=\"action\" value=\"next\" class=\"visually-hidden\" tabindex=\"-1\" aria-hidden=\"true\">")
	h.Text(next)
	h.Raw("</button>\n<input type=\"hidden\" name=\"_csrf\" value=\"")
	h.Text(p.CSRF)
	h.Raw("\">\n<input type=\"hidden\" name=\"version\" value=\"")
	h.Int(v.Version)
	h.Raw("\" id=\"draft-version\">\n<input type=\"hidden\" name=\"_base\" value=\"")
	h.Text(v.Base)
	h.Raw("\">\n<p class=\"caption\">")
	h.Text(v.Service)
	if v.Principal != "" {
		h.Raw(` <span class="caption-for">`)
		h.Text(p.T(v.Words.StepFor, "Name", v.Principal))
		h.Raw("</span>")
	}
	h.Raw("</p>\n<h1><span class=\"step-of\">")
	h.Text(p.T("step.of", "N", v.Number, "Total", v.Count))
	h.Raw(`<span class="visually-hidden">:</span></span> `)
	h.Text(v.Title)
	h.Raw("</h1>\n<nav class=\"step-nav\" aria-label=\"")
	h.Text(p.T(v.Words.StepsLabel))
	h.Raw(`"><ol>`)
	for _, s := range v.Steps {
		h.Raw("\n<li")
		if s.Current {
			h.Raw(` class="step-current" aria-current="step"`)
		} else if s.Visited {
			h.Raw(` class="step-visited"`)
		}
		h.Raw(">")
		if s.Visited && !s.Current {
			h.Raw(`<button type="submit" name="action" value="`)
			h.Text(s.Goto)
			h.Raw("\" class=\"link-button\">\n<span class=\"step-title\">")
			h.Text(s.Title)
			h.Raw("</span></button>")
		} else {
			h.Raw(`<span><span class="step-title">`)
			h.Text(s.Title)
			h.Raw("</span></span>")
		}
		h.Raw("</li>")
	}
	h.Raw("\n</ol></nav>\n<div class=\"fields\">\n")
	for _, f := range v.Fields {
		writeField(h, f)
	}
	h.Raw("</div>\n<div class=\"form-actions\">\n<button type=\"submit\" name=\"action\" value=\"next\" class=\"btn btn-large\">")
	h.Text(next)
	h.Raw("</button>\n")
	if !v.First {
		h.Raw(`<button type="submit" name="action" value="back" class="btn btn-secondary">`)
		h.Text(p.T("step.back"))
		h.Raw("</button>\n")
	}
	h.Raw("<p id=\"autosave-status\" class=\"autosave\" role=\"status\" aria-live=\"polite\"></p>\n</div>\n<p class=\"later\"><button type=\"submit\" name=\"action\" value=\"later\" class=\"btn-link\">")
	h.Text(p.T("step.later"))
	h.Raw("</button></p>\n")
	if v.Closes != "" {
		h.Raw(`<p class="hint">`)
		h.Text(v.Closes)
		h.Raw("</p>")
	}
	h.Raw("\n</form>\n<p class=\"form-help\"><a href=\"")
	h.URL(p.Paths.HelpSection("forms"))
	h.Raw(`">`)
	h.Text(p.T("step.helpLink"))
	h.Raw("</a>")
	if v.First {
		h.Raw(` · <a href="`)
		h.URL(p.Paths.ServicePrivacy(v.ServiceID))
		h.Raw(`">`)
		h.Text(p.T("service.privacyLink"))
		h.Raw("</a>")
	}
	h.Raw("</p>\n")
}

// writeSpec writes data-spec's value: the step's fields as
// encoding/json writes the list of their fieldSpecs ("null" for none),
// escaped, from each field's entry kept escaped (Server.specHTML).
func writeSpec(h *render.HTML, spec []string) {
	if spec == nil {
		h.Raw("null")
		return
	}
	h.Raw("[")
	for i, sp := range spec {
		if i > 0 {
			h.Raw(",")
		}
		h.Raw(sp)
	}
	h.Raw("]")
}
