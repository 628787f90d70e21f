// Package api is the partnerops HTTP API (/v1), served by Fiber. Its
// contract is ../shared/api.md and the OpenAPI document it publishes.
package api

import (
	"cmp"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"go.temporal.io/sdk/client"

	"partnerops/outbox"
	"partnerops/store"
)

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 1 << 20

// Deps is what the API needs.
type Deps struct {
	Store     *store.Store
	Temporal  client.Client
	TaskQueue string
	TicketSLA string // the ticket SLA policy new certification cases get
	// CertificationExpiry is how long a rejected certification case waits
	// for the partner before it expires (0: the workflow's default).
	CertificationExpiry time.Duration
	// Location is the business time zone (PARTNEROPS_TIMEZONE): "this year"
	// of business plans and the calendar years of annual performance.
	Location *time.Location
	Logger   *slog.Logger
	// ReadTimeout bounds a live read of a case (DefaultReadTimeout if 0);
	// ActionTimeout an action (DefaultActionTimeout if 0).
	ReadTimeout   time.Duration
	ActionTimeout time.Duration
}

// Server holds the API's dependencies; its methods are the handlers.
type Server struct {
	store      *store.Store
	temporal   client.Client
	taskQueue  string
	ticketSLA  string
	certExpiry time.Duration
	location   *time.Location
	logger     *slog.Logger
	metrics    *httpMetrics
	starter    *outbox.Starter

	readTimeout, actionTimeout time.Duration
}

// New builds the Fiber app with every route.
func New(d Deps) *fiber.App {
	s := &Server{
		store: d.Store, temporal: d.Temporal, taskQueue: d.TaskQueue, ticketSLA: d.TicketSLA, certExpiry: d.CertificationExpiry,
		location: d.Location, logger: d.Logger, metrics: newHTTPMetrics(),
		starter:     &outbox.Starter{Temporal: d.Temporal, Store: d.Store, TaskQueue: d.TaskQueue},
		readTimeout: cmp.Or(d.ReadTimeout, DefaultReadTimeout), actionTimeout: cmp.Or(d.ActionTimeout, DefaultActionTimeout),
	}
	if d.Temporal != nil { // an API built without Temporal (tests of its own answers) has no workers to count
		s.metrics.registry.MustRegister(s.pollersGauge())
	}
	app := fiber.New(fiber.Config{
		AppName:               "partnerops",
		BodyLimit:             MaxBodyBytes,
		ErrorHandler:          errorHandler(d.Logger),
		DisableStartupMessage: true,
	})
	app.Use(requestid.New(), s.accessLog, recover.New())

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metrics.handler())
	app.Get("/v1/openapi.json", s.openAPI)
	app.Get("/console", s.console)

	v1 := app.Group("/v1", s.authenticate)
	s.caseRoutes(v1)
	s.certificationRoutes(v1)
	s.notificationRoutes(v1)
	s.calendarRoutes(v1)
	s.partnerRoutes(v1)
	s.memberRoutes(v1)
	s.customerRoutes(v1)
	s.accessRoutes(v1)
	s.contractRoutes(v1)
	s.marketplaceRoutes(v1)
	s.performanceRoutes(v1)
	s.moneyRoutes(v1)
	s.orderRoutes(v1)
	return app
}
