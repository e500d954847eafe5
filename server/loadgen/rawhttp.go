package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"asiointi/server/apiclient"
)

// rawConn is a minimal HTTP/1.1 keep-alive client for the measured loops:
// one connection per client, requests written from prepared bytes and
// answers read by Content-Length. net/http costs the load generator about
// half a core at 10,000 requests/s on this 2-core machine, which the server
// under test would otherwise get; this client costs a fraction of that.
// Set-up calls (login, create) go through asiointi/server/apiclient.
type rawConn struct {
	addr    string
	host    string
	conn    net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	fixed   []byte // Host, Cookie, X-CSRF-Token, Accept, Content-Type lines
	timeout time.Duration
	body    []byte
}

func newRawConn(s *apiclient.Session, timeout time.Duration) (*rawConn, error) {
	host := strings.TrimPrefix(s.Base(), "http://")
	rc := &rawConn{addr: host, host: host, timeout: timeout}
	rc.fixed = []byte("Host: " + host + "\r\nCookie: " + s.Cookie() + "\r\nX-CSRF-Token: " + s.CSRF() +
		"\r\nAccept: application/json\r\nContent-Type: application/json\r\n")
	return rc, rc.dial()
}

func (rc *rawConn) dial() error {
	if rc.conn != nil {
		rc.conn.Close()
	}
	c, err := net.DialTimeout("tcp", rc.addr, rc.timeout)
	if err != nil {
		return err
	}
	rc.conn = c
	rc.r = bufio.NewReaderSize(c, 8192)
	rc.w = bufio.NewWriterSize(c, 8192)
	return nil
}

func (rc *rawConn) close() {
	if rc.conn != nil {
		rc.conn.Close()
	}
}

// do sends one request and returns the status and the body (valid until
// the next call). A broken connection is redialled once.
func (rc *rawConn) do(method, path string, body []byte) (int, []byte, error) {
	for attempt := 0; ; attempt++ {
		code, b, err := rc.try(method, path, body)
		if err == nil || attempt > 0 {
			return code, b, err
		}
		if derr := rc.dial(); derr != nil {
			return 0, nil, derr
		}
	}
}

func (rc *rawConn) try(method, path string, body []byte) (int, []byte, error) {
	rc.conn.SetDeadline(time.Now().Add(rc.timeout))
	w := rc.w
	w.WriteString(method)
	w.WriteByte(' ')
	w.WriteString(path)
	w.WriteString(" HTTP/1.1\r\n")
	w.Write(rc.fixed)
	w.WriteString("Content-Length: ")
	w.WriteString(strconv.Itoa(len(body)))
	w.WriteString("\r\n\r\n")
	w.Write(body)
	if err := w.Flush(); err != nil {
		return 0, nil, err
	}
	line, err := rc.r.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, fmt.Errorf("bad status line %q", line)
	}
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, err
	}
	length, closing := -1, false
	for {
		h, err := rc.r.ReadSlice('\n')
		if err != nil {
			return 0, nil, err
		}
		if len(h) <= 2 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, nil, err
			}
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			closing = true
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, nil, errors.New("chunked answers are not supported by the raw client")
		}
	}
	if length < 0 {
		return 0, nil, errors.New("answer without Content-Length")
	}
	if cap(rc.body) < length {
		rc.body = make([]byte, length)
	}
	rc.body = rc.body[:length]
	if _, err := io.ReadFull(rc.r, rc.body); err != nil {
		return 0, nil, err
	}
	if closing {
		rc.dial()
	}
	return code, rc.body, nil
}
