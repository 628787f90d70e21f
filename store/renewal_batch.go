package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"partnerops/rules"
)

// errBatchReplayed rolls a batch back when one of its term references was
// posted before: RenewDueGroups then renews each group on its own, where a
// replay is told apart from a conflict.
var errBatchReplayed = errors.New("a term reference of the batch was posted before")

// RenewDueGroups renews, by their auto-renewal, the due groups the sweep
// read (req gives the run, actor, location and instant; its PrimaryID and
// Term are each group's), and returns each group's result in order: nil
// for a group renewed, else the error RenewGroup gives it.
//
// The groups that renew plainly (primary still at the term seen, renewable,
// no unpaid order, both accounts existing, enough money counting the
// batch's earlier charges to the same account) are renewed together in one
// transaction of a few set-based statements: it locks the primaries, then
// the accounts, each in ascending ID order (the ledger's one order:
// resources before accounts), checks each charge against the balance the
// batch leaves, and writes the postings, entries, balances, extensions,
// renewals and notices as arrays. Every other group, and every group of a
// batch one of whose term references was posted before, is then renewed
// by RenewGroup in its own transaction, which names why it cannot be
// renewed (a short balance writes nothing; the next day's run tries
// again). A group is charged at most once per term either way: its
// posting's reference is its term's, and its renewal is UNIQUE per term.
func (s *Store) RenewDueGroups(ctx context.Context, req RenewalRequest, groups []rules.DueGroup) ([]error, error) {
	req.Auto, req.CustomerID = true, ""
	alone := make([]bool, len(groups))
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		clear(alone)
		return renewTogether(ctx, tx, req, groups, alone)
	})
	if errors.Is(err, errBatchReplayed) {
		err = nil
		for i := range alone {
			alone[i] = true
		}
	}
	if err != nil {
		return nil, err
	}
	results := make([]error, len(groups))
	for i, g := range groups {
		if alone[i] {
			one := req
			one.PrimaryID, one.Term = g.PrimaryID, g.Term
			_, results[i] = s.RenewGroup(ctx, one)
		}
	}
	return results, nil
}

// batchGroup is a due group of a batch as the batch reads it.
type batchGroup struct {
	primary   Resource
	members   []string
	prices    []rules.Money
	partnerID string
	customer  string // its customer's name
	period    rules.RenewalPeriod
	charge    rules.Money
	from, to  string // the accounts charged and credited
}

// batchAccount is an account by its owner and currency.
type batchAccount struct {
	AccountRef
	currency string
}

// payer is the account a group's charge is taken from: its customer's, in its partner's books.
func (b *batchGroup) payer() batchAccount {
	return batchAccount{CustomerAccount(b.partnerID, b.primary.CustomerID), b.charge.Currency}
}

// revenue is the account a group's charge goes to.
func (b *batchGroup) revenue() batchAccount {
	return batchAccount{VendorRevenueAccount(b.partnerID), b.charge.Currency}
}

// renewTogether renews in tx the groups that renew plainly and marks the
// others alone.
func renewTogether(ctx context.Context, tx *sqlx.Tx, req RenewalRequest, groups []rules.DueGroup, alone []bool) error {
	ids := make([]string, len(groups))
	for i, g := range groups {
		ids[i] = g.PrimaryID
	}
	var primaries []Resource
	if err := tx.SelectContext(ctx, &primaries, `SELECT `+resourceColumns+`
		FROM resources r LEFT JOIN resources g ON g.id = r.primary_id
		WHERE r.id = ANY($1) ORDER BY r.id FOR NO KEY UPDATE OF r`, pq.Array(ids)); err != nil {
		return err
	}
	byID := make(map[string]*batchGroup, len(primaries))
	for _, p := range primaries {
		byID[p.ID] = &batchGroup{primary: p}
	}
	var members []struct {
		GroupID string         `db:"group_id"`
		ID      string         `db:"id"`
		Price   int64          `db:"monthly_price"`
		Unpaid  bool           `db:"unpaid"`
		Partner sql.NullString `db:"partner_id"`
		Name    string         `db:"customer_name"`
	}
	if err := tx.SelectContext(ctx, &members, `
		SELECT COALESCE(r.primary_id, r.id) AS group_id, r.id, r.monthly_price,
		       COALESCE(o.status IN ('pending_payment', 'pending_partner_payment'), false) AS unpaid, c.partner_id, c.name AS customer_name
		FROM (SELECT * FROM resources WHERE id = ANY($1) UNION ALL SELECT * FROM resources WHERE primary_id = ANY($1)) r
		JOIN customers c ON c.id = r.customer_id LEFT JOIN orders o ON o.id = r.order_id
		WHERE r.status <> 'closed'
		ORDER BY group_id, r.primary_id NULLS FIRST, r.id`, pq.Array(ids)); err != nil {
		return err
	}
	unpaid := map[string]bool{}
	for _, m := range members {
		b := byID[m.GroupID]
		if b == nil {
			continue
		}
		if len(b.members) == 0 {
			b.partnerID, b.customer = m.Partner.String, m.Name
		}
		b.members = append(b.members, m.ID)
		b.prices = append(b.prices, rules.Money{Amount: m.Price, Currency: b.primary.Currency})
		unpaid[m.GroupID] = unpaid[m.GroupID] || m.Unpaid
	}

	// A customer holding earmarked money pays from it first: its groups
	// renew alone (RenewGroup), the batch charges unrestricted money only.
	customers := make([]string, 0, len(primaries))
	for _, p := range primaries {
		customers = append(customers, p.CustomerID)
	}
	var earmarked []string
	if err := tx.SelectContext(ctx, &earmarked, `
		SELECT DISTINCT customer_id FROM money_accounts
		WHERE kind = 'customer' AND customer_id = ANY($1) AND cardinality(scenes) > 0 AND balance > 0`, pq.Array(customers)); err != nil {
		return err
	}

	// The groups that renew plainly so far, and the accounts they move money between.
	plain := make([]*batchGroup, len(groups))
	accounts := map[batchAccount]string{}
	for i, g := range groups {
		b := byID[g.PrimaryID]
		if b == nil || !renewsPlainly(b, g, unpaid[g.PrimaryID]) || slices.Contains(earmarked, b.primary.CustomerID) {
			alone[i] = true
			continue
		}
		b.period = b.primary.AutoRenewal().RenewalPeriod
		charge, ok := b.period.Charge(b.prices)
		if !ok {
			alone[i] = true
			continue
		}
		b.charge = charge
		accounts[b.payer()], accounts[b.revenue()] = "", ""
		plain[i] = b
	}
	balances, err := lockBatchAccounts(ctx, tx, accounts)
	if err != nil {
		return err
	}

	// Each charge against the balance the batch's earlier charges leave.
	var w batchWrites
	for i, b := range plain {
		if b == nil {
			continue
		}
		b.from, b.to = accounts[b.payer()], accounts[b.revenue()]
		if b.from == "" || b.to == "" || balances[b.from] < b.charge.Amount || balances[b.to] > math.MaxInt64-b.charge.Amount {
			alone[i] = true
			continue
		}
		balances[b.from] -= b.charge.Amount
		balances[b.to] += b.charge.Amount
		w.add(b, balances[b.from], balances[b.to], req)
	}
	if len(w.renewals) == 0 {
		return nil
	}
	return w.write(ctx, tx, req, balances)
}

// renewsPlainly says whether the batch renews group g itself: its primary
// is still at the term the sweep saw, renewable, with auto-renewal on, and
// no resource of it is in an unpaid order; RenewGroup names what else.
func renewsPlainly(b *batchGroup, g rules.DueGroup, unpaid bool) bool {
	p := b.primary
	return !p.PrimaryID.Valid && p.ExpiresAt.Equal(g.Term) && p.Billing == "period" &&
		(p.Status == rules.ResourceInUse || p.Status == rules.ResourceExpired || p.Status == rules.ResourceFrozen) && p.AutoRenewal() != nil &&
		len(b.members) > 0 && !unpaid && b.partnerID != ""
}

// lockBatchAccounts finds the accounts (IDs filled in place; one not
// created yet stays "") and locks them FOR NO KEY UPDATE in ascending ID
// order, returning their balances.
func lockBatchAccounts(ctx context.Context, tx *sqlx.Tx, accounts map[batchAccount]string) (map[string]int64, error) {
	var kinds, partners, customers, currencies []string
	for a := range accounts {
		kinds, partners, customers = append(kinds, string(a.Kind)), append(partners, a.PartnerID), append(customers, a.CustomerID)
		currencies = append(currencies, a.currency)
	}
	var rows []struct {
		ID         string      `db:"id"`
		Kind       AccountKind `db:"kind"`
		PartnerID  string      `db:"partner_id"`
		CustomerID string      `db:"customer_id"`
		Currency   string      `db:"currency"`
		Balance    int64       `db:"balance"`
	}
	if err := tx.SelectContext(ctx, &rows, `
		SELECT a.id, a.kind, a.partner_id, COALESCE(a.customer_id, '') AS customer_id, a.currency, a.balance
		FROM money_accounts a
		JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) k (kind, partner_id, customer_id, currency)
		  ON a.kind = k.kind AND a.partner_id = k.partner_id AND COALESCE(a.customer_id, '') = k.customer_id AND a.currency = k.currency
		     AND cardinality(a.scenes) = 0
		ORDER BY a.id FOR NO KEY UPDATE OF a`,
		pq.Array(kinds), pq.Array(partners), pq.Array(customers), pq.Array(currencies)); err != nil {
		return nil, err
	}
	balances := make(map[string]int64, len(rows))
	for _, r := range rows {
		accounts[batchAccount{AccountRef{Kind: r.Kind, PartnerID: r.PartnerID, CustomerID: r.CustomerID}, r.Currency}] = r.ID
		balances[r.ID] = r.Balance
	}
	return balances, nil
}

// batchWrites are a batch's rows, column by column, for its set-based
// statements.
type batchWrites struct {
	renewals                                               []Renewal
	postingIDs, references, memos                          []string
	entryPostings, entryAccounts, entryPartners, entryCurr []string
	entryAmounts, entryAfter                               []int64
	members                                                []string
	memberMonths                                           []int64
	autoUnit                                               []sql.NullString
	autoPeriod, autoCount                                  []sql.NullInt64
	noticeRenewals, noticeAudiences, noticeMessages        []string
	noticePartners, noticeCustomers                        []sql.NullString
}

// add is group b's renewal: its posting (fromAfter and toAfter are the two
// balances it leaves), extension, count-down, record and notices.
func (w *batchWrites) add(b *batchGroup, fromAfter, toAfter int64, req RenewalRequest) {
	p := b.primary
	posting := NewID("pst")
	r := Renewal{
		ID: NewID("rnw"), PrimaryID: p.ID, CustomerID: p.CustomerID, PartnerID: b.partnerID,
		Term: p.ExpiresAt, NewExpiry: b.period.Extend(p.ExpiresAt, req.Location), PeriodUnit: b.period.Unit, Period: b.period.Period,
		Amount: b.charge.Amount, Currency: b.charge.Currency, PostingID: posting,
		RunID: sql.NullString{String: req.RunID, Valid: req.RunID != ""}, RenewedBy: req.ActorID, RenewedAt: req.RenewedAt,
		Resources: b.members, CustomerName: b.customer,
	}
	w.renewals = append(w.renewals, r)
	w.postingIDs = append(w.postingIDs, posting)
	w.references = append(w.references, rules.TermReference(p.ID, p.ExpiresAt))
	w.memos = append(w.memos, fmt.Sprintf("renewal of %s for %d %s", p.ID, b.period.Period, b.period.Unit))
	w.entryPostings = append(w.entryPostings, posting, posting)
	w.entryAccounts = append(w.entryAccounts, b.from, b.to)
	w.entryPartners = append(w.entryPartners, b.partnerID, b.partnerID)
	w.entryCurr = append(w.entryCurr, b.charge.Currency, b.charge.Currency)
	w.entryAmounts = append(w.entryAmounts, -b.charge.Amount, b.charge.Amount)
	w.entryAfter = append(w.entryAfter, fromAfter, toAfter)
	for _, id := range b.members {
		w.members = append(w.members, id)
		w.memberMonths = append(w.memberMonths, int64(b.period.Months()))
	}
	unit, n, count := sql.NullString{}, sql.NullInt64{}, sql.NullInt64{}
	if next := p.AutoRenewal().After(); next != nil {
		unit, n, count = sql.NullString{String: next.Unit, Valid: true}, sql.NullInt64{Int64: int64(next.Period), Valid: true},
			sql.NullInt64{Int64: int64(next.Count), Valid: true}
	}
	w.autoUnit, w.autoPeriod, w.autoCount = append(w.autoUnit, unit), append(w.autoPeriod, n), append(w.autoCount, count)
	toCustomer, toPartner := renewalNotices(r, req.Location)
	w.noticeRenewals = append(w.noticeRenewals, r.ID, r.ID)
	w.noticeAudiences = append(w.noticeAudiences, "customer", "partner")
	w.noticeMessages = append(w.noticeMessages, toCustomer, toPartner)
	w.noticePartners = append(w.noticePartners, sql.NullString{}, sql.NullString{String: r.PartnerID, Valid: true})
	w.noticeCustomers = append(w.noticeCustomers, sql.NullString{String: r.CustomerID, Valid: true}, sql.NullString{})
}

// write runs the batch's statements; balances are the accounts' balances
// after it.
func (w *batchWrites) write(ctx context.Context, tx *sqlx.Tx, req RenewalRequest, balances map[string]int64) error {
	n := len(w.renewals)
	primaries, customers, partners, currencies, runIDs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]sql.NullString, n)
	terms, expiries, units := make([]string, n), make([]string, n), make([]string, n)
	periods, amounts := make([]int64, n), make([]int64, n)
	debits, credits := make([]string, n), make([]string, n)
	for i, r := range w.renewals {
		primaries[i], customers[i], partners[i], currencies[i], runIDs[i] = r.PrimaryID, r.CustomerID, r.PartnerID, r.Currency, r.RunID
		terms[i], expiries[i], units[i] = r.Term.Format(time.RFC3339Nano), r.NewExpiry.Format(time.RFC3339Nano), r.PeriodUnit
		periods[i], amounts[i] = int64(r.Period), r.Amount
		debits[i], credits[i] = w.entryAccounts[2*i], w.entryAccounts[2*i+1]
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO money_postings (id, kind, reference, partner_id, debit_account_id, credit_account_id, amount, currency, memo)
		SELECT id, 'renewal', reference, partner_id, debit, credit, amount, currency, memo
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[])
		     AS v (id, reference, partner_id, debit, credit, amount, currency, memo)
		ON CONFLICT (reference) DO NOTHING`,
		pq.Array(w.postingIDs), pq.Array(w.references), pq.Array(partners), pq.Array(debits), pq.Array(credits),
		pq.Array(amounts), pq.Array(currencies), pq.Array(w.memos))
	if err != nil {
		return err
	}
	if posted, err := res.RowsAffected(); err != nil {
		return err
	} else if posted != int64(n) {
		return errBatchReplayed
	}
	accountIDs := make([]string, 0, len(balances))
	for id := range balances {
		accountIDs = append(accountIDs, id)
	}
	slices.Sort(accountIDs)
	after := make([]int64, len(accountIDs))
	for i, id := range accountIDs {
		after[i] = balances[id]
	}
	statements := []struct {
		query string
		args  []any
	}{
		{`UPDATE money_accounts a SET balance = v.balance, updated_at = now()
			FROM unnest($1::text[], $2::bigint[]) AS v (id, balance) WHERE a.id = v.id AND a.balance <> v.balance`,
			[]any{pq.Array(accountIDs), pq.Array(after)}},
		{`INSERT INTO ledger_entries (posting_id, account_id, partner_id, amount, currency, balance_after)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[])`,
			[]any{pq.Array(w.entryPostings), pq.Array(w.entryAccounts), pq.Array(w.entryPartners), pq.Array(w.entryAmounts),
				pq.Array(w.entryCurr), pq.Array(w.entryAfter)}},
		{`UPDATE resources r SET expires_at = (r.expires_at AT TIME ZONE $3 + make_interval(months => v.months::int)) AT TIME ZONE $3,
			status = CASE WHEN r.status IN ('expired', 'frozen') THEN 'in_use' ELSE r.status END, updated_at = $4
			FROM unnest($1::text[], $2::bigint[]) AS v (id, months) WHERE r.id = v.id AND r.status <> 'closed'`,
			[]any{pq.Array(w.members), pq.Array(w.memberMonths), req.Location.String(), req.RenewedAt}},
		{`UPDATE resources r SET auto_renew_unit = v.unit, auto_renew_period = v.period::int, auto_renew_count = v.count::int,
			renewal_error = NULL, renewal_error_at = NULL
			FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS v (id, unit, period, count) WHERE r.id = v.id`,
			[]any{pq.Array(primaries), pq.Array(w.autoUnit), pq.Array(w.autoPeriod), pq.Array(w.autoCount)}},
		{`INSERT INTO resource_renewals (id, primary_id, customer_id, partner_id, term_expires_at, new_expires_at, period_unit,
			                               period, amount, currency, posting_id, run_id, renewed_by_id, renewed_by_role, renewed_at)
			SELECT id, primary_id, customer_id, partner_id, term, new_expiry, unit, period, amount, currency, posting_id, run_id, $13, $14, $15
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[],
			            $8::int[], $9::bigint[], $10::text[], $11::text[], $12::text[])
			     AS v (id, primary_id, customer_id, partner_id, term, new_expiry, unit, period, amount, currency, posting_id, run_id)`,
			[]any{pq.Array(renewalIDs(w.renewals)), pq.Array(primaries), pq.Array(customers), pq.Array(partners), pq.Array(terms),
				pq.Array(expiries), pq.Array(units), pq.Array(periods), pq.Array(amounts), pq.Array(currencies),
				pq.Array(w.postingIDs), pq.Array(runIDs), req.ActorID, req.ActorRole, req.RenewedAt}},
		{`INSERT INTO notifications (renewal_id, audience, partner_id, customer_id, kind, message, created_at)
			SELECT renewal_id, audience, partner_id, customer_id, 'resources_renewed', message, $6
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v (renewal_id, audience, partner_id, customer_id, message)`,
			[]any{pq.Array(w.noticeRenewals), pq.Array(w.noticeAudiences), pq.Array(w.noticePartners), pq.Array(w.noticeCustomers),
				pq.Array(w.noticeMessages), req.RenewedAt}},
	}
	for _, st := range statements {
		if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
			return err
		}
	}
	return nil
}

func renewalIDs(list []Renewal) []string {
	ids := make([]string, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	return ids
}
