package web

import (
	"github.com/gofiber/fiber/v2"

	"asiointi/server/catalog"
	"asiointi/server/identity"
)

var onBehalfMsg = map[string]string{
	catalog.OnBehalfAlone:        "service.onBehalf.alone",
	catalog.OnBehalfGuardian:     "service.onBehalf.guardian",
	catalog.OnBehalfMandate:      "service.onBehalf.mandate",
	catalog.OnBehalfOrganization: "service.onBehalf.organization",
	catalog.OnBehalfAllParties:   "service.onBehalf.all-parties",
}

// serviceView is the data of pages/service.html.
type serviceView struct {
	ID, Name, Summary, WhoFor, ProcessingTime, Price, LegalBasis, Contact string
	Description, Needs                                                    []string
	Status, StatusText, OnBehalfText                                      string
	Open                                                                  bool
	CanStart                                                              bool   // the logged-in resident may start it
	Refusal                                                               string // why they may not
}

func (s *Server) servicePage(c *fiber.Ctx) error {
	svc, ok := s.catalog.Service(c.Params("id"))
	if !ok {
		return fiber.ErrNotFound
	}
	lang := requestLang(c)
	a := svc.AvailabilityAt(s.now())
	status, statusText := s.availabilityText(lang, a)
	var needs []string
	for _, n := range svc.Needs {
		needs = append(needs, n.In(lang))
	}
	data := &serviceView{
		ID: svc.ID, Name: svc.Name.In(lang), Summary: svc.Summary.In(lang),
		Description: svc.Description.Paragraphs(lang), WhoFor: svc.WhoFor.In(lang), Needs: needs,
		ProcessingTime: svc.ProcessingTime.In(lang), Price: svc.Price.In(lang),
		LegalBasis: svc.LegalBasis.In(lang), Contact: svc.Contact.In(lang),
		Status: status, StatusText: statusText, Open: a.Open,
		OnBehalfText: s.msg.T(lang, onBehalfMsg[svc.OnBehalf]),
	}
	if sess := session(c); sess != nil && sess.Kind == identity.Resident {
		err := s.cases.MayApply(svc.ID, actorRef(sess), principalRef(sess))
		msg, refused := onBehalfMessage(err)
		if err != nil && !refused {
			return err
		}
		data.CanStart = err == nil
		if refused {
			data.Refusal = s.msg.T(lang, msg)
		}
	}
	p := s.page(c, "service", "", data)
	p.Title = svc.Name.In(lang)
	p.Description = svc.Summary.In(lang)
	return s.render(c, fiber.StatusOK, p)
}
