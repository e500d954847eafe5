package web

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"asiointi/i18n"
	"asiointi/server/forms"
)

// Request bodies (issue 7 item 4). The server streams bodies
// (StreamRequestBody): nothing is read before readBody, which runs once
// the session is known and reads each body within a limit that depends on
// who asks for what:
//   - a visitor who is not logged in: anonBodyLimit (logins are small);
//   - a logged-in person: sessionBodyLimit (autosaves, page posts);
//   - a logged-in person's upload (a multipart post to the two routes that
//     take files): uploadBodyLimit, spooled to a temporary file instead of
//     memory.
//
// A body over its limit is refused (413) before it is kept anywhere, when
// its length is known, or as soon as it passes the limit; the rest is
// dropped unread (up to drainSmall / drainSession / drainUpload, so that the client sees
// the answer) or the connection closed. Reading pauses for at
// most BodyIdle and takes at most BodyIdle plus its size at MinBodyRate
// (issue 7 item 5), so a slow phone uploads and a trickling client is cut
// off. A body that no handler read closes the connection after the answer
// (bodyGuard): its bytes would otherwise be read as the next request.
const (
	anonBodyLimit    = 64 << 10
	sessionBodyLimit = 2 << 20
	// uploadBodyLimit is the largest request: one step's files at most
	// (forms.MaxStepFileBytes, which bounds every field's limit) and the
	// step's other answers. The proxy examples in deploy/ allow exactly
	// this (TestDeployBodyLimits).
	uploadBodyLimit = forms.MaxStepFileBytes + sessionBodyLimit
)

// prefetched is how much of a body fasthttp reads with the headers
// (readBodyWithStreaming): a body this small is in memory already.
const prefetched = 8 << 10

// kBodyRead marks a request whose body readBody took care of.
const kBodyRead = "bodyRead"

// bodyGuard closes the connection after answering a request whose body
// nobody read.
func (s *Server) bodyGuard(c *fiber.Ctx) error {
	err := c.Next()
	if hasBody(c) && c.Locals(kBodyRead) == nil {
		c.Response().SetConnectionClose()
	}
	return err
}

// hasBody: the request has a length (fasthttp says -2 for none) or is
// chunked (-1).
func hasBody(c *fiber.Ctx) bool {
	n := c.Request().Header.ContentLength()
	return n > 0 || n == -1
}

// isUploadRoute: a multipart post that may carry files, to
// POST /api/v1/drafts/{id}/attachments, POST /{lang}/drafts/{id}/step/{n},
// a supplement, POST /{lang}/cases/{id}/supplement, a decision,
// POST /{lang}/staff/cases/{id}/decision, or a paper power of attorney's
// scan, POST /{lang}/staff/mandates.
func isUploadRoute(c *fiber.Ctx) bool {
	if c.Method() != fiber.MethodPost || !strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm) {
		return false
	}
	p := strings.Split(strings.Trim(c.Path(), "/"), "/")
	if len(p) == 3 {
		return i18n.Supported(p[0]) && p[1] == "staff" && p[2] == "mandates"
	}
	if len(p) == 4 { // a supplement with a missing attachment
		return i18n.Supported(p[0]) && p[1] == "cases" && p[3] == "supplement"
	}
	if len(p) != 5 {
		return false
	}
	return p[0] == "api" && p[1] == "v1" && p[2] == "drafts" && p[4] == "attachments" ||
		i18n.Supported(p[0]) && p[1] == "drafts" && p[3] == "step" ||
		i18n.Supported(p[0]) && p[1] == "staff" && p[2] == "cases" && p[4] == "decision"
}

// bodyLimit is the most a request may send, and whether it is an upload
// (spooled to a file).
func (s *Server) bodyLimit(c *fiber.Ctx) (int64, bool) {
	switch {
	case session(c) == nil:
		return anonBodyLimit, false
	case isUploadRoute(c):
		return uploadBodyLimit, true
	}
	return sessionBodyLimit, false
}

// readBody reads the request body within its limit and deadlines: into
// memory, or for an upload into a temporary file that is gone when the
// request is.
func (s *Server) readBody(c *fiber.Ctx) error {
	if !hasBody(c) {
		return c.Next()
	}
	length := int64(c.Request().Header.ContentLength()) // -1: chunked
	c.Locals(kBodyRead, true)
	if ce := c.Get(fiber.HeaderContentEncoding); ce != "" && !strings.EqualFold(ce, "identity") {
		// Nothing here sends compressed bodies; decompressing one would
		// take memory the limits do not see.
		c.Response().SetConnectionClose()
		return s.fail(c, fiber.StatusUnsupportedMediaType, "unsupported-encoding", "error.badRequest")
	}
	limit, upload := s.bodyLimit(c)
	if length > 0 && length <= min(prefetched, limit) && !upload {
		// fasthttp read it with the headers: nothing to wait for.
		c.Request().Body()
		return c.Next()
	}
	drainMax := int64(drainSmall)
	switch {
	case upload:
		drainMax = drainUpload
	case session(c) != nil:
		drainMax = drainSession
	}
	expect := length
	if expect < 0 {
		expect = limit
	}
	r := &slowReader{r: c.Context().RequestBodyStream(), conn: c.Context().Conn(), idle: s.cfg.BodyIdle,
		end: time.Now().Add(s.cfg.BodyIdle + time.Duration(expect*int64(time.Second)/max(s.cfg.MinBodyRate, 1)))}
	if r.r == nil { // not streamed (the whole body is in memory already)
		if int64(len(c.Request().Body())) > limit {
			return s.bodyTooLarge(c, limit, upload, true)
		}
		return c.Next()
	}
	if length > limit {
		return s.bodyTooLarge(c, limit, upload, length <= drainMax && drain(r, length))
	}
	lr := io.LimitReader(r, limit+1)
	if !upload {
		buf := bodyBufs.Get().(*[]byte)
		b, err := readAllInto((*buf)[:0], lr)
		defer func() {
			if cap(b) <= 64<<10 { // large ones are rare: let them go
				*buf = b[:0]
				bodyBufs.Put(buf)
			}
		}()
		if err != nil {
			return s.bodyReadFailed(c, err)
		}
		if int64(len(b)) > limit {
			return s.bodyTooLarge(c, limit, upload, drain(r, drainMax))
		}
		c.Request().SetBody(b) // copied
		return c.Next()
	}
	f, err := os.CreateTemp("", "asiointi-upload-")
	if err != nil {
		return err
	}
	// Unlinked at once: the file lives as long as it is open, and nothing
	// is left behind if the process dies.
	os.Remove(f.Name())
	defer f.Close()
	n, err := io.Copy(f, lr)
	if err != nil {
		return s.bodyReadFailed(c, err)
	}
	if n > limit {
		return s.bodyTooLarge(c, limit, upload, drain(r, drainMax))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	c.Request().SetBodyStream(f, int(n)) // the request closes it when done
	// The multipart reader's temporary files, now rather than when fasthttp
	// reuses the request.
	defer c.Request().RemoveMultipartFormFiles()
	return c.Next()
}

// A refused body is read and dropped, up to these sizes, before the answer:
// a connection closed with unread data is reset, and the client loses the
// answer with it (a browser shows "connection reset" instead of the page
// that says what was too large). Past them the connection is closed at
// once. Nothing dropped is kept: it costs time, within the body deadlines.
const (
	drainSmall   = 1 << 20              // not logged in
	drainSession = 4 * sessionBodyLimit // logged in: a post over its limit still gets its answer
	drainUpload  = 4 * uploadBodyLimit
)

// drain reads and drops the rest of a body, at most max bytes; false when
// more is left.
func drain(r io.Reader, max int64) bool {
	n, err := io.Copy(io.Discard, io.LimitReader(r, max+1))
	return err == nil && n <= max
}

// bodyBufs are buffers for bodies read into memory (most are a few kB).
var bodyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// readAllInto is io.ReadAll appending to b.
func readAllInto(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// bodyTooLarge refuses a body over its limit, closing the connection
// unless the rest of the body was drained. An upload's answer names the
// limit.
func (s *Server) bodyTooLarge(c *fiber.Ctx, limit int64, upload, drained bool) error {
	if !drained {
		c.Response().SetConnectionClose()
	}
	if l := strings.SplitN(strings.TrimPrefix(c.Path(), "/"), "/", 2)[0]; i18n.Supported(l) {
		c.Locals(kLang, l) // a page: its language (withLang has not run yet)
	}
	if !upload {
		return s.fail(c, fiber.StatusRequestEntityTooLarge, "too-large", "error.tooLarge")
	}
	return s.failData(c, fiber.StatusRequestEntityTooLarge, "too-large", "error.bodyTooLarge",
		map[string]any{"Max": forms.FormatSize(limit, requestLang(c))})
}

// bodyReadFailed answers a body that did not arrive: 408 when the client
// was too slow, 400 otherwise; the connection is closed either way.
func (s *Server) bodyReadFailed(c *fiber.Ctx, err error) error {
	c.Response().SetConnectionClose()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fiber.ErrRequestTimeout
	}
	return fiber.ErrBadRequest
}

// slowReader reads a body from the connection with a deadline per read
// (idle) and one for the whole body (end).
type slowReader struct {
	r    io.Reader
	conn net.Conn
	idle time.Duration
	end  time.Time
}

func (s *slowReader) Read(p []byte) (int, error) {
	if s.conn != nil && s.idle > 0 {
		d := time.Now().Add(s.idle)
		if s.end.Before(d) {
			d = s.end
		}
		if err := s.conn.SetReadDeadline(d); err != nil {
			return 0, err
		}
	}
	return s.r.Read(p)
}
