package web

import (
	"errors"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"asiointi/server/cases"
)

// Lists page (README "Lists that page"): ?cursor= is the next of the page
// before and ?limit= how many entries (default cases.DefaultPageSize, at
// most cases.MaxPageSize). The JSON API answers the page's array as
// before, with a Link header (rel="next") and X-Next-Cursor when a page
// follows; the pages link to the next one.

// errBadPage answers a cursor or limit this server did not hand out.
var errBadPage = errors.New("web: bad page request")

// listPage reads the page a list request asks for.
func listPage(c *fiber.Ctx) (cases.Page, error) {
	p := cases.Page{Cursor: c.Query("cursor")}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return p, errBadPage
		}
		p.Limit = n
	}
	return p, nil
}

// nextPageURL is the URL of the page after this one, at path (its
// language included), or "" when next is "".
func nextPageURL(path, next string, p cases.Page) string {
	if next == "" {
		return ""
	}
	q := url.Values{"cursor": {next}}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Size()))
	}
	return path + "?" + q.Encode()
}

// setNextPage tells an API client where the next page is.
func setNextPage(c *fiber.Ctx, path, next string, p cases.Page) {
	if next == "" {
		return
	}
	c.Set(fiber.HeaderLink, "<"+nextPageURL(path, next, p)+`>; rel="next"`)
	c.Set("X-Next-Cursor", next)
}

// pageFail answers a bad cursor or limit (400), or passes err on.
func (s *Server) pageFail(c *fiber.Ctx, err error) error {
	if errors.Is(err, errBadPage) || errors.Is(err, cases.ErrBadCursor) {
		return s.fail(c, fiber.StatusBadRequest, "bad-request", "error.badRequest")
	}
	return err
}
