package store

import (
	"context"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
)

// What changes when several processes share the store (app nodes on one
// PostgreSQL database). On bbolt one process owns the file, and these are
// trivial.

// Shared reports whether other processes may use the store at the same
// time (PostgreSQL).
func (s *Store) Shared() bool { return s != nil && s.pg != nil }

// Exclusive runs fn unless another process sharing the store is running
// fn under the same name: a PostgreSQL advisory lock, held while fn runs
// and dropped by the server if the process dies. On bbolt it runs fn. ran
// reports whether fn ran.
func (s *Store) Exclusive(name string, fn func()) (ran bool, err error) {
	if s.pg == nil {
		fn()
		return true, nil
	}
	ctx := context.Background()
	c, err := s.pg.pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer c.Release()
	key := lockKey(name)
	if err := c.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ran); err != nil || !ran {
		return false, err
	}
	defer func() {
		if _, uerr := c.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key); uerr != nil {
			c.Conn().Close(ctx) // the session's end drops the lock
		}
	}()
	fn()
	return true, nil
}

// lockKey is a name's advisory lock key.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("asiointi/" + name))
	return int64(h.Sum64())
}

// Notify sends payload (text, under 8000 bytes) to every Listen on
// channel in every process sharing the store (PostgreSQL NOTIFY). On
// bbolt there is no one else, and it does nothing.
func (s *Store) Notify(channel string, payload []byte) error {
	if s.pg == nil {
		return nil
	}
	_, err := s.pg.pool.Exec(context.Background(), `SELECT pg_notify($1, $2)`, channel, string(payload))
	return err
}

// Listen calls fn with each payload sent to channel (by any process,
// this one too) until ctx ends. A lost connection is made again, and then
// resumed is called: what was sent meanwhile is lost. On bbolt it returns
// at once.
func (s *Store) Listen(ctx context.Context, channel string, fn func(payload []byte), resumed func()) error {
	if s.pg == nil {
		return nil
	}
	cfg := s.pg.pool.Config().ConnConfig.Copy()
	pause := 100 * time.Millisecond
	for first := true; ; first = false {
		err := s.listenOnce(ctx, cfg, channel, fn, func() {
			pause = 100 * time.Millisecond
			if !first {
				resumed()
			}
		})
		if ctx.Err() != nil {
			return nil
		}
		if s.opt.Log != nil {
			s.opt.Log.Warn("listening for other nodes' messages failed; trying again", "channel", channel, "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context, cfg *pgx.ConnConfig, channel string, fn func([]byte), listening func()) error {
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	listening()
	for {
		n, err := c.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		fn([]byte(n.Payload))
	}
}
