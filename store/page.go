package store

import "errors"

// Page asks for one page of a keyset list (most lists are newest first).
type Page struct {
	Limit  int    // 1..MaxPageSize; 0 means DefaultPageSize
	Cursor string // "" for the first page; else the next_cursor of the page before
}

// Bounds of a page: no list answers more than MaxPageSize rows at once.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// ErrBadCursor is returned for a cursor this store did not hand out.
var ErrBadCursor = errors.New("malformed cursor")

// size is the number of rows the page holds: DefaultPageSize when none is
// asked for, never more than MaxPageSize.
func (p Page) size() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageSize
	case p.Limit > MaxPageSize:
		return MaxPageSize
	}
	return p.Limit
}
