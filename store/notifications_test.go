package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// The inbox by kind: a kind filter, the kinds a recipient has, and mark
// all read (of one kind, or every one), another partner's untouched; and
// the reader's language.
func TestNotificationsByKindAndMarkAll(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	c, partnerID := newCase(t, st)
	if _, _, err := st.OpenCase(ctx, store.NewCase{Case: c, Workflow: "Certification", Input: map[string]string{}}, nil); err != nil {
		t.Fatal(err)
	}
	other, otherPartner := newCase(t, st)
	if _, _, err := st.OpenCase(ctx, store.NewCase{Case: other, Workflow: "Certification", Input: map[string]string{}}, nil); err != nil {
		t.Fatal(err)
	}
	for i, kind := range []string{"a", "b", "b"} {
		tr := transition(c, i+1, "in_review")
		tr.Notifications[0].Kind = kind
		if err := st.ApplyTransition(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.ApplyTransition(ctx, transition(other, 1, "in_review")); err != nil {
		t.Fatal(err)
	}
	r := store.Recipient{Audience: cases.AudiencePartner, PartnerID: partnerID}
	kinds, err := st.NotificationKinds(ctx, store.Recipient{Audience: r.Audience, PartnerID: partnerID, Kind: "b"})
	if err != nil || !slices.Equal(kinds, []string{"a", "b"}) {
		t.Errorf("kinds %v (%v), want a and b", kinds, err)
	}
	onlyB := r
	onlyB.Kind = "b"
	if list, _, err := st.Notifications(ctx, onlyB, store.Page{}); err != nil || len(list) != 2 {
		t.Errorf("kind b: %d notifications (%v), want 2", len(list), err)
	}
	if n, err := st.MarkAllNotificationsRead(ctx, onlyB, time.Now()); err != nil || n != 2 {
		t.Errorf("mark all of b: %d (%v), want 2", n, err)
	}
	if n, err := st.MarkAllNotificationsRead(ctx, r, time.Now()); err != nil || n != 1 {
		t.Errorf("mark all: %d (%v), want the 1 left", n, err)
	}
	theirs, _, err := st.Notifications(ctx, store.Recipient{Audience: cases.AudiencePartner, PartnerID: otherPartner}, store.Page{})
	if err != nil || len(theirs) != 1 || theirs[0].ReadAt != nil {
		t.Errorf("the other partner's notifications %+v (%v): want one, unread", theirs, err)
	}
	languageIsKept(t, st)
}

// languageIsKept: a principal's language is none until stated, then the
// last stated; only en and zh-CN.
func languageIsKept(t *testing.T, st *store.Store) {
	ctx := context.Background()
	p, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Sam", Role: cases.RoleSupervisor})
	if err != nil {
		t.Fatal(err)
	}
	if lang, err := st.Language(ctx, p.ID); err != nil || lang != "" {
		t.Errorf("before any choice: %q (%v)", lang, err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		if err := st.SetLanguage(ctx, p.ID, lang, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got, err := st.Language(ctx, p.ID); err != nil || got != lang {
			t.Errorf("after choosing %s: %q (%v)", lang, got, err)
		}
	}
	if err := st.SetLanguage(ctx, p.ID, "fr", time.Now()); err == nil {
		t.Error("fr was stored")
	}
}
