package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"partnerops/api"
	"partnerops/config"
	"partnerops/historykeys"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/telemetry"
	"partnerops/worker"
)

// signalContext is cancelled by Ctrl-C or SIGTERM, which stop every command cleanly.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func newLogger(cfg config.Log) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level)) // kong already checked the enum
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// openStore connects to PostgreSQL with the configured pool.
func openStore(ctx context.Context, db config.Database) (*store.Store, error) {
	if db.URL == "" {
		return nil, errors.New("DATABASE_URL (or --database-url) is required")
	}
	return store.OpenPool(ctx, db.URL, pool(db))
}

// pool is the connection pool the settings ask for.
func pool(db config.Database) store.Pool {
	return store.Pool{MaxOpen: db.MaxConns, MaxIdle: db.MaxIdleConns}
}

// checkPolicy refuses a bad SLA, period or time zone at start, not at the first case.
func checkPolicy(p config.Policy) (*time.Location, error) {
	for _, sla := range []struct{ env, policy string }{
		{"PARTNEROPS_TICKET_SLA", p.TicketSLA},
		{"PARTNEROPS_INCENTIVE_INVOICE_DEADLINE", p.IncentiveInvoiceDeadline},
		{"PARTNEROPS_OPPORTUNITY_REVIEW_SLA", p.OpportunityReviewSLA},
		{"PARTNEROPS_OPPORTUNITY_FIX_WINDOW", p.OpportunityFixWindow},
		{"PARTNEROPS_EXIT_SLA", p.ExitSLA},
		{"PARTNEROPS_INVITATION_EXPIRY", p.InvitationExpiry},
	} {
		if _, err := rules.ParseSLAPolicy(sla.policy); err != nil {
			return nil, fmt.Errorf("%s: %w", sla.env, err)
		}
	}
	if problems := rules.VendorEntityProblems(vendorEntity(p)); len(problems) > 0 {
		return nil, fmt.Errorf("the vendor entity (PARTNEROPS_VENDOR_ENTITY_NAME, PARTNEROPS_VENDOR_ENTITY_TAX_ID): %w", problems)
	}
	if p.IncentiveRemindPercent < 1 || p.IncentiveRemindPercent > 99 {
		return nil, fmt.Errorf("PARTNEROPS_INCENTIVE_REMIND_PERCENT: must be a percent from 1 to 99, not %d", p.IncentiveRemindPercent)
	}
	if p.IncentiveOverdueReminder <= 0 {
		return nil, fmt.Errorf("PARTNEROPS_INCENTIVE_OVERDUE_REMINDER: must be a positive duration, not %s", p.IncentiveOverdueReminder)
	}
	if p.IdempotencyRetention <= 0 {
		return nil, fmt.Errorf("PARTNEROPS_IDEMPOTENCY_RETENTION: must be a positive duration, not %s", p.IdempotencyRetention)
	}
	if p.OutboxParkAfter < 1 {
		return nil, fmt.Errorf("PARTNEROPS_OUTBOX_PARK_AFTER: must be at least 1, not %d", p.OutboxParkAfter)
	}
	if p.AssociationExpiry <= 0 {
		return nil, fmt.Errorf("PARTNEROPS_ASSOCIATION_EXPIRY: must be a positive duration, not %s", p.AssociationExpiry)
	}
	if p.ExitCoolingOff <= 0 {
		return nil, fmt.Errorf("PARTNEROPS_EXIT_COOLING_OFF: must be a positive duration, not %s", p.ExitCoolingOff)
	}
	if _, err := rules.ParseRetention(p.RenewalRetention); err != nil {
		return nil, fmt.Errorf("PARTNEROPS_RENEWAL_RETENTION: %w", err)
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("PARTNEROPS_TIMEZONE: %w", err)
	}
	return loc, nil
}

// workerDeps is what the worker takes from the configuration (checked by
// checkPolicy), the same for `worker` and `dev`.
func workerDeps(st *store.Store, loc *time.Location, p config.Policy, w config.Webhooks) worker.Deps {
	retention, _ := rules.ParseRetention(p.RenewalRetention)
	return worker.Deps{Store: st, Location: loc, Retention: retention, IdempotencyRetention: p.IdempotencyRetention,
		OutboxParkAfter: p.OutboxParkAfter, Webhooks: w}
}

// vendorEntity is the configured entity partners invoice for incentives.
func vendorEntity(p config.Policy) rules.Party {
	return rules.Party{Name: p.VendorEntityName, TaxID: p.VendorEntityTaxID}
}

// incentivePolicy is the configured table of incentive deadlines and reminders.
func incentivePolicy(p config.Policy) rules.IncentivePolicy {
	return rules.IncentivePolicy{InvoiceDeadline: p.IncentiveInvoiceDeadline, RemindPercent: p.IncentiveRemindPercent,
		OverdueReminder: p.IncentiveOverdueReminder}
}

// dialTemporal connects to the configured Temporal service, defaulting to
// the conventional local address; payloads go through dc (nil: a command
// that moves none); the SDK's metrics go to metrics, the registry the API
// serves at /metrics.
func dialTemporal(ctx context.Context, t config.Temporal, dc converter.DataConverter, logger *slog.Logger, metrics *prometheus.Registry) (client.Client, error) {
	if t.Address == "" {
		t.Address = "127.0.0.1:7233"
	}
	handler, err := telemetry.TemporalMetrics(metrics)
	if err != nil {
		return nil, err
	}
	c, err := t.Dial(ctx, dc, logger.With("component", "temporal-client"), handler)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", t.Address, err)
	}
	return c, nil
}

// historyKeyring is the keyring of the histories' encryption: the one
// data converter of every Temporal client and worker of the process.
func historyKeyring(st *store.Store, h config.History) (*historykeys.Keyring, error) {
	if h.KEK == "" {
		return nil, errors.New("PARTNEROPS_HISTORY_KEK (or --history-kek) is required: the key-encryption key of the Temporal histories (openssl rand -base64 32; docs/operations.md)")
	}
	kek, old, err := historykeys.ParseKEKs(h.KEK, h.OldKEKs)
	if err != nil {
		return nil, err
	}
	return historykeys.NewKeyring(st, kek, old...), nil
}

// apiDeps is what the API takes from the configuration, the same for
// `api` and `dev`.
func apiDeps(t config.Temporal, p config.Policy, w config.Webhooks, h config.History, keys *historykeys.Keyring, st *store.Store, tc client.Client,
	loc *time.Location, logger *slog.Logger, metrics *prometheus.Registry) api.Deps {
	return api.Deps{
		HistoryKeys: keys, HistoryCodecOrigin: h.CodecOrigin,
		Store: st, Temporal: tc, TaskQueue: t.TaskQueue, TicketSLA: p.TicketSLA, CertificationExpiry: p.CertificationExpiry,
		Incentive: incentivePolicy(p), Vendor: vendorEntity(p),
		OpportunityReviewSLA: p.OpportunityReviewSLA, OpportunityFixWindow: p.OpportunityFixWindow, InvitationExpiry: p.InvitationExpiry,
		ExitCoolingOff: p.ExitCoolingOff, ExitSLA: p.ExitSLA, AtRisk: p.AtRisk, AssociationExpiry: p.AssociationExpiry,
		PendingRegistrations: p.PendingRegistrations, DelegatedTokenMinLifetime: p.DelegatedTokenMinLifetime,
		Location: loc, Logger: logger, Metrics: metrics, Webhooks: w,
	}
}

// Shutdown bounds (docs/operations.md, "Stopping"): on SIGTERM or SIGINT the API stops
// accepting connections and answers every request it already received
// (within apiDrainTimeout, above the longest a request waits for a
// workflow), then the worker finishes its in-flight tasks (within
// workerStopTimeout), then Temporal stops; the process exits 0 within
// 30 seconds.
const apiDrainTimeout = 15 * time.Second

// serveAPI listens where cfg says and serves the API until ctx is done,
// then stops accepting connections and answers the requests it received
// before it returns. A drain that outlasts apiDrainTimeout closes what is
// left and is logged, not an error: the process still stops cleanly.
func serveAPI(ctx context.Context, cfg config.HTTP, deps api.Deps) error {
	ln, err := listenHTTP(cfg)
	if err != nil {
		return err
	}
	return serveAPIOn(ctx, ln, cfg, deps)
}

// listenHTTP binds the API's address; taken, it says so in one line.
func listenHTTP(cfg config.HTTP) (net.Listener, error) {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s (set PARTNEROPS_HTTP_ADDR or --http-addr to another address): %w", cfg.Addr, err)
	}
	return ln, nil
}

// serveAPIOn serves the API on ln until ctx is done.
func serveAPIOn(ctx context.Context, ln net.Listener, cfg config.HTTP, deps api.Deps) error {
	deps.ReadTimeout, deps.ActionTimeout = cfg.ReadTimeout, cfg.ActionTimeout
	deps.RateLimits = api.RateLimits{Window: cfg.RateLimitWindow, PerToken: cfg.RateLimitPerToken,
		PerAddress: cfg.RateLimitPerAddress, Strict: cfg.RateLimitStrict, Registrations: cfg.RateLimitRegistrations}
	blobs, closeBlobs, err := store.OpenBlobs(ctx, cfg.AttachmentsURL)
	if err != nil {
		return fmt.Errorf("PARTNEROPS_ATTACHMENTS_URL: %w", err)
	}
	defer func() { _ = closeBlobs() }()
	deps.Attachments = blobs
	app := api.New(deps)
	errs := make(chan error, 1)
	go func() { errs <- app.Listener(ln) }()
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		deps.Logger.Info("stopping: answering the requests received, accepting no more")
		if err := app.ShutdownWithTimeout(apiDrainTimeout); err != nil {
			deps.Logger.Warn("the API's drain outlasted its bound; the requests still open were closed", "bound", apiDrainTimeout, "error", err)
		}
		return nil
	}
}

// runWorker registers the search attributes the workflows need (where the
// server allows it) and runs the worker until ctx is done.
func runWorker(ctx context.Context, c client.Client, t config.Temporal, deps worker.Deps, logger *slog.Logger) error {
	if err := worker.EnsureSearchAttributes(ctx, c, t.Namespace); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting: nothing ran
		}
		var denied *serviceerror.PermissionDenied
		if !errors.As(err, &denied) {
			return err
		}
		logger.Warn("search attributes could not be registered; register them on the server", "error", err)
	}
	return worker.Run(ctx, c, t.TaskQueue, deps)
}

// services is what the api and worker commands run on.
type services struct {
	logger   *slog.Logger
	location *time.Location
	store    *store.Store
	temporal client.Client
	keys     *historykeys.Keyring
	// metrics is the Prometheus registry of the process: the API's and the
	// Temporal SDK's metrics.
	metrics *prometheus.Registry
	// stopTraces flushes the traces not yet exported.
	stopTraces func(context.Context) error
}

// connect checks the policy settings, starts exporting traces when an
// OTLP endpoint is set, and connects to PostgreSQL and Temporal; close
// releases them.
func connect(ctx context.Context, db config.Database, t config.Temporal, h config.History, p config.Policy, l config.Log) (*services, error) {
	sv := &services{logger: newLogger(l), metrics: prometheus.NewRegistry()}
	var err error
	if sv.location, err = checkPolicy(p); err != nil {
		return nil, err
	}
	if sv.stopTraces, err = telemetry.Start(ctx, l.OTLPEndpoint, "partnerops"); err != nil {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: %w", err)
	}
	if sv.store, err = openStore(ctx, db); err != nil {
		return nil, err
	}
	if sv.keys, err = historyKeyring(sv.store, h); err != nil {
		_ = sv.store.Close()
		return nil, err
	}
	if sv.temporal, err = dialTemporal(ctx, t, sv.keys.DataConverter(), sv.logger, sv.metrics); err != nil {
		_ = sv.store.Close()
		return nil, err
	}
	return sv, nil
}

func (sv *services) close() {
	sv.temporal.Close()
	_ = sv.store.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = sv.stopTraces(ctx)
}
