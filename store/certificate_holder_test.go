package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"partnerops/internal/testdb"
	"partnerops/store"
)

// A certification holds its certificate number against other partners while
// it is open (unless rejected) and once certified; closed any other way it
// releases the number.
func TestCertificationHolderReleasesTheNumberUnlessCertified(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	other, err := st.CreatePartner(ctx, "Nimbus", "solution_provider", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		status string
		closed bool
		holds  bool
	}{
		{"in_review", false, true},
		{"ticket_open", false, true},
		{"rejected", false, false},
		{"certified", true, true},
		{"expired", true, false},
		{"needs_attention", true, false},
	}
	for i, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			number := "91350100M00010" + string(rune('0'+i)) + "Y43"
			c, _ := newCase(t, st)
			c.Details = json.RawMessage(`{"business_info": {"certificate_number": "` + number + `"}}`)
			if _, _, err := st.OpenCase(ctx, store.NewCase{Case: c, Workflow: "Certification", Input: map[string]string{}}, nil); err != nil {
				t.Fatal(err)
			}
			tr := transition(c, 1, tt.status)
			if tt.closed {
				closedAt := tr.Case.UpdatedAt
				tr.Case.ClosedAt = &closedAt
			}
			if err := st.ApplyTransition(ctx, tr); err != nil {
				t.Fatal(err)
			}
			holder, err := st.CertificationHolder(ctx, number, other.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := holder == c.ID; got != tt.holds {
				t.Errorf("the %s case holds the number: %v, want %v (holder %q)", tt.status, got, tt.holds, holder)
			}
			if own, _ := st.CertificationHolder(ctx, number, c.PartnerID); own != "" {
				t.Errorf("the case holds the number against its own partner")
			}
		})
	}
}
