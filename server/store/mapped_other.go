//go:build !linux

package store

// Elsewhere the store does not watch its mapped pages (mapped.go).
func residentFile() (int64, bool) { return 0, false }

func (s *Store) trimMapped() error { return nil }
