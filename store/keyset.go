package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Every list is read page by page in the order of a key: a tuple of
// columns, all ascending or all descending, whose last one is unique, so a
// row's key places it exactly. A page's cursor is the key of its last row;
// the next page is the rows past it. An index on the list's equality
// filters followed by the key serves every page as a range scan in order,
// as fast as the first page, with no sort and no offset to skip.

// keyKind is how a key column is written in a cursor.
type keyKind int

const (
	keyText keyKind = iota
	keyTime
	keyInt
	keyBool
)

// keyColumn is a column (or expression) of a list's key.
type keyColumn struct {
	expr string
	kind keyKind
}

// keyset is a list's order.
type keyset struct {
	columns []keyColumn
	desc    bool
}

// newestFirst is the order of most lists: by a time column, then by ID.
func newestFirst(at, id string) keyset {
	return keyset{columns: []keyColumn{{at, keyTime}, {id, keyText}}, desc: true}
}

// encodeCursor writes a row's key values (in the order of its list's key
// columns) as a cursor.
func encodeCursor(values []any) string {
	parts := make([]string, len(values))
	for i, v := range values {
		switch v := v.(type) {
		case time.Time:
			parts[i] = v.UTC().Format(time.RFC3339Nano)
		case int64:
			parts[i] = strconv.FormatInt(v, 10)
		case bool:
			parts[i] = strconv.FormatBool(v)
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "|")))
}

// decode reads a cursor back into key values: ErrBadCursor for one that
// encodeCursor did not write for this order.
func (k keyset) decode(cursor string) ([]any, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, ErrBadCursor
	}
	// only the last column (the unique ID) may hold a '|'
	parts := strings.SplitN(string(raw), "|", len(k.columns))
	if len(parts) != len(k.columns) {
		return nil, ErrBadCursor
	}
	values := make([]any, len(parts))
	for i, c := range k.columns {
		switch c.kind {
		case keyTime:
			values[i], err = time.Parse(time.RFC3339Nano, parts[i])
		case keyInt:
			values[i], err = strconv.ParseInt(parts[i], 10, 64)
		case keyBool:
			values[i], err = strconv.ParseBool(parts[i])
		default:
			values[i] = parts[i]
		}
		if err != nil {
			return nil, ErrBadCursor
		}
	}
	return values, nil
}

// listQuery is a list's query before paging: what it selects from, its
// filters and its order.
type listQuery struct {
	from  string // SELECT … FROM … (and joins)
	where []string
	args  []any
	order keyset
}

// and adds a filter; each %s in cond stands for the next of args.
func (q *listQuery) and(cond string, args ...any) {
	placeholders := make([]any, len(args))
	for i, a := range args {
		q.args = append(q.args, a)
		placeholders[i] = fmt.Sprintf("$%d", len(q.args))
	}
	q.where = append(q.where, fmt.Sprintf(cond, placeholders...))
}

// sql is the query of page p: the filters, the rows past the cursor in the
// list's order, and one row more than the page holds (to know whether
// another page follows).
func (q listQuery) sql(p Page) (string, []any, error) {
	page := listQuery{from: q.from, where: slices.Clone(q.where), args: slices.Clone(q.args), order: q.order}
	exprs := make([]string, len(q.order.columns))
	for i, c := range q.order.columns {
		exprs[i] = c.expr
	}
	if p.Cursor != "" {
		values, err := q.order.decode(p.Cursor)
		if err != nil {
			return "", nil, err
		}
		op := ">"
		if q.order.desc {
			op = "<"
		}
		page.and("("+strings.Join(exprs, ", ")+") "+op+" ("+strings.TrimSuffix(strings.Repeat("%s, ", len(values)), ", ")+")", values...)
	}
	where := "true"
	if len(page.where) > 0 {
		where = strings.Join(page.where, " AND ")
	}
	direction := ""
	if q.order.desc {
		direction = " DESC"
	}
	page.args = append(page.args, p.size()+1)
	return fmt.Sprintf("%s WHERE %s ORDER BY %s LIMIT $%d",
		q.from, where, strings.Join(exprs, direction+", ")+direction, len(page.args)), page.args, nil
}

// selectPage reads page p of the list q into rows of type R, and the cursor
// of the next page ("" on the last); key gives a row's key values.
func selectPage[R any](ctx context.Context, s *Store, q listQuery, p Page, key func(R) []any) ([]R, string, error) {
	query, args, err := q.sql(p)
	if err != nil {
		return nil, "", err
	}
	if s.onList != nil {
		s.onList(query, args)
	}
	rows := []R{}
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, "", err
	}
	next := ""
	if n := p.size(); len(rows) > n {
		rows = rows[:n]
		next = encodeCursor(key(rows[n-1]))
	}
	return rows, next, nil
}

// listOf turns each row of a page into what the list returns.
func listOf[R, T any](rows []R, of func(R) T) []T {
	list := make([]T, len(rows))
	for i, r := range rows {
		list[i] = of(r)
	}
	return list
}
