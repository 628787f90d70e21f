package api

import (
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// requestIDLocal is where a request's ID is kept among Fiber's locals.
const requestIDLocal = "requestid"

// clientRequestID is the shape of an X-Request-Id a client may choose (to
// follow its own request through our logs): short, and nothing a log line
// or a header could be confused by.
var clientRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// requestIDs gives every request an ID, sent back as X-Request-Id and
// logged: the client's when it has that shape, else a random UUID (v4,
// from crypto/rand), which tells nothing of the requests before it.
func requestIDs(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if clientRequestID.MatchString(id) {
		id = strings.Clone(id) // Fiber reuses the header's buffer
	} else {
		id = uuid.NewString()
	}
	c.Set(fiber.HeaderXRequestID, id)
	c.Locals(requestIDLocal, id)
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDLocal).(string)
	return id
}

// noStore keeps every answer out of caches, shared or the browser's: the
// API's answers carry tokens (a new partner's, a customer's) and personal
// and business data, and its pages are the doors to them.
func noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}
