// Package config holds every setting of partnerops. Each one is read from an
// environment variable, and a command-line flag of the same meaning wins over
// it; the struct tags are the single place both names are declared, so the
// table in docs/configuration.md and docker-compose.yml are checked against them by tests.
package config

import "time"

// Database locates PostgreSQL and sizes this process's pool of
// connections to it (docs/operations.md budgets them across processes).
type Database struct {
	URL      string `name:"database-url" env:"DATABASE_URL" help:"PostgreSQL connection URL (postgres://user@host:5432/db?sslmode=disable)."`
	MaxConns int    `name:"db-max-conns" env:"PARTNEROPS_DB_MAX_CONNS" default:"20" help:"Most PostgreSQL connections this process opens; it refuses to start when the server allows fewer."`
	// MaxIdleConns of 0 keeps every open connection (as many as MaxConns):
	// a burst reuses them instead of opening new backends.
	MaxIdleConns int `name:"db-max-idle-conns" env:"PARTNEROPS_DB_MAX_IDLE_CONNS" default:"0" help:"Most idle PostgreSQL connections kept open; 0: as many as PARTNEROPS_DB_MAX_CONNS."`
}

// Temporal locates the Temporal service and names what partnerops uses of it.
// The variable names are the Temporal ecosystem's own (the CLI and SDKs read
// the same ones).
type Temporal struct {
	Address             string `name:"temporal-address" env:"TEMPORAL_ADDRESS" help:"Temporal frontend host:port. For dev, empty embeds a server."`
	Namespace           string `name:"temporal-namespace" env:"TEMPORAL_NAMESPACE" default:"default" help:"Temporal namespace."`
	APIKey              string `name:"temporal-api-key" env:"TEMPORAL_API_KEY" help:"API key (Temporal Cloud); implies TLS."`
	TLS                 bool   `name:"temporal-tls" env:"TEMPORAL_TLS" help:"Connect with TLS."`
	TLSClientCertPath   string `name:"temporal-tls-client-cert-path" env:"TEMPORAL_TLS_CLIENT_CERT_PATH" help:"Client certificate for mTLS."`
	TLSClientKeyPath    string `name:"temporal-tls-client-key-path" env:"TEMPORAL_TLS_CLIENT_KEY_PATH" help:"Client key for mTLS."`
	TLSServerCACertPath string `name:"temporal-tls-server-ca-cert-path" env:"TEMPORAL_TLS_SERVER_CA_CERT_PATH" help:"CA certificate that signed the server's certificate."`
	TLSServerName       string `name:"temporal-tls-server-name" env:"TEMPORAL_TLS_SERVER_NAME" help:"Server name to verify, when it differs from the address."`
	TaskQueue           string `name:"task-queue" env:"PARTNEROPS_TASK_QUEUE" default:"partnerops" help:"Task queue the workers poll; scale out by starting more workers on it."`
}

// History keys the encryption of personal data in Temporal histories
// (package historykeys): the key-encryption key that wraps the data keys,
// and the old ones still accepted while rotating.
type History struct {
	KEK     string   `name:"history-kek" env:"PARTNEROPS_HISTORY_KEK" help:"Key-encryption key of the Temporal histories' data keys: 32 bytes in base64 (openssl rand -base64 32). Required by api and worker; dev keeps one in its data folder when unset."`
	OldKEKs []string `name:"history-old-keks" env:"PARTNEROPS_HISTORY_OLD_KEKS" sep:"," help:"Earlier key-encryption keys (base64, comma-separated), still accepted to unwrap data keys until 'partnerops history-keys rewrap' has rewrapped them."`
	// CodecOrigin is the Web UI that may call the API's codec endpoint from the browser.
	CodecOrigin string `name:"history-codec-origin" env:"PARTNEROPS_HISTORY_CODEC_ORIGIN" help:"Origin of the Temporal Web UI allowed to call the API's /codec endpoint from the browser (CORS), such as https://temporal-ui.example.com; dev sets its embedded UI's."`
}

// Policy holds the business settings the workflows follow.
type Policy struct {
	TicketSLA string `name:"ticket-sla" env:"PARTNEROPS_TICKET_SLA" default:"3wd" help:"Ticket SLA: working days on the business calendar (3wd), or a wall-clock duration for demos (2m)."`
	TimeZone  string `name:"timezone" env:"PARTNEROPS_TIMEZONE" default:"Asia/Shanghai" help:"Time zone of the business calendar."`
	// CertificationExpiry is fixed in each certification case at its start.
	CertificationExpiry time.Duration `name:"certification-expiry" env:"PARTNEROPS_CERTIFICATION_EXPIRY" default:"720h" help:"How long a rejected certification waits for a resubmission or a ticket before it expires (720h: 30 days)."`
	// The incentive settlement's deadlines and the vendor entity partners
	// invoice; each is fixed in a settlement case when it is published.
	IncentiveInvoiceDeadline string        `name:"incentive-invoice-deadline" env:"PARTNEROPS_INCENTIVE_INVOICE_DEADLINE" default:"10wd" help:"How long a partner has to apply for a published incentive settlement, and then to send a valid invoice: working days (10wd) or a duration for demos."`
	IncentiveRemindPercent   int           `name:"incentive-remind-percent" env:"PARTNEROPS_INCENTIVE_REMIND_PERCENT" default:"80" help:"How much of an incentive settlement's deadline window (percent, 1-99) has passed when the partner and ops are reminded of it."`
	IncentiveOverdueReminder time.Duration `name:"incentive-overdue-reminder" env:"PARTNEROPS_INCENTIVE_OVERDUE_REMINDER" default:"168h" help:"How often an overdue incentive settlement reminds the partner and ops until ops extend or close it (168h: weekly)."`
	VendorEntityName         string        `name:"vendor-entity-name" env:"PARTNEROPS_VENDOR_ENTITY_NAME" default:"Partnerops Cloud Computing Co., Ltd." help:"The vendor entity partners invoice for incentives (the invoice's buyer)."`
	VendorEntityTaxID        string        `name:"vendor-entity-tax-id" env:"PARTNEROPS_VENDOR_ENTITY_TAX_ID" default:"91330106MA2CFKQ72H" help:"The vendor entity's 18-character unified social credit code."`
	// OpportunityReviewSLA and InvitationExpiry are fixed in each opportunity case at its start.
	OpportunityReviewSLA string `name:"opportunity-review-sla" env:"PARTNEROPS_OPPORTUNITY_REVIEW_SLA" default:"2wd" help:"Ops review of a valid opportunity: working days on the business calendar (2wd), or a wall-clock duration for demos (2m)."`
	OpportunityFixWindow string `name:"opportunity-fix-window" env:"PARTNEROPS_OPPORTUNITY_FIX_WINDOW" default:"10wd" help:"How long a partner has to fix an action_required opportunity before it closes invalid (reminded a working day before): working days (10wd), or a wall-clock duration for demos (2m)."`
	InvitationExpiry     string `name:"invitation-expiry" env:"PARTNEROPS_INVITATION_EXPIRY" default:"3wd" help:"How long a partner invited to a vendor opportunity has to answer: working days on the business calendar (3wd, the vendor's rule), or a duration (168h), unless the share names its own expiry."`
	// AssociationExpiry is fixed in each customer association request at its start.
	AssociationExpiry time.Duration `name:"association-expiry" env:"PARTNEROPS_ASSOCIATION_EXPIRY" default:"168h" help:"How long a customer has to accept or decline a partner's association or dissociation request before it expires and nothing changes (168h: 7 days)."`
	// ExitCoolingOff and ExitSLA are fixed in each partner exit case at its start.
	ExitCoolingOff time.Duration `name:"exit-cooling-off" env:"PARTNEROPS_EXIT_COOLING_OFF" default:"168h" help:"How long an exiting partner with nothing open may still withdraw (168h: 7 calendar days; e.g. 30s for demos)."`
	// IdempotencyRetention is how long the worker's hourly sweep keeps idempotency keys.
	IdempotencyRetention time.Duration `name:"idempotency-retention" env:"PARTNEROPS_IDEMPOTENCY_RETENTION" default:"24h" help:"How long an Idempotency-Key is remembered: a request repeated with it later creates anew."`
	ExitSLA              string        `name:"exit-sla" env:"PARTNEROPS_EXIT_SLA" default:"5wd" help:"How long ops have to handle an exit once its cooling-off is over: working days on the business calendar (5wd), or a duration for demos (2m)."`

	// OutboxParkAfter is read by the worker's start reconciler.
	OutboxParkAfter int `name:"outbox-park-after" env:"PARTNEROPS_OUTBOX_PARK_AFTER" default:"10" help:"Failed starts of a case's workflow after which the reconciler parks the start request (ops retry it)."`

	// RenewalRetention is read by every renewal run.
	RenewalRetention string `name:"renewal-retention" env:"PARTNEROPS_RENEWAL_RETENTION" default:"15" help:"Days a yearly/monthly resource is retained after it expires, optionally per type (15,eip=7): auto-renewal retries a group short of funds daily until then, and releases it after."`
	// AtRisk is how close to its deadline the console marks a case amber.
	AtRisk time.Duration `name:"at-risk" env:"PARTNEROPS_AT_RISK" default:"4h" help:"The console marks an open case at risk (amber) when less than this is left to its deadline (4h: about half a working day)."`
	// PendingRegistrations bounds the partners that registered themselves
	// and have not submitted a certification yet.
	PendingRegistrations int `name:"pending-registrations" env:"PARTNEROPS_PENDING_REGISTRATIONS" default:"200" help:"Most self-registered partners that have not submitted a certification; one more registration is refused with 429 registrations-full (0: no bound)."`
	// DelegatedTokenMinLifetime is the shortest lifetime a delegated token may be asked for.
	DelegatedTokenMinLifetime time.Duration `name:"delegated-token-min-lifetime" env:"PARTNEROPS_DELEGATED_TOKEN_MIN_LIFETIME" default:"15m" help:"The shortest lifetime a partner may ask for a delegated token (at most 12h; tests use seconds)."`
}

// HTTP is where the API listens, and how long it waits for a case's workflow.
type HTTP struct {
	Addr        string        `name:"http-addr" env:"PARTNEROPS_HTTP_ADDR" default:"127.0.0.1:8080" help:"Address the HTTP API listens on."`
	ReadTimeout time.Duration `name:"case-read-timeout" env:"PARTNEROPS_CASE_READ_TIMEOUT" default:"2s" help:"How long a case read waits for its workflow before answering from the read model (marked not live)."`
	// AttachmentsURL is where the API keeps cases' attachments' bytes.
	AttachmentsURL string        `name:"attachments-url" env:"PARTNEROPS_ATTACHMENTS_URL" help:"Where certification attachments' bytes are kept: empty for PostgreSQL, or an S3-compatible bucket's URL (s3://bucket?region=…&endpoint=…&use_path_style=true; credentials from the AWS environment)."`
	ActionTimeout  time.Duration `name:"case-action-timeout" env:"PARTNEROPS_CASE_ACTION_TIMEOUT" default:"10s" help:"How long an action on a case waits for its workflow before answering 503 with Retry-After."`
	// Rate limits, counted in PostgreSQL so that every replica holds them
	// (api.RateLimits); 0 turns a limit off.
	RateLimitWindow        time.Duration `name:"rate-limit-window" env:"PARTNEROPS_RATE_LIMIT_WINDOW" default:"1m" help:"The window the rate limits count requests in (0: no rate limits)."`
	RateLimitPerToken      int           `name:"rate-limit-per-token" env:"PARTNEROPS_RATE_LIMIT_PER_TOKEN" default:"6000" help:"Requests one API token may send per window; beyond, 429 with Retry-After (0: no limit)."`
	RateLimitPerAddress    int           `name:"rate-limit-per-address" env:"PARTNEROPS_RATE_LIMIT_PER_ADDRESS" default:"12000" help:"Requests one client address may send per window (0: no limit)."`
	RateLimitStrict        int           `name:"rate-limit-strict" env:"PARTNEROPS_RATE_LIMIT_STRICT" default:"30" help:"Requests per window, per token or else per address, to console sign-in, self-registration and association requests (0: no limit)."`
	RateLimitRegistrations int           `name:"rate-limit-registrations" env:"PARTNEROPS_RATE_LIMIT_REGISTRATIONS" default:"60" help:"Self-registrations per window from all client addresses together (0: no limit)."`
}

// WorkerHTTP is where a worker serves its probes and metrics.
type WorkerHTTP struct {
	Addr string `name:"worker-addr" env:"PARTNEROPS_WORKER_ADDR" default:"127.0.0.1:8090" help:"Address the worker serves /healthz, /readyz and /metrics on; empty: none."`
}

// Log shapes the structured logs.
type Log struct {
	Level  string `name:"log-level" env:"PARTNEROPS_LOG_LEVEL" default:"info" enum:"debug,info,warn,error" help:"Log level (debug, info, warn, error)."`
	Format string `name:"log-format" env:"PARTNEROPS_LOG_FORMAT" default:"text" enum:"text,json" help:"Log format (text or json)."`
	// OTLPEndpoint, when set, exports traces there (telemetry.Start).
	OTLPEndpoint string `name:"otlp-endpoint" env:"OTEL_EXPORTER_OTLP_ENDPOINT" help:"OTLP (gRPC) endpoint URL to export traces to, such as http://collector:4317; empty: no traces."`
}

// Dev configures what `partnerops dev` embeds.
type Dev struct {
	DataDir      string `name:"data-dir" env:"PARTNEROPS_DATA_DIR" default:".data" help:"Where dev keeps the embedded Temporal server's SQLite file (and a private PostgreSQL cluster, if it needs one)."`
	TemporalPort int    `name:"temporal-port" env:"PARTNEROPS_DEV_TEMPORAL_PORT" default:"7233" help:"Port of the embedded Temporal frontend (0 picks a free port)."`
	UIPort       int    `name:"ui-port" env:"PARTNEROPS_DEV_UI_PORT" default:"8233" help:"Port of the embedded Temporal Web UI (0 picks a free port)."`
}

// Webhooks shapes the delivery of partner events to partners' endpoints.
type Webhooks struct {
	AllowLoopback bool          `name:"webhooks-allow-loopback" env:"PARTNEROPS_WEBHOOKS_ALLOW_LOOPBACK" help:"Accept webhook endpoints on loopback addresses (http allowed there), for dev and tests; private, link-local and metadata addresses stay refused."`
	RetryBase     time.Duration `name:"webhooks-retry-base" env:"PARTNEROPS_WEBHOOKS_RETRY_BASE" default:"5s" help:"First wait before retrying a failed webhook delivery; it doubles each attempt up to the retry cap, for 3 days."`
	RetryCap      time.Duration `name:"webhooks-retry-cap" env:"PARTNEROPS_WEBHOOKS_RETRY_CAP" default:"1h" help:"Longest wait between two attempts of a webhook delivery."`
	DisableAfter  time.Duration `name:"webhooks-disable-after" env:"PARTNEROPS_WEBHOOKS_DISABLE_AFTER" default:"24h" help:"How long an endpoint's deliveries may fail without a success before the endpoint is disabled and its partner's admin told."`
}
