package store_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

// A console session lives only while its principal does: the lookup
// checks the principal's token, and member removal, the exit's end
// (members' tokens revoked) and deregistration (every token revoked) end
// the sessions in their own transaction; staff end one by its ID.
func TestSessionsDieWithTheirOwner(t *testing.T) {
	ctx := context.Background()
	st, dbURL := testdb.New(t)
	_, partnerID := newCase(t, st)
	principal := func(name, role, partner string) store.Principal {
		p, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: name, Role: role, PartnerID: partner})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	signIn := func(p store.Principal) string {
		secret, _, err := st.CreateSession(ctx, p, time.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	live := func(secret string) bool {
		_, err := st.SessionBySecret(ctx, secret, time.Now())
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	listed := func(p store.Principal) bool {
		list, err := st.LiveSessions(ctx, time.Now(), 100)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(list, func(s store.LiveSession) bool { return s.PrincipalID == p.ID })
	}
	admin := principal("Acme admin", cases.RoleAdmin, partnerID)
	member := principal("Wang Wu", cases.RoleMember, partnerID)
	removed := principal("Zhao Liu", cases.RoleMember, partnerID)
	revoked := principal("Qian Qi", cases.RoleMember, partnerID)
	ops := principal("Olivia Ops", cases.RoleOps, "")
	adminS, memberS, removedS, revokedS, opsS := signIn(admin), signIn(member), signIn(removed), signIn(revoked), signIn(ops)

	t.Run("the lookup checks the principal's token", func(t *testing.T) {
		db, err := sql.Open("postgres", dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, `UPDATE principals SET revoked_at = now() WHERE id = $1`, revoked.ID); err != nil {
			t.Fatal(err)
		}
		if live(revokedS) || listed(revoked) {
			t.Error("a revoked principal's session still answers")
		}
	})
	t.Run("member removal", func(t *testing.T) {
		if err := st.RemoveMember(ctx, partnerID, removed.ID, admin, func(rules.MemberAccount) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if live(removedS) || listed(removed) {
			t.Error("a removed member's session still answers")
		}
		if !live(memberS) || !live(adminS) {
			t.Error("the other members' sessions ended too")
		}
	})
	t.Run("the exit ends the members' tokens", func(t *testing.T) {
		exit, err := openCaseOf(st, partnerID, cases.KindPartnerExit)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.EndPartnerExit(ctx, partnerID, exit, store.ExitCompleted, time.Now()); err != nil {
			t.Fatal(err)
		}
		if live(memberS) || !live(adminS) {
			t.Errorf("after the exit: the member's session live %v, the admin's %v", live(memberS), live(adminS))
		}
	})
	t.Run("deregistration", func(t *testing.T) {
		if _, err := st.DeregisterPartner(ctx, partnerID, admin, time.Now()); err != nil {
			t.Fatal(err)
		}
		if live(adminS) || listed(admin) {
			t.Error("the deregistered partner's admin still has a session")
		}
	})
	t.Run("staff end a session", func(t *testing.T) {
		list, err := st.LiveSessions(ctx, time.Now(), 100)
		if err != nil || len(list) != 1 || list[0].PrincipalID != ops.ID || list[0].PrincipalName != "Olivia Ops" {
			t.Fatalf("live sessions %+v (%v), want only ops'", list, err)
		}
		if err := st.RevokeSessionByID(ctx, list[0].ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if live(opsS) {
			t.Error("the session staff ended still answers")
		}
		if err := st.RevokeSessionByID(ctx, list[0].ID, time.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ending it again: %v", err)
		}
		if err := st.RevokeSessionByID(ctx, "not-hex", time.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ending an unknown session: %v", err)
		}
	})
}
