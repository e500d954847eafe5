package web

import (
	"html/template"
	"sync"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/render"
)

// The page frame (layout.html calls these three in order, around the
// page's "head" and "content" templates) is written in Go: it is on every
// page, and as a template its ~100 values cost a reflective call each,
// escaper included, which was most of a small page's time. The escaping is
// html/template's (render.HTML), so the bytes are what the template wrote.

// layoutStart, layoutTop and layoutEnd are the frame's parts as template
// functions, for the pages still written as templates.
func layoutStart(p *Page) template.HTML { return htmlOf(2<<10, p, writeLayoutStart) }
func layoutTop(p *Page) template.HTML   { return htmlOf(6<<10, p, writeLayoutTop) }
func layoutEnd(p *Page) template.HTML   { return htmlOf(3<<10, p, writeLayoutEnd) }

func htmlOf(size int, p *Page, write func(*render.HTML, *Page)) template.HTML {
	var h render.HTML
	h.Grow(size)
	write(&h, p)
	return h.HTML()
}

// htmlBuffers are the buffers pages written in Go are written into
// (renderGo): a step page is 16 KB, and making that room on every request
// was a large part of what the page allocated.
var htmlBuffers = sync.Pool{New: func() any { return new(render.HTML) }}

// renderGo writes a page that is written in Go from its frame to its
// content, as layout.html would with the page's "head" (head, may be nil)
// and "content" templates: the busiest pages (a form's step, the front
// page) skip the template engine, whose reflective calls and buffers were
// a large part of their cost. The bytes are what the templates wrote.
func (s *Server) renderGo(c *fiber.Ctx, status int, p *Page, head, content func(*render.HTML, *Page)) error {
	s.pageHeaders(c, status, p)
	h := htmlBuffers.Get().(*render.HTML)
	h.Reset()
	h.Grow(16 << 10)
	writeLayoutStart(h, p)
	if head != nil {
		head(h, p)
	}
	writeLayoutTop(h, p)
	content(h, p)
	writeLayoutEnd(h, p)
	h.Raw("\n")
	_, err := c.Write(h.Bytes())
	if cap(h.Bytes()) <= 1<<20 { // a huge page's buffer is not kept
		htmlBuffers.Put(h)
	}
	return err
}

// writeErrorSummary is the error summary of a page (partials/errors.html's
// "errorSummary", which the pages still written as templates use): the
// page's ErrorIntro and Errors, each linking to its field on this page or
// to its URL.
func writeErrorSummary(h *render.HTML, p *Page) {
	if len(p.Errors) == 0 && p.ErrorIntro == "" {
		return
	}
	h.Raw("<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" id=\"error-summary\" aria-labelledby=\"error-summary-title\">\n<h2 id=\"error-summary-title\">")
	h.Text(p.T("form.errorSummary"))
	h.Raw("</h2>\n")
	if p.ErrorIntro != "" {
		h.Raw("<p>")
		h.Text(p.ErrorIntro)
		h.Raw("</p>\n")
	}
	if len(p.Errors) > 0 {
		h.Raw("<ul>")
		for _, e := range p.Errors {
			h.Raw(`<li><a href="`)
			if e.URL != "" {
				h.URL(e.URL)
			} else {
				h.Raw("#")
				h.URLEscaped(e.Field)
			}
			h.Raw(`">`)
			h.Text(e.Message)
			h.Raw("</a></li>")
		}
		h.Raw("</ul>\n")
	}
	h.Raw("</div>")
}

// writeLayoutStart is the document up to the end of the common <head>.
func writeLayoutStart(h *render.HTML, p *Page) {
	h.Raw("<!doctype html>\n<html lang=\"")
	h.Text(p.Lang)
	h.Raw("\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	if len(p.Errors) > 0 || p.ErrorIntro != "" {
		h.Text(p.T("field.errorPrefix"))
		h.Raw(" ")
	}
	if p.Title != "" {
		h.Text(p.Title)
		h.Raw(" – ")
	}
	h.Text(p.M(p.Muni.ShortName))
	h.Raw(" · ")
	h.Text(p.T("app.shortName"))
	h.Raw("</title>\n<meta name=\"description\" content=\"")
	h.Text(p.Description)
	h.Raw("\">\n<meta name=\"theme-color\" content=\"")
	h.Text(p.Muni.PrimaryColor)
	h.Raw("\">\n")
	if p.Kiosk && p.Session != nil {
		h.Raw(`<noscript><meta http-equiv="refresh" content="`)
		h.Int(p.IdleSeconds)
		h.Raw("; url=")
		h.Text(p.Paths.TimedOut())
		h.Raw("\"></noscript>\n")
	}
	for _, a := range p.Alternates {
		h.Raw(`<link rel="alternate" hreflang="`)
		h.Text(a.Lang)
		h.Raw(`" href="`)
		h.URL(a.AbsURL)
		h.Raw("\">\n")
	}
	h.Raw(`<link rel="stylesheet" href="`)
	h.URL(p.Asset("css/app.css"))
	h.Raw("\">\n<link rel=\"stylesheet\" href=\"")
	h.URL(p.Asset("css/print.css"))
	h.Raw("\" media=\"print\">\n")
	if !p.Kiosk {
		h.Raw("<link rel=\"manifest\" href=\"/manifest.webmanifest\">\n")
	}
	icon := p.Asset("icons/icon-192.png")
	h.Raw(`<link rel="icon" href="`)
	h.URL(icon)
	h.Raw("\" type=\"image/png\">\n<link rel=\"apple-touch-icon\" href=\"")
	h.URL(icon)
	h.Raw("\">\n<script type=\"module\" src=\"")
	h.URL(p.Asset("js/app.js"))
	h.Raw(`" nonce="`)
	h.Text(p.Nonce)
	h.Raw("\"></script>\n")
}

// writeLayoutTop ends the <head> and writes the header (the brand, languages,
// account, navigation), the acting-for banner and the start of <main>.
func writeLayoutTop(h *render.HTML, p *Page) {
	h.Raw("</head>\n<body class=\"page-")
	h.Text(p.Name)
	h.Raw(`" data-lang="`)
	h.Text(p.Lang)
	h.Raw(`"`)
	if p.Kiosk {
		h.Raw(` data-kiosk="1"`)
	}
	if p.Session != nil {
		h.Raw(` data-idle="`)
		h.Int(p.IdleSeconds)
		h.Raw(`" data-warn="`)
		h.Int(p.WarnSeconds)
		h.Raw(`" data-live-since="`)
		h.Text(p.LiveSince)
		h.Raw(`"`)
	}
	if p.Personal {
		h.Raw(` data-personal="1"`)
	}
	h.Raw(">\n<a class=\"skip\" href=\"#main\">")
	h.Text(p.T("layout.skip"))
	h.Raw("</a>\n<header class=\"site-header")
	if p.Session != nil {
		h.Raw(" site-header-session")
	}
	h.Raw("\">\n")
	if p.Demo {
		h.Raw(`<p class="banner banner-demo">`)
		h.Text(p.T("layout.demoBanner"))
		h.Raw("</p>\n")
	}
	if p.Kiosk {
		h.Raw(`<p class="banner banner-kiosk">`)
		h.Text(p.T("layout.kioskBanner"))
		h.Raw("</p>\n")
	}
	h.Raw("<div class=\"wrap header-inner\">\n<a class=\"brand\" href=\"")
	h.URL(p.Paths.Home())
	h.Raw(`">`)
	if logo := p.LogoURL(); logo != "" {
		h.Raw(`<img src="`)
		h.URL(logo)
		h.Raw(`" alt="" width="`)
		h.Int(p.LogoWidth(36))
		h.Raw(`" height="36">`)
	}
	h.Raw(`<span class="brand-name">`)
	h.Text(p.M(p.Muni.ShortName))
	h.Raw(`</span><span class="brand-sub">`)
	h.Text(p.T("app.shortName"))
	h.Raw("</span></a>\n<nav class=\"lang-nav")
	if p.Session != nil {
		h.Raw(" wide-only")
	}
	h.Raw(`" aria-label="`)
	h.Text(p.T("layout.langNav"))
	h.Raw(`"><ul>`)
	for _, a := range p.Alternates {
		h.Raw("<li")
		if a.Current {
			h.Raw(` class="lang-current"`)
		}
		h.Raw(`><a href="`)
		h.URL(a.URL)
		h.Raw(`" lang="`)
		h.Text(a.Lang)
		h.Raw(`" hreflang="`)
		h.Text(a.Lang)
		h.Raw(`"`)
		if a.Current {
			h.Raw(` aria-current="page"`)
		}
		h.Raw(">")
		h.Text(a.Label)
		h.Raw("</a></li>")
	}
	h.Raw("</ul></nav>\n<div class=\"account\">")
	if p.Session != nil {
		h.Raw(`<a class="bell" id="bell" data-live href="`)
		h.URL(p.Paths.Notifications())
		h.Raw(`"`)
		if p.Name == "notifications" {
			h.Raw(` aria-current="page"`)
		}
		h.Raw(`><svg aria-hidden="true" focusable="false" width="20" height="20" viewBox="0 0 24 24"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"/></svg><span class="bell-label">`)
		h.Text(p.T("notifications.title"))
		h.Raw(`</span><span class="bell-count" aria-hidden="true"`)
		if p.Unread == 0 {
			h.Raw(" hidden")
		}
		h.Raw(">")
		h.Int(p.Unread)
		h.Raw(`</span><span class="visually-hidden bell-unread">`)
		if p.Unread != 0 {
			h.Text(p.T("notifications.unreadCount", "Count", p.Unread))
		}
		h.Raw("</span></a>\n<span class=\"who wide-only\"><span class=\"visually-hidden\">")
		h.Text(p.T("layout.loggedInAs"))
		h.Raw(" </span>")
		h.Text(p.Session.Name)
		h.Raw("</span>\n<form method=\"post\" action=\"")
		h.URL(p.Paths.Logout())
		h.Raw(`" class="logout-form wide-only"><input type="hidden" name="_csrf" value="`)
		h.Text(p.CSRF)
		h.Raw(`"><button type="submit" class="btn btn-secondary btn-small">`)
		h.Text(p.T("layout.logout"))
		h.Raw("</button></form>")
	} else {
		h.Raw(`<a class="btn btn-small" href="`)
		h.URL(p.Paths.Login(""))
		h.Raw(`">`)
		h.Text(p.T("layout.login"))
		h.Raw("</a>")
	}
	h.Raw("</div>\n</div>\n")
	if p.Session != nil {
		h.Raw(`<nav class="main-nav wide-only" aria-label="`)
		h.Text(p.T("layout.mainNav"))
		h.Raw(`"><div class="wrap"><ul>`)
		writeNav(h, p)
		// On a phone the menu button holds the navigation, the languages
		// and logging out; a <details> works without JavaScript. It comes
		// after the bar of wider screens, so the first link of a kind in
		// the page is the one shown there; the stylesheet puts its button
		// in the brand's row (one row).
		h.Raw("</ul></div></nav>\n<details class=\"menu narrow-only\"><summary class=\"menu-button\"><svg aria-hidden=\"true\" focusable=\"false\" width=\"20\" height=\"20\" viewBox=\"0 0 24 24\"><path fill=\"currentColor\" d=\"M3 5h18v2.5H3zm0 5.75h18v2.5H3zM3 16.5h18V19H3z\"/></svg>")
		h.Text(p.T("layout.menu"))
		h.Raw("</summary>\n<div class=\"menu-panel\"><nav aria-label=\"")
		h.Text(p.T("layout.mainNav"))
		h.Raw(`"><ul>`)
		writeNav(h, p)
		h.Raw("</ul></nav>\n<ul class=\"menu-langs\">")
		for _, a := range p.Alternates {
			if a.Current {
				continue
			}
			h.Raw(`<li><a href="`)
			h.URL(a.URL)
			h.Raw(`" lang="`)
			h.Text(a.Lang)
			h.Raw(`" hreflang="`)
			h.Text(a.Lang)
			h.Raw(`">`)
			h.Text(a.Label)
			h.Raw("</a></li>")
		}
		h.Raw("</ul>\n<p class=\"menu-who\">")
		h.Text(p.T("layout.loggedInAs"))
		h.Raw(" ")
		h.Text(p.Session.Name)
		h.Raw("</p>\n<form method=\"post\" action=\"")
		h.URL(p.Paths.Logout())
		h.Raw(`" class="logout-form"><input type="hidden" name="_csrf" value="`)
		h.Text(p.CSRF)
		h.Raw(`"><button type="submit" class="btn btn-secondary btn-small">`)
		h.Text(p.T("layout.logout"))
		h.Raw("</button></form>\n</div></details>")
	}
	h.Raw("\n</header>\n")
	if p.Session != nil && p.Session.ActingFor != "" {
		// One line on a phone: a short label, the name (cut with an
		// ellipsis only where it cannot fit; the whole name stays in the
		// text) and a short switch-back whose accessible name goes on to
		// say what it does.
		h.Raw("<div class=\"banner banner-acting\" role=\"status\"><div class=\"wrap\">\n<p>")
		h.Text(p.T("layout.actingFor"))
		h.Raw(` <strong class="acting-name">`)
		h.Text(p.Session.ActingName)
		h.Raw(`</strong></p> <form method="post" action="`)
		h.URL(p.Paths.ActingFor(""))
		h.Raw(`"><input type="hidden" name="_csrf" value="`)
		h.Text(p.CSRF)
		h.Raw(`"><input type="hidden" name="principal" value=""><button type="submit" class="link-button">`)
		h.Text(p.T("layout.switchBack"))
		h.Raw(`<span class="visually-hidden"> `)
		h.Text(p.T("layout.switchBackRest"))
		h.Raw("</span></button></form></div></div>\n")
	}
	h.Raw("<main id=\"main\" tabindex=\"-1\" class=\"wrap\">\n")
}

// writeLayoutEnd ends <main> and writes the footer and, for a session, the
// idle warning, up to </html> (layout.html ends the line).
func writeLayoutEnd(h *render.HTML, p *Page) {
	h.Raw("\n</main>\n<footer class=\"site-footer\"><div class=\"wrap\">\n<p class=\"footer-name\">")
	h.Text(p.M(p.Muni.Name))
	h.Raw("</p>\n<p>")
	h.Text(p.M(p.Muni.Address))
	h.Raw("<br>")
	h.Text(p.T("layout.phone"))
	h.Raw(` <a href="tel:`)
	h.URLPart(p.Muni.Phone)
	h.Raw(`">`)
	h.Text(p.Muni.Phone)
	h.Raw(`</a> · <a href="mailto:`)
	h.URLPart(p.Muni.Email)
	h.Raw(`">`)
	h.Text(p.Muni.Email)
	h.Raw("</a></p>\n<p class=\"opening-hours\">")
	h.Text(p.M(p.Muni.OpeningHours))
	h.Raw("</p>\n<nav aria-label=\"")
	h.Text(p.T("layout.footerNav"))
	h.Raw("\"><ul class=\"footer-links\">\n")
	for _, l := range [...]struct{ url, text string }{
		{p.Paths.Accessibility(), "layout.footer.accessibility"},
		{p.Paths.Privacy(), "layout.footer.privacy"},
		{p.Paths.Help(), "layout.footer.help"},
		{p.Paths.FeedbackAbout("/" + p.Lang + p.Path), "layout.footer.feedback"},
	} {
		h.Raw(`<li><a href="`)
		h.URL(l.url)
		h.Raw(`">`)
		h.Text(p.T(l.text))
		h.Raw("</a></li>\n")
	}
	h.Raw("</ul></nav>\n</div></footer>\n")
	if p.Session != nil {
		h.Raw("<div id=\"idle-warning\" class=\"idle-warning\" role=\"alertdialog\" aria-modal=\"true\" aria-labelledby=\"idle-title\" aria-describedby=\"idle-body\" hidden>\n<div class=\"idle-box\"><h2 id=\"idle-title\">")
		h.Text(p.T("idle.title"))
		h.Raw("</h2>\n<p id=\"idle-body\">")
		h.Text(p.T("idle.body"))
		h.Raw("</p>\n<p class=\"actions\"><button type=\"button\" class=\"btn\" id=\"idle-continue\">")
		h.Text(p.T("idle.continue"))
		h.Raw("</button>\n<button type=\"button\" class=\"btn btn-secondary\" id=\"idle-logout\">")
		h.Text(p.T("layout.logout"))
		h.Raw("</button></p></div></div>\n<form method=\"post\" action=\"")
		h.URL(p.Paths.Logout())
		h.Raw(`" id="idle-logout-form" hidden><input type="hidden" name="_csrf" value="`)
		h.Text(p.CSRF)
		h.Raw("\"></form>\n")
	}
	h.Raw("</body>\n</html>")
}

// writeNav writes the main navigation's items: a staff member's, or a
// resident's (invitations only while some wait, or on their page).
func writeNav(h *render.HTML, p *Page) {
	item := func(url, text, page string) {
		h.Raw(`<li><a href="`)
		h.URL(url)
		h.Raw(`"`)
		if page != "" && p.Name == page {
			h.Raw(` aria-current="page"`)
		}
		h.Raw(">")
		h.Text(p.T(text))
	}
	if p.IsStaff() {
		item(p.Paths.Staff(), "staff.inbox.title", "staff-inbox")
		h.Raw("</a></li>")
		item(p.Paths.StaffReport("situation"), "reports.title", "staff-reports")
		h.Raw("</a></li>")
		item(p.Paths.Home(), "nav.front", "")
		h.Raw("</a></li>")
		if !p.Kiosk {
			item(p.Paths.Kiosk(), "kiosk.title", "")
			h.Raw("</a></li>")
		}
		item(p.Paths.StaffFeedback(), "staffFeedback.title", "staff-feedback")
		h.Raw("</a></li>")
		return
	}
	item(p.Paths.My(), "nav.my", "my")
	h.Raw("</a></li>")
	item(p.Paths.Services(), "nav.services", "services")
	h.Raw("</a></li>")
	item(p.Paths.Drafts(), "nav.drafts", "drafts")
	h.Raw("</a></li>")
	item(p.Paths.Cases(), "nav.cases", "cases")
	h.Raw("</a></li>")
	if p.ToApprove != 0 || p.Name == "invitations" {
		item(p.Paths.Invitations(), "invitations.title", "invitations")
		if p.ToApprove != 0 {
			h.Raw(` <span class="nav-count">`)
			h.Text(p.T("nav.invitationsWaiting", "Count", p.ToApprove))
			h.Raw("</span>")
		}
		h.Raw("</a></li>")
	}
	item(p.Paths.ActingFor(""), "nav.acting", "acting")
	h.Raw("</a></li>")
}
