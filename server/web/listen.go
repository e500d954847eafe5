package web

import (
	"net"
	"net/netip"
	"sync"
)

// Serve serves HTTP on ln with at most cfg.MaxConnsPerIP open connections
// per client address (issue 7 item 4): one address cannot hold every
// connection the server has, slowly or not. Connections from the trusted
// proxies are not capped (every client behind them shares their address;
// the proxy applies its own per-client limit, see deploy/nginx.conf).
func (s *Server) Serve(ln net.Listener) error {
	return s.app.Listener(s.capConns(ln))
}

func (s *Server) capConns(ln net.Listener) net.Listener {
	if s.cfg.MaxConnsPerIP <= 0 {
		return ln
	}
	l := &capListener{Listener: ln, max: s.cfg.MaxConnsPerIP, open: map[netip.Addr]int{}}
	for _, p := range s.cfg.TrustedProxies {
		if pr, err := netip.ParsePrefix(p); err == nil {
			l.trusted = append(l.trusted, pr)
		} else if a, err := netip.ParseAddr(p); err == nil {
			l.trusted = append(l.trusted, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return l
}

// capListener closes, as soon as it is accepted, a connection from an
// address that already has max open.
type capListener struct {
	net.Listener
	max     int
	trusted []netip.Prefix

	mu   sync.Mutex
	open map[netip.Addr]int
}

func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
		if err != nil {
			return c, nil // not TCP: nothing to count
		}
		a := ap.Addr().Unmap()
		if l.isTrusted(a) {
			return c, nil
		}
		l.mu.Lock()
		if l.open[a] >= l.max {
			l.mu.Unlock()
			c.Close()
			continue
		}
		l.open[a]++
		l.mu.Unlock()
		return &cappedConn{Conn: c, release: func() { l.release(a) }}, nil
	}
}

func (l *capListener) isTrusted(a netip.Addr) bool {
	for _, p := range l.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (l *capListener) release(a netip.Addr) {
	l.mu.Lock()
	if l.open[a]--; l.open[a] <= 0 {
		delete(l.open, a)
	}
	l.mu.Unlock()
}

// cappedConn gives its place back once, when closed.
type cappedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *cappedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
