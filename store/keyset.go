package store

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// encodeKeyset and decodeKeyset make the cursor of a newest-first list
// ordered by (time, id): cases, deposits and adjustments.
func encodeKeyset(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeKeyset(cursor string) (time.Time, string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return time.Time{}, "", ErrBadCursor
	}
	at, id, ok := strings.Cut(string(raw), "|")
	if !ok {
		return time.Time{}, "", ErrBadCursor
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return time.Time{}, "", ErrBadCursor
	}
	return t, id, nil
}

// keysetPage adds the cursor condition of a (time, id) newest-first list.
func keysetPage(where []string, args []any, column, cursor string) ([]string, []any, error) {
	if cursor == "" {
		return where, args, nil
	}
	at, id, err := decodeKeyset(cursor)
	if err != nil {
		return nil, nil, err
	}
	args = append(args, at, id)
	where = append(where, fmt.Sprintf("(%s, id) < ($%d, $%d)", column, len(args)-1, len(args)))
	return where, args, nil
}
