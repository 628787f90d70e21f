package activities

import (
	"context"
	"fmt"
	"time"

	"partnerops/rules"
	"partnerops/store"
)

// Incentives checks the invoices of incentive settlements and pays them out.
type Incentives struct {
	Store    *store.Store
	Location *time.Location // the business time zone: what "today" is
}

// InvoiceCheckRequest is one invoice submitted in a round of a settlement.
type InvoiceCheckRequest struct {
	CaseID      string        `json:"case_id"`
	Round       int           `json:"round"`
	PartnerID   string        `json:"partner_id"`
	Invoice     rules.Invoice `json:"invoice"`
	Buyer       rules.Party   `json:"buyer"`
	Amount      rules.Money   `json:"amount"`
	PublishedAt time.Time     `json:"published_at"`
	SubmittedAt time.Time     `json:"submitted_at"`
}

// CheckInvoice records the invoice (claiming its number) and runs the
// automatic checks against the settlement, the vendor entity and the
// partner's certified business information. It returns every failed check;
// none means the invoice goes to ops. Run again for the same round, it
// gives the same answer.
func (a *Incentives) CheckInvoice(ctx context.Context, req InvoiceCheckRequest) ([]rules.InvoiceProblem, error) {
	used, err := a.Store.RecordInvoice(ctx, store.SubmittedInvoice{
		CaseID: req.CaseID, Round: req.Round, PartnerID: req.PartnerID, Invoice: req.Invoice, SubmittedAt: req.SubmittedAt,
	})
	if err != nil {
		return nil, fmt.Errorf("record the invoice: %w", err)
	}
	info, certified, err := a.Store.CertifiedBusinessInfo(ctx, req.PartnerID)
	if err != nil {
		return nil, fmt.Errorf("read the partner's certified business information: %w", err)
	}
	exp := rules.InvoiceExpectation{
		Buyer: req.Buyer, Amount: req.Amount, NumberUsed: used,
		PublishedOn: req.PublishedAt.In(a.Location).Format(time.DateOnly),
		Today:       req.SubmittedAt.In(a.Location).Format(time.DateOnly),
	}
	if certified {
		exp.Seller = rules.Party{Name: info.CompanyName, TaxID: info.CertificateNumber}
		exp.SellerTaxpayer = info.TaxpayerType
	}
	return rules.CheckInvoice(req.Invoice, exp), nil
}

// Payout is a settlement paid into the partner's account.
type Payout struct {
	Reference string      `json:"reference"` // the settlement's case: it pays once
	PartnerID string      `json:"partner_id"`
	Amount    rules.Money `json:"amount"`
	Memo      string      `json:"memo"`
}

// PayOut credits the partner's account from the vendor's incentive
// account, once per reference: a retry after a crash that followed the
// commit moves nothing.
func (a *Incentives) PayOut(ctx context.Context, p Payout) error {
	_, _, err := a.Store.PayIncentive(ctx, p.PartnerID, p.Amount, p.Reference, p.Memo)
	return err
}
