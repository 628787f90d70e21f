package store

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/lib/pq"
)

// Unavailable reports whether err says PostgreSQL could not be reached or
// dropped the connection (refused, reset, timed out, shutting down, not
// accepting connections yet): a state a retry may mend, which callers
// answer as "unavailable", not as a fault of the request or of the code.
func Unavailable(err error) bool {
	var netErr net.Error
	var pqErr *pq.Error
	switch {
	case err == nil:
		return false
	case errors.As(err, &pqErr):
		// class 08: connection exception; 57P01-57P03: admin or crash
		// shutdown, cannot connect now
		return strings.HasPrefix(string(pqErr.Code), "08") ||
			pqErr.Code == "57P01" || pqErr.Code == "57P02" || pqErr.Code == "57P03"
	case errors.As(err, &netErr), errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	}
	return false
}
