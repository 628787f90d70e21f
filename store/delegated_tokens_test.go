package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

// TestDelegatedTokens: a delegated token authenticates as its customer,
// named for who acts for whom, only while it is live: expired, revoked,
// its member removed or no longer allowed, or the customer dissociated, it
// is unknown. The token is stored only as its hash.
func TestDelegatedTokens(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	p, err := st.CreatePartner(ctx, "Acme", "solution_provider", "certified")
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Acme admin", Role: cases.RoleAdmin, PartnerID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	member, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Mia", Role: cases.RoleMember, PartnerID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	resale, err := st.CreateCustomer(ctx, "Blue Sky", p.ID, "resale")
	if err != nil {
		t.Fatal(err)
	}
	consultative, err := st.CreateCustomer(ctx, "Harbour", p.ID, "consultative")
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.CreateCustomer(ctx, "Elsewhere", "", "")
	if err != nil {
		t.Fatal(err)
	}
	live := func(token string) bool {
		t.Helper()
		_, err := st.PrincipalByToken(ctx, token)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	issue := func(by store.Principal, customerID string, lifetime time.Duration) (store.DelegatedToken, string) {
		t.Helper()
		d, token, err := st.IssueDelegatedToken(ctx, p.ID, customerID, lifetime, by)
		if err != nil {
			t.Fatal(err)
		}
		return d, token
	}

	d, token := issue(admin, resale.ID, time.Hour)
	got, err := st.PrincipalByToken(ctx, token)
	switch {
	case err != nil:
		t.Fatal(err)
	case got.Role != cases.RoleCustomer || got.CustomerID.String != resale.ID || got.PartnerID.Valid || !got.IsDelegated() ||
		got.DelegatedBy.String != admin.ID || got.Name != "Acme admin of Acme acting for Blue Sky":
		t.Fatalf("the delegated token authenticates %+v", got)
	}
	var stored int
	if err := st.DB().GetContext(ctx, &stored, `SELECT count(*) FROM principals WHERE token_hash = sha256($1::bytea) AND id = $2`,
		token, d.ID); err != nil || stored != 1 {
		t.Fatalf("the token is not stored as its hash: %d rows, %v", stored, err)
	}

	for name, refused := range map[string]struct {
		by       store.Principal
		customer string
		want     error
	}{
		"consultative":       {admin, consultative.ID, store.ErrDelegationNotResale},
		"not the partner's":  {admin, other.ID, store.ErrNotFound},
		"member not allowed": {member, resale.ID, store.ErrDelegationNotAllowed},
	} {
		if _, _, err := st.IssueDelegatedToken(ctx, p.ID, refused.customer, time.Hour, refused.by); !errors.Is(err, refused.want) {
			t.Errorf("%s: %v, want %v", name, err, refused.want)
		}
	}

	// the member, once allowed, obtains one; withdrawn, it stops working
	if err := st.AllowDelegation(ctx, p.ID, member.ID, true, admin); err != nil {
		t.Fatal(err)
	}
	_, memberToken := issue(member, resale.ID, time.Hour)
	if !live(memberToken) {
		t.Fatal("the allowed member's token does not authenticate")
	}
	if err := st.AllowDelegation(ctx, p.ID, member.ID, false, admin); err != nil {
		t.Fatal(err)
	}
	if live(memberToken) {
		t.Error("the member's token still works once its permission is withdrawn")
	}
	// allowed again, then removed from the partner: its token stops too
	if err := st.AllowDelegation(ctx, p.ID, member.ID, true, admin); err != nil {
		t.Fatal(err)
	}
	_, removedToken := issue(member, resale.ID, time.Hour)
	if err := st.RemoveMember(ctx, p.ID, member.ID, admin, func(rules.MemberAccount) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if live(removedToken) {
		t.Error("a removed member's token still works")
	}

	// expiry
	_, short := issue(admin, resale.ID, 500*time.Millisecond)
	if !live(short) {
		t.Fatal("a fresh short token does not authenticate")
	}
	time.Sleep(700 * time.Millisecond)
	if live(short) {
		t.Error("an expired token still authenticates")
	}

	// revocation: only by the partner's admin or its holder's member
	if err := st.RevokeDelegatedToken(ctx, p.ID, resale.ID, d.ID, member); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another member revoked the admin's token: %v", err)
	}
	if err := st.RevokeDelegatedToken(ctx, p.ID, resale.ID, d.ID, admin); err != nil {
		t.Fatal(err)
	}
	if live(token) {
		t.Error("a revoked token still authenticates")
	}
	if err := st.RevokeDelegatedToken(ctx, p.ID, resale.ID, d.ID, admin); err != nil {
		t.Errorf("revoking twice: %v", err)
	}

	// dissociation ends every token for the customer
	_, last := issue(admin, resale.ID, time.Hour)
	at := time.Now().UTC().Truncate(time.Microsecond)
	request, _, err := st.RequestAssociation(ctx, store.NewAssociationRequest{Direction: store.DirectionDissociate, PartnerID: p.ID,
		AccountID: resale.ID, By: admin, Location: time.UTC,
		Build: func(c store.Customer, _ []rules.DissociationBlocker) store.NewCase {
			return store.NewCase{Case: cases.Case{ID: store.NewID("cas"), Kind: cases.KindCustomerAssociation, PartnerID: p.ID,
				CustomerID: c.ID, Status: "awaiting_customer", CreatedAt: at, UpdatedAt: at}, Workflow: "CustomerAssociation", Input: struct{}{}}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DecideAssociation(ctx, request.ID, store.RequestAccepted, admin, at); err != nil {
		t.Fatal(err)
	}
	if live(last) {
		t.Error("a token still authenticates after the dissociation")
	}
	var unrevoked int
	if err := st.DB().GetContext(ctx, &unrevoked, `SELECT count(*) FROM principals WHERE delegated_by IS NOT NULL AND revoked_at IS NULL`); err != nil || unrevoked != 0 {
		t.Errorf("%d delegated tokens left unrevoked after the dissociation, want 0: %v", unrevoked, err)
	}

	// the audit trail names who acted for whom, never the token
	events, _, err := st.AuditTrail(ctx, p.ID, "", store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	issued := 0
	for _, e := range events {
		if e.Action == "delegated_token.issued" {
			issued++
		}
		for _, tok := range []string{token, memberToken, removedToken, short, last} {
			if strings.Contains(string(e.RawDetail), tok) {
				t.Errorf("the audit event %s holds a token", e.Action)
			}
		}
	}
	if issued != 5 {
		t.Errorf("%d delegated_token.issued events, want 5", issued)
	}
}
