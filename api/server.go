// Package api is the partnerops HTTP API (/v1), served by Fiber and
// described by its code with Huma. Its contract is the OpenAPI document it
// publishes at /v1/openapi.json; docs/api.md is the guide.
package api

import (
	"cmp"
	"log/slog"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gofiber/contrib/otelfiber/v2"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"partnerops/config"
	"partnerops/historykeys"
	"partnerops/outbox"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/webhooks"
)

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 1 << 20

// MaxUploadBytes bounds the body of an upload: one attachment and its form.
const MaxUploadBytes = rules.MaxAttachmentBytes + MaxBodyBytes

// Deps is what the API needs.
type Deps struct {
	Store     *store.Store
	Temporal  client.Client
	TaskQueue string
	TicketSLA string // the ticket SLA policy new certification cases get
	// CertificationExpiry is how long a rejected certification case waits
	// for the partner before it expires (0: the workflow's default).
	CertificationExpiry time.Duration
	// Incentive is the deadline and reminder policy of new incentive
	// settlements (rules.DefaultIncentiveDeadline if its deadline is
	// empty), and Vendor the entity their invoices must be issued to.
	Incentive rules.IncentivePolicy
	Vendor    rules.Party
	// OpportunityReviewSLA is the review SLA policy new opportunity cases
	// get ("2wd" if empty); InvitationExpiry how long an invited partner
	// has to answer a vendor opportunity ("3wd" if empty).
	OpportunityReviewSLA string
	InvitationExpiry     string
	// OpportunityFixWindow is how long a partner has to fix an
	// action_required opportunity ("10wd" if empty), fixed in each case.
	OpportunityFixWindow string
	// ExitCoolingOff and ExitSLA are fixed in each partner exit case at its
	// start (0 and "": the workflow's defaults).
	ExitCoolingOff time.Duration
	ExitSLA        string
	// AssociationExpiry is how long a customer has to answer an
	// association or dissociation request (DefaultAssociationExpiry if 0).
	AssociationExpiry time.Duration
	// AtRisk is how close to its deadline the console marks an open case
	// at risk (DefaultAtRisk if 0).
	AtRisk time.Duration
	// Location is the business time zone (PARTNEROPS_TIMEZONE): "this year"
	// of business plans and the calendar years of annual performance.
	Location *time.Location
	Logger   *slog.Logger
	// Metrics is the registry /metrics serves (the Temporal SDK's metrics
	// join it there); nil: one of the API's own.
	Metrics *prometheus.Registry
	// ReadTimeout bounds a live read of a case (DefaultReadTimeout if 0);
	// ActionTimeout an action (DefaultActionTimeout if 0).
	ReadTimeout   time.Duration
	ActionTimeout time.Duration
	// Attachments holds the bytes of cases' attachments (PostgreSQL's if nil).
	Attachments store.Blobs
	// Now is the clock the business calendar's warning reads (time.Now if nil).
	Now func() time.Time
	// Webhooks: which endpoints partners may register (AllowLoopback).
	Webhooks config.Webhooks
	// RateLimits bound the requests per token, per client address and on
	// the strict routes (zero: none).
	RateLimits RateLimits
	// HistoryKeys are the keys of the Temporal histories (the process's
	// data converter's): the Web UI decodes payloads with their codec (nil:
	// not served), and a deregistration forgets the partner's at once.
	// HistoryCodecOrigin is the UI's origin allowed to call it from a browser.
	HistoryKeys        *historykeys.Keyring
	HistoryCodecOrigin string
	// PendingRegistrations bounds the self-registered partners without a
	// certification submitted (0: none); DelegatedTokenMinLifetime is the
	// shortest delegated token (DefaultDelegatedTokenMinLifetime if 0).
	PendingRegistrations      int
	DelegatedTokenMinLifetime time.Duration
}

// Server holds the API's dependencies; its methods are the handlers.
type Server struct {
	store      *store.Store
	blobs      store.Blobs // where attachments' bytes are
	rateLimits RateLimits
	temporal   client.Client
	taskQueue  string
	ticketSLA  string
	certExpiry time.Duration
	atRisk     time.Duration
	incentive  rules.IncentivePolicy // deadlines and reminders of new incentive settlements
	vendor     rules.Party
	location   *time.Location
	logger     *slog.Logger
	metrics    *httpMetrics
	app        *fiber.App
	// opportunitySLA and invitationExpiry: see Deps.
	opportunitySLA   string
	invitationExpiry string
	opportunityFix   string
	// exitCoolingOff and exitSLA: Deps.ExitCoolingOff and ExitSLA
	exitCoolingOff time.Duration
	exitSLA        string
	// associationExpiry: Deps.AssociationExpiry
	associationExpiry time.Duration

	huma         huma.API
	documentOnce sync.Once
	documentJSON []byte
	starter      *outbox.Starter

	readTimeout, actionTimeout time.Duration
	now                        func() time.Time
	// guard refuses webhook URLs deliveries may not reach
	guard webhooks.Guard
	// historyKeys: Deps.HistoryKeys
	historyKeys *historykeys.Keyring
	// pendingRegistrations and minDelegation: see Deps.
	pendingRegistrations int
	minDelegation        time.Duration
}

// New builds the Fiber app with every route.
func New(d Deps) *fiber.App { return newServer(d).app }

// newServer builds the server and its app. The public routes come before
// the authentication middleware of /v1, which runs before every route
// registered after it.
func newServer(d Deps) *Server {
	d.Incentive.InvoiceDeadline = cmp.Or(d.Incentive.InvoiceDeadline, rules.DefaultIncentiveDeadline)
	s := &Server{
		store: d.Store, temporal: d.Temporal, taskQueue: d.TaskQueue, ticketSLA: d.TicketSLA, certExpiry: d.CertificationExpiry,
		incentive: d.Incentive, vendor: d.Vendor,
		exitCoolingOff: d.ExitCoolingOff, exitSLA: d.ExitSLA, associationExpiry: cmp.Or(d.AssociationExpiry, DefaultAssociationExpiry),
		location: cmp.Or(d.Location, time.UTC), logger: d.Logger, metrics: newHTTPMetrics(d.Metrics), atRisk: cmp.Or(d.AtRisk, DefaultAtRisk),
		starter:     &outbox.Starter{Temporal: d.Temporal, Store: d.Store, TaskQueue: d.TaskQueue},
		readTimeout: cmp.Or(d.ReadTimeout, DefaultReadTimeout), actionTimeout: cmp.Or(d.ActionTimeout, DefaultActionTimeout),
		opportunitySLA:   cmp.Or(d.OpportunityReviewSLA, rules.DefaultOpportunityReviewSLA),
		invitationExpiry: cmp.Or(d.InvitationExpiry, rules.DefaultInvitationExpiry),
		opportunityFix:   cmp.Or(d.OpportunityFixWindow, rules.DefaultOpportunityFixWindow),
		now:              d.Now,
		blobs:            d.Attachments,
		guard:            webhooks.Guard{AllowLoopback: d.Webhooks.AllowLoopback},
		rateLimits:       d.RateLimits,
		historyKeys:      d.HistoryKeys,

		pendingRegistrations: d.PendingRegistrations,
		minDelegation:        cmp.Or(d.DelegatedTokenMinLifetime, DefaultDelegatedTokenMinLifetime),
	}
	if s.blobs == nil {
		s.blobs = store.PostgresBlobs{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if d.Temporal != nil { // an API built without Temporal (tests of its own answers) has no workers to count
		s.metrics.registry.MustRegister(s.pollersGauge())
	}
	app := fiber.New(fiber.Config{
		AppName:               "partnerops",
		BodyLimit:             MaxUploadBytes, // Huma holds every other operation to MaxBodyBytes
		ErrorHandler:          errorHandler(d.Logger),
		DisableStartupMessage: true,
	})
	// helmet: nosniff, no framing from elsewhere, no referrer, on every
	// answer; no answer is cached
	// otelfiber: every request is the root span of its trace
	app.Use(requestIDs, otelfiber.Middleware(), helmet.New(), noStore, s.accessLog, recover.New(), s.rateLimit)
	s.app = app
	s.huma = newHumaAPI(app)
	s.huma.UseMiddleware(gate(s.huma), withRequest, s.enforce(s.huma))

	s.healthRoutes()
	s.pageRoutes(app)
	s.historyCodecRoutes(app, d.HistoryCodecOrigin)
	s.registrationRoutes()

	// every route registered after this takes a bearer token
	app.Use("/v1", s.authenticate)
	s.caseRoutes()
	s.assignmentRoutes()
	s.commentRoutes()
	s.certificationRoutes()
	s.attachmentRoutes()
	s.notificationRoutes()
	s.calendarRoutes()
	s.partnerRoutes()
	s.memberRoutes()
	s.customerRoutes()
	s.associationRoutes()
	s.delegatedTokenRoutes()
	s.accessRoutes()
	s.contractRoutes()
	s.marketplaceRoutes()
	s.performanceRoutes()
	s.moneyRoutes()
	s.orderRoutes()
	s.incentiveRoutes()
	s.opportunityRoutes()
	s.caseStartRoutes()
	s.exitRoutes()
	s.resourceRoutes()
	s.webhookRoutes()
	return s
}
