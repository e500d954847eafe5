package cases

// HandlerCaseUnlogged is HandlerCase without its access-log entry, for
// BenchmarkCaseView's comparison only.
func (s *Service) HandlerCaseUnlogged(id string, who Ref) (*Case, []Event, []Note, error) {
	return s.handlerCase(id, who, false)
}

// CachedDraft is the decoding of draft id's record that the record cache
// keeps, and the record bytes it is of.
func (s *Service) CachedDraft(id string) (Draft, []byte, bool) {
	c, ok := s.drafts.cached(id)
	return c.d, c.raw, ok
}

// DecodeRecord decodes a draft record as the save path does.
func DecodeRecord(raw []byte) (Draft, error) {
	var d Draft
	err := decodeRecord(raw, &d)
	return d, err
}
