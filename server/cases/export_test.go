package cases

// HandlerCaseUnlogged is HandlerCase without its access-log entry, for
// BenchmarkCaseView's comparison only.
func (s *Service) HandlerCaseUnlogged(id string, who Ref) (*Case, []Event, []Note, error) {
	return s.handlerCase(id, who, false)
}
