package rules

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func validAdjustment() AdjustmentRequest {
	return AdjustmentRequest{
		CustomerID: "cus_1", Operation: Allocate, Amount: &Money{3000, "CNY"},
		ApplyScenes: []string{"ecs", "obs"}, TransactionID: "ADJ-0001", Memo: "Q4 budget",
	}
}

func TestAdjustmentRequestValidate(t *testing.T) {
	twentyOne := make([]string, 21)
	for i := range twentyOne {
		twentyOne[i] = fmt.Sprintf("scene-%d", i)
	}
	for _, tt := range []struct {
		name   string
		edit   func(r *AdjustmentRequest)
		fields []string
	}{
		{"valid allocation", func(r *AdjustmentRequest) {}, nil},
		{"valid reclaim", func(r *AdjustmentRequest) { r.Operation = Reclaim }, nil},
		{"no memo", func(r *AdjustmentRequest) { r.Memo = "" }, nil},
		{"one scenario", func(r *AdjustmentRequest) { r.ApplyScenes = []string{"ecs"} }, nil},
		{"twenty scenarios", func(r *AdjustmentRequest) { r.ApplyScenes = twentyOne[:20] }, nil},
		{"scenario of 64 characters", func(r *AdjustmentRequest) { r.ApplyScenes = []string{strings.Repeat("s", 64)} }, nil},
		{"surrounding spaces", func(r *AdjustmentRequest) {
			r.CustomerID = " cus_1 "
			r.Operation = " allocate "
			r.ApplyScenes = []string{" ecs "}
		}, nil},
		{"everything missing", func(r *AdjustmentRequest) { *r = AdjustmentRequest{} },
			[]string{"customer_id", "operation", "amount", "apply_scenes", "transaction_id"}},
		{"every field bad at once", func(r *AdjustmentRequest) {
			r.CustomerID = strings.Repeat("c", 101)
			r.Operation = "transfer"
			r.Amount = &Money{-5, "usd"}
			r.ApplyScenes = []string{"ecs", "", strings.Repeat("s", 65), "ecs"}
			r.TransactionID = "has space"
			r.Memo = strings.Repeat("m", 256)
		}, []string{"customer_id", "operation", "amount.amount", "amount.currency",
			"apply_scenes[1]", "apply_scenes[2]", "apply_scenes[3]", "transaction_id", "memo"}},
		{"reclaim on unbind is not requestable", func(r *AdjustmentRequest) { r.Operation = ReclaimOnUnbind }, []string{"operation"}},
		{"operation in upper case", func(r *AdjustmentRequest) { r.Operation = "ALLOCATE" }, []string{"operation"}},
		{"zero amount", func(r *AdjustmentRequest) { r.Amount.Amount = 0 }, []string{"amount.amount"}},
		{"no scenarios", func(r *AdjustmentRequest) { r.ApplyScenes = []string{} }, []string{"apply_scenes"}},
		{"null scenarios", func(r *AdjustmentRequest) { r.ApplyScenes = nil }, []string{"apply_scenes"}},
		{"twenty-one scenarios", func(r *AdjustmentRequest) { r.ApplyScenes = twentyOne }, []string{"apply_scenes"}},
		{"a blank scenario", func(r *AdjustmentRequest) { r.ApplyScenes = []string{"ecs", "  "} }, []string{"apply_scenes[1]"}},
		{"duplicate after trimming", func(r *AdjustmentRequest) { r.ApplyScenes = []string{"ecs", " ecs"} }, []string{"apply_scenes[1]"}},
		{"control character in a scenario", func(r *AdjustmentRequest) { r.ApplyScenes = []string{"e\x00cs"} }, []string{"apply_scenes[0]"}},
		{"transaction ID of 65 characters", func(r *AdjustmentRequest) { r.TransactionID = strings.Repeat("t", 65) }, []string{"transaction_id"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := validAdjustment()
			tt.edit(&r)
			assertFields(t, r.Validate(), tt.fields)
		})
	}
}

func TestAdjustmentRequestMessages(t *testing.T) {
	r := validAdjustment()
	r.Operation = ReclaimOnUnbind
	r.ApplyScenes = []string{"ecs", "obs", "ecs"}
	msgs := map[string]string{}
	for _, e := range r.Validate() {
		msgs[e.Field] = e.Message
	}
	if m := msgs["operation"]; !strings.Contains(m, "dissociated") {
		t.Errorf("operation message %q does not say why reclaim_on_unbind is refused", m)
	}
	if m := msgs["apply_scenes[2]"]; !strings.Contains(m, "apply_scenes[0]") {
		t.Errorf("duplicate message %q does not name the first occurrence", m)
	}
}

func TestAdjustmentRequestNormalizedCopies(t *testing.T) {
	in := validAdjustment()
	in.ApplyScenes = []string{" ecs "}
	n := in.Normalized()
	if !slices.Equal(n.ApplyScenes, []string{"ecs"}) || in.ApplyScenes[0] != " ecs " {
		t.Errorf("Normalized() scenes %q, input now %q", n.ApplyScenes, in.ApplyScenes)
	}
	if n.Amount == in.Amount {
		t.Error("Normalized shares the amount with its input")
	}
}

func TestAdjustmentOperations(t *testing.T) {
	for _, tt := range []struct {
		op                             AdjustmentOperation
		valid, requestable, toCustomer bool
	}{
		{Allocate, true, true, true},
		{Reclaim, true, true, false},
		{ReclaimOnUnbind, true, false, false},
		{"transfer", false, false, false},
		{"", false, false, false},
	} {
		if tt.op.Valid() != tt.valid || tt.op.Requestable() != tt.requestable || tt.op.ToCustomer() != tt.toCustomer {
			t.Errorf("%q: valid %v requestable %v to customer %v", tt.op, tt.op.Valid(), tt.op.Requestable(), tt.op.ToCustomer())
		}
	}
	for _, op := range AdjustmentOperations() {
		if !op.Valid() {
			t.Errorf("listed operation %q is not valid", op)
		}
	}
}

func TestAdjustmentCustomerProblem(t *testing.T) {
	if p := AdjustmentCustomerProblem("resale"); p != "" {
		t.Errorf("resale customer refused: %q", p)
	}
	for _, mode := range []string{"consultative", ""} {
		if p := AdjustmentCustomerProblem(mode); !strings.Contains(p, "only resale sub-customers") {
			t.Errorf("mode %q: %q", mode, p)
		}
	}
}
