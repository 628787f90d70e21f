package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"partnerops/cases"
	"partnerops/rules"
)

// Partner is an organisation in the partner program.
type Partner struct {
	ID        string         `db:"id" json:"id"`
	Name      string         `db:"name" json:"name"`
	Type      string         `db:"type" json:"type"`
	Level     sql.NullString `db:"level" json:"-"`
	CreatedAt time.Time      `db:"created_at" json:"created_at"`
	// Who registered the partner; NULL for partners made by the demo or tools.
	CreatedBy     sql.NullString `db:"created_by" json:"-"`
	CreatedByName sql.NullString `db:"created_by_name" json:"-"`
	CreatedByRole sql.NullString `db:"created_by_role" json:"-"`
	// Settings, which the partner's admin switches itself.
	AutoIncentiveApplication bool           `db:"auto_incentive_application" json:"-"`
	SettingsUpdatedAt        sql.NullTime   `db:"settings_updated_at" json:"-"`
	SettingsUpdatedBy        sql.NullString `db:"settings_updated_by" json:"-"`
	SettingsUpdatedByName    sql.NullString `db:"settings_updated_by_name" json:"-"`
	SettingsUpdatedByRole    sql.NullString `db:"settings_updated_by_role" json:"-"`
	// Standing in the program (migration 00013): active, exiting, exited or
	// deregistered; the exit case while one runs or once it ended the membership.
	Status         string         `db:"status" json:"-"`
	ExitCaseID     sql.NullString `db:"exit_case_id" json:"-"`
	ExitedAt       sql.NullTime   `db:"exited_at" json:"-"`
	DeregisteredAt sql.NullTime   `db:"deregistered_at" json:"-"`
	// A partner that registered itself (migration 00029), with its contact.
	SelfRegistered bool           `db:"self_registered" json:"-"`
	ContactName    sql.NullString `db:"contact_name" json:"-"`
	ContactPhone   sql.NullString `db:"contact_phone" json:"-"`
	ContactEmail   sql.NullString `db:"contact_email" json:"-"`
}

const partnerSelect = `
	SELECT pa.id, pa.name, pa.type, pa.level, pa.created_at,
	       pa.created_by, c.name AS created_by_name, c.role AS created_by_role, pa.auto_incentive_application,
	       pa.settings_updated_at, pa.settings_updated_by,
	       u.name AS settings_updated_by_name, u.role AS settings_updated_by_role,
	       pa.status, pa.exit_case_id, pa.exited_at, pa.deregistered_at,
	       pa.self_registered, pa.contact_name, pa.contact_phone, pa.contact_email
	FROM partners pa
	LEFT JOIN principals c ON c.id = pa.created_by
	LEFT JOIN principals u ON u.id = pa.settings_updated_by`

// CreatePartner stores a new partner. A solution provider given no level
// starts at the entry level (certified); other types have none.
func (s *Store) CreatePartner(ctx context.Context, name, partnerType, level string) (Partner, error) {
	var p Partner
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		p, err = insertPartner(ctx, tx, name, partnerType, level, "")
		return err
	})
	return p, err
}

// insertPartner stores a partner registered by createdBy ("" for none).
func insertPartner(ctx context.Context, tx *sqlx.Tx, name, partnerType, level, createdBy string) (Partner, error) {
	if level == "" && rules.PartnerType(partnerType).HasLevels() {
		level = string(rules.EntryLevel)
	}
	id := NewID("prt")
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO partners (id, name, type, level, created_by) VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''))`,
		id, name, partnerType, level, createdBy); err != nil {
		return Partner{}, err
	}
	var p Partner
	err := tx.GetContext(ctx, &p, partnerSelect+` WHERE pa.id = $1`, id)
	return p, err
}

// Partner reads one partner.
func (s *Store) Partner(ctx context.Context, id string) (Partner, error) {
	var p Partner
	err := s.db.GetContext(ctx, &p, partnerSelect+` WHERE pa.id = $1`, id)
	return p, notFoundIfNoRows(err)
}

// CountPartners counts the partners in the program.
func (s *Store) CountPartners(ctx context.Context) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM partners`)
	return n, err
}

// CountPartnersNotNamed counts the partners whose name is none of names.
func (s *Store) CountPartnersNotNamed(ctx context.Context, names []string) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM partners WHERE NOT (name = ANY($1))`, pq.Array(names))
	return n, err
}

// RegisteredPartner is a new partner with its company (admin) account.
type RegisteredPartner struct {
	Partner    Partner
	Admin      Principal
	AdminToken string // shown this once: only its hash is kept
}

// RegisterPartner stores a new partner and its company (admin) account,
// named adminName, in one transaction, and audits who registered it.
func (s *Store) RegisterPartner(ctx context.Context, np rules.NewPartner, adminName string, by Principal) (RegisteredPartner, error) {
	var r RegisteredPartner
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if r.Partner, err = insertPartner(ctx, tx, np.Name, string(np.Type), string(np.Level), by.ID); err != nil {
			return err
		}
		r.Admin, r.AdminToken, err = createPrincipal(ctx, tx, NewPrincipal{
			Name: adminName, Role: cases.RoleAdmin, PartnerID: r.Partner.ID,
		})
		if err != nil {
			return err
		}
		return recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: r.Partner.ID, Action: "partner.registered",
			TargetKind: "partner", TargetID: r.Partner.ID,
			Detail: map[string]any{"name": r.Partner.Name, "type": r.Partner.Type, "level": r.Partner.Level.String,
				"admin_principal_id": r.Admin.ID},
		})
	})
	return r, err
}

// PartnerAdmin reads the partner's company (admin) account.
func (s *Store) PartnerAdmin(ctx context.Context, partnerID string) (Principal, error) {
	var p Principal
	err := s.db.GetContext(ctx, &p, `
		SELECT id, name, role, partner_id, customer_id, created_at
		FROM principals WHERE partner_id = $1 AND role = 'admin'`, partnerID)
	return p, notFoundIfNoRows(err)
}

// UpdatePartnerSettings switches the partner's automatic application of
// incentives, recording who did it, and audits the change.
func (s *Store) UpdatePartnerSettings(ctx context.Context, partnerID string, autoIncentiveApplication bool, by Principal) (Partner, error) {
	var p Partner
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var before bool
		err := tx.GetContext(ctx, &before, `SELECT auto_incentive_application FROM partners WHERE id = $1 FOR NO KEY UPDATE`, partnerID)
		if err != nil {
			return notFoundIfNoRows(err)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE partners SET auto_incentive_application = $2, settings_updated_at = now(), settings_updated_by = $3
			WHERE id = $1`, partnerID, autoIncentiveApplication, by.ID); err != nil {
			return err
		}
		if err := recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: partnerID, Action: "partner.settings_updated",
			TargetKind: "partner", TargetID: partnerID,
			Detail: map[string]any{"auto_incentive_application": map[string]bool{"from": before, "to": autoIncentiveApplication}},
		}); err != nil {
			return err
		}
		return tx.GetContext(ctx, &p, partnerSelect+` WHERE pa.id = $1`, partnerID)
	})
	return p, err
}

// BusinessPlan is a signed market-expansion business plan on file.
type BusinessPlan struct {
	ID              string    `db:"id"`
	PartnerID       string    `db:"partner_id"`
	Year            int       `db:"year"`
	RevenueAmount   int64     `db:"revenue_target_amount"`
	RevenueCurrency string    `db:"revenue_target_currency"`
	SignedBy        string    `db:"signed_by"`
	SignedAt        time.Time `db:"signed_at"`
	DocumentURL     string    `db:"document_url"`
	CreatedBy       string    `db:"created_by"`
	CreatedByName   string    `db:"created_by_name"`
	CreatedByRole   string    `db:"created_by_role"`
	CreatedAt       time.Time `db:"created_at"`
}

const businessPlanSelect = `
	SELECT b.id, b.partner_id, b.year, b.revenue_target_amount, b.revenue_target_currency, b.signed_by,
	       b.signed_at, b.document_url, b.created_by, u.name AS created_by_name, u.role AS created_by_role, b.created_at
	FROM partner_business_plans b JOIN principals u ON u.id = b.created_by`

// FileBusinessPlan stores a partner's signed business plan and audits it.
// With idem, a retry of the same request answers the plan it filed before
// (created false); the key with another request is ErrIdempotencyConflict.
func (s *Store) FileBusinessPlan(ctx context.Context, partnerID string, plan rules.BusinessPlan, by Principal, idem *Idempotency) (BusinessPlan, bool, error) {
	id := NewID("bpl")
	// A key that stands for something other than one of this partner's
	// plans replays nothing: ErrNotFound.
	ofPartner := func(ctx context.Context, q sqlx.QueryerContext, existing string) (BusinessPlan, error) {
		return businessPlan(ctx, q, partnerID, existing)
	}
	out, replayed, err := createIdempotently(ctx, s, idem, id, ofPartner, func(tx *sqlx.Tx) (BusinessPlan, error) {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO partner_business_plans (id, partner_id, year, revenue_target_amount, revenue_target_currency,
			                                    signed_by, signed_at, document_url, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			id, partnerID, plan.Year, plan.RevenueTarget.Amount, plan.RevenueTarget.Currency,
			plan.SignedBy, plan.SignedAt, plan.DocumentURL, by.ID); err != nil {
			return BusinessPlan{}, err
		}
		if err := recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: partnerID, Action: "business_plan.filed",
			TargetKind: "business_plan", TargetID: id,
			Detail: map[string]any{"year": plan.Year, "revenue_target": plan.RevenueTarget, "signed_by": plan.SignedBy},
		}); err != nil {
			return BusinessPlan{}, err
		}
		var out BusinessPlan
		err := tx.GetContext(ctx, &out, businessPlanSelect+` WHERE b.id = $1`, id)
		return out, err
	})
	if err != nil {
		return BusinessPlan{}, false, notFoundIfNoRows(err)
	}
	return out, !replayed, nil
}

// BusinessPlans returns page p of a partner's business plans, newest
// first, and the cursor of the next page ("" on the last).
func (s *Store) BusinessPlans(ctx context.Context, partnerID string, p Page) ([]BusinessPlan, string, error) {
	q := listQuery{from: businessPlanSelect, order: newestFirst("b.created_at", "b.id")}
	q.and("b.partner_id = %s", partnerID)
	return selectPage(ctx, s, q, p, func(b BusinessPlan) []any { return []any{b.CreatedAt, b.ID} })
}

// LevelApplication is a solution provider's application for a level.
type LevelApplication struct {
	ID              string         `db:"id"`
	PartnerID       string         `db:"partner_id"`
	Level           string         `db:"level"`
	Status          string         `db:"status"`
	BusinessPlanID  sql.NullString `db:"business_plan_id"`
	SubmittedBy     string         `db:"submitted_by"`
	SubmittedByName string         `db:"submitted_by_name"`
	SubmittedByRole string         `db:"submitted_by_role"`
	CreatedAt       time.Time      `db:"created_at"`
	DecidedBy       sql.NullString `db:"decided_by"`
	DecidedByName   sql.NullString `db:"decided_by_name"`
	DecidedByRole   sql.NullString `db:"decided_by_role"`
	DecidedAt       sql.NullTime   `db:"decided_at"`
	DecisionReason  string         `db:"decision_reason"`
}

const levelApplicationSelect = `
	SELECT a.id, a.partner_id, a.level, a.status, a.business_plan_id, a.submitted_by,
	       u.name AS submitted_by_name, u.role AS submitted_by_role, a.created_at,
	       a.decided_by, d.name AS decided_by_name, d.role AS decided_by_role, a.decided_at, a.decision_reason
	FROM partner_level_applications a JOIN principals u ON u.id = a.submitted_by
	LEFT JOIN principals d ON d.id = a.decided_by`

// SubmitLevelApplication records a partner's application for level, for
// the business year year, when refuse (the rules, given the partner's
// state read under a lock on the partner) returns nil; else it returns
// refuse's error and writes nothing. A leading application refers to the
// newest business plan of that year.
func (s *Store) SubmitLevelApplication(ctx context.Context, partnerID, level string, year int, by Principal,
	refuse func(rules.LevelApplicationState) error) (LevelApplication, error) {
	var out LevelApplication
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var partner struct {
			Type  string         `db:"type"`
			Level sql.NullString `db:"level"`
		}
		if err := tx.GetContext(ctx, &partner, `SELECT type, level FROM partners WHERE id = $1 FOR NO KEY UPDATE`, partnerID); err != nil {
			return notFoundIfNoRows(err)
		}
		if err := requireCertified(ctx, tx, partnerID, GatedLevelApplication); err != nil {
			return err
		}
		st := rules.LevelApplicationState{
			Type: rules.PartnerType(partner.Type), Level: rules.PartnerLevel(partner.Level.String), CurrentBusinessYear: year,
		}
		if err := tx.GetContext(ctx, &st.SubmittedPending, `
			SELECT EXISTS (SELECT 1 FROM partner_level_applications WHERE partner_id = $1 AND status = 'submitted')`,
			partnerID); err != nil {
			return err
		}
		var planID string
		err := tx.GetContext(ctx, &planID, `
			SELECT id FROM partner_business_plans WHERE partner_id = $1 AND year = $2
			ORDER BY created_at DESC, id DESC LIMIT 1`, partnerID, year)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		st.HasCurrentYearPlan = planID != ""
		if err := refuse(st); err != nil {
			return err
		}
		if !rules.PartnerLevel(level).NeedsBusinessPlan() {
			planID = ""
		}
		id := NewID("lva")
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO partner_level_applications (id, partner_id, level, status, business_plan_id, submitted_by)
			VALUES ($1, $2, $3, 'submitted', NULLIF($4, ''), $5)`, id, partnerID, level, planID, by.ID); err != nil {
			return err
		}
		if err := recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: partnerID, Action: "level_application.submitted",
			TargetKind: "level_application", TargetID: id,
			Detail: map[string]any{"level": level, "from_level": partner.Level.String, "business_plan_id": planID},
		}); err != nil {
			return err
		}
		return tx.GetContext(ctx, &out, levelApplicationSelect+` WHERE a.id = $1`, id)
	})
	return out, err
}

// LevelApplications returns page p of a partner's level applications,
// newest first, and the cursor of the next page ("" on the last).
func (s *Store) LevelApplications(ctx context.Context, partnerID string, p Page) ([]LevelApplication, string, error) {
	q := listQuery{from: levelApplicationSelect, order: newestFirst("a.created_at", "a.id")}
	q.and("a.partner_id = %s", partnerID)
	return selectPage(ctx, s, q, p, func(a LevelApplication) []any { return []any{a.CreatedAt, a.ID} })
}

// BusinessPlan reads one of the partner's business plans.
func (s *Store) BusinessPlan(ctx context.Context, partnerID, id string) (BusinessPlan, error) {
	return businessPlan(ctx, s.db, partnerID, id)
}

func businessPlan(ctx context.Context, q sqlx.QueryerContext, partnerID, id string) (BusinessPlan, error) {
	var b BusinessPlan
	err := sqlx.GetContext(ctx, q, &b, businessPlanSelect+` WHERE b.id = $1 AND b.partner_id = $2`, id, partnerID)
	return b, notFoundIfNoRows(err)
}

// LevelApplication reads one of the partner's level applications.
func (s *Store) LevelApplication(ctx context.Context, partnerID, id string) (LevelApplication, error) {
	var a LevelApplication
	err := s.db.GetContext(ctx, &a, levelApplicationSelect+` WHERE a.id = $1 AND a.partner_id = $2`, id, partnerID)
	return a, notFoundIfNoRows(err)
}

// ErrApplicationDecided is a decision on a level application that was
// already decided.
var ErrApplicationDecided = errors.New("the level application was already decided")

// DecideLevelApplication records ops' decision on a submitted level
// application: approved, the partner takes the level; rejected, with the
// reason. Audited.
func (s *Store) DecideLevelApplication(ctx context.Context, partnerID, id string, approve bool, reason string, by Principal) (LevelApplication, error) {
	var out LevelApplication
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &out, levelApplicationSelect+` WHERE a.id = $1 AND a.partner_id = $2 FOR UPDATE OF a`,
			id, partnerID); err != nil {
			return notFoundIfNoRows(err)
		}
		if out.Status != "submitted" {
			return ErrApplicationDecided
		}
		status := "rejected"
		if approve {
			status = "approved"
			if _, err := tx.ExecContext(ctx, `UPDATE partners SET level = $2 WHERE id = $1`, partnerID, out.Level); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE partner_level_applications SET status = $2, decided_by = $3, decided_at = now(), decision_reason = $4
			WHERE id = $1`, id, status, by.ID, reason); err != nil {
			return err
		}
		if err := recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: partnerID, Action: "level_application." + status,
			TargetKind: "level_application", TargetID: id, Detail: map[string]any{"level": out.Level, "reason": reason},
		}); err != nil {
			return err
		}
		return tx.GetContext(ctx, &out, levelApplicationSelect+` WHERE a.id = $1`, id)
	})
	return out, err
}
