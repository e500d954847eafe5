package web

import (
	"html/template"

	"asiointi/server/render"
)

// writeFrontContent is the front page's content: the search,
// the services, life events and categories. The front page is the one
// everybody opens; like the frame it is written in Go, with html/template's
// escaping (render.HTML).
func writeFrontContent(h *render.HTML, p *Page) {
	v := p.Data.(*frontView)
	h.Grow(4<<10 + 300*len(v.Services))
	h.Raw("\n<section class=\"hero\" aria-labelledby=\"front-title\">\n<h1 id=\"front-title\">")
	h.Text(p.T("front.title", "Municipality", p.M(p.Muni.ShortName)))
	h.Raw("</h1>\n<p class=\"lead\">")
	h.Text(p.M(p.Muni.Slogan))
	h.Raw("</p>\n<form class=\"search\" method=\"get\" action=\"")
	h.URL(p.Paths.Services())
	h.Raw("\" role=\"search\">\n<label for=\"q\">")
	h.Text(p.T("services.searchLabel"))
	h.Raw("</label>\n<div class=\"search-row\"><input type=\"search\" id=\"q\" name=\"q\" maxlength=\"100\" autocomplete=\"off\"><button type=\"submit\" class=\"btn\">")
	h.Text(p.T("services.search"))
	h.Raw("</button></div>\n</form>\n")
	if p.Session == nil {
		h.Raw("<p>")
		h.Text(p.T("front.loginHint"))
		h.Raw(` <a href="`)
		h.URL(p.Paths.Login(""))
		h.Raw(`">`)
		h.Text(p.T("front.login"))
		h.Raw("</a></p>")
	}
	h.Raw("\n</section>\n<section aria-labelledby=\"front-services\">\n<h2 id=\"front-services\">")
	h.Text(p.T("front.services"))
	h.Raw("</h2>\n")
	writeServiceCards(h, v.Services)
	h.Raw("\n<p><a href=\"")
	h.URL(p.Paths.Services())
	h.Raw(`">`)
	h.Text(p.T("front.allServices"))
	h.Raw("</a></p>\n</section>\n<section aria-labelledby=\"front-events\">\n<h2 id=\"front-events\">")
	h.Text(p.T("front.lifeEvents"))
	h.Raw("</h2>\n<ul class=\"tiles\">")
	for _, e := range v.LifeEvents {
		h.Raw(`<li><a href="`)
		h.URL(p.Paths.ServicesForEvent(e.ID))
		h.Raw(`"><span class="tile-title">`)
		h.Text(e.Name)
		h.Raw("</span>")
		if e.Summary != "" {
			h.Raw(` <span class="tile-text">`)
			h.Text(e.Summary)
			h.Raw("</span>")
		}
		h.Raw("</a></li>")
	}
	h.Raw("</ul>\n</section>\n<section aria-labelledby=\"front-cats\">\n<h2 id=\"front-cats\">")
	h.Text(p.T("front.categories"))
	h.Raw("</h2>\n<ul class=\"link-list\">")
	for _, k := range v.Categories {
		h.Raw(`<li><a href="`)
		h.URL(p.Paths.ServicesInCategory(k.ID))
		h.Raw(`">`)
		h.Text(k.Name)
		h.Raw("</a></li>")
	}
	h.Raw("</ul>\n</section>\n<section aria-labelledby=\"front-help\">\n<h2 id=\"front-help\">")
	h.Text(p.T("front.helpTitle"))
	h.Raw("</h2>\n<p>")
	h.Text(p.T("front.help"))
	h.Raw("</p>\n</section>\n")
}

// serviceCards is a list of services as cards (the template function of
// pages/services.html; the front page writes them in frontContent).
func serviceCards(cards []ServiceCard) template.HTML {
	var h render.HTML
	h.Grow(300 * len(cards))
	writeServiceCards(&h, cards)
	return h.HTML()
}

func writeServiceCards(h *render.HTML, cards []ServiceCard) {
	h.Raw(`<ul class="cards">`)
	for _, c := range cards {
		h.Raw("<li class=\"card\">\n<h3 class=\"card-title\"><a href=\"")
		h.URL(c.URL)
		h.Raw(`">`)
		h.Text(c.Name)
		h.Raw("</a></h3>\n<p>")
		h.Text(c.Summary)
		h.Raw("</p>\n<p class=\"card-meta\"><span class=\"status status-")
		h.Text(c.Status)
		h.Raw(`">`)
		h.Text(c.StatusText)
		h.Raw("</span></p>\n</li>")
	}
	h.Raw("</ul>")
}
