package workflows

// closed reports whether the case is in one of its kind's final statuses,
// or needs attention (which every kind may end in). The transition into
// one records the case's closed_at, so the API reads a closed case from
// the read model (no worker replays it) and the database's
// one-open-certification rule lets the partner start another.
func (s *caseState) closed() bool {
	return declared.Closed(s.kind, s.status)
}
