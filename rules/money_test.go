package rules

import (
	"strings"
	"testing"
)

func TestCurrencyProblem(t *testing.T) {
	for _, tt := range []struct {
		currency string
		ok       bool
	}{
		{"CNY", true}, {"USD", true}, {"EUR", true},
		{"", false}, {"cny", false}, {"Cny", false}, {"CN", false}, {"CNYY", false},
		{"C1Y", false}, {" CN", false}, {"ＣＮＹ", false}, {"人民币", false},
	} {
		t.Run(tt.currency, func(t *testing.T) {
			if got := CurrencyProblem(tt.currency); (got == "") != tt.ok {
				t.Errorf("CurrencyProblem(%q) = %q, want ok=%v", tt.currency, got, tt.ok)
			}
		})
	}
}

func TestMoneyValidateMovement(t *testing.T) {
	for _, tt := range []struct {
		name   string
		m      Money
		fields []string
	}{
		{"one fen", Money{1, "CNY"}, nil},
		{"the largest movement", Money{MaxMoneyAmount, "USD"}, nil},
		{"zero", Money{0, "CNY"}, []string{"x.amount"}},
		{"negative", Money{-100, "CNY"}, []string{"x.amount"}},
		{"too large", Money{MaxMoneyAmount + 1, "CNY"}, []string{"x.amount"}},
		{"no currency", Money{100, ""}, []string{"x.currency"}},
		{"lower-case currency", Money{100, "cny"}, []string{"x.currency"}},
		{"both bad", Money{0, "yuan"}, []string{"x.amount", "x.currency"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assertFields(t, tt.m.ValidateMovement("x"), tt.fields)
		})
	}
	for m, want := range map[Money]string{{12000, "CNY"}: "120.00 CNY", {120000000, "CNY"}: "1,200,000.00 CNY", {-5, "USD"}: "-0.05 USD", {1500, "JPY"}: "1,500 JPY"} {
		if s := m.String(); s != want {
			t.Errorf("%d %s: String() = %q, want %q", m.Amount, m.Currency, s, want)
		}
	}
}

func TestTransactionIDProblem(t *testing.T) {
	for _, tt := range []struct {
		name, id string
		ok       bool
	}{
		{"simple", "TX-2026-0001", true},
		{"64 characters", strings.Repeat("a", 64), true},
		{"64 Chinese characters", strings.Repeat("账", 64), true},
		{"punctuation", "bank:ICBC/2026.11.27_001", true},
		{"empty", "", false},
		{"65 characters", strings.Repeat("a", 65), false},
		{"inner space", "TX 1", false},
		{"tab", "TX\t1", false},
		{"control character", "TX\x001", false},
		{"invalid UTF-8", "TX\xff", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := TransactionIDProblem(tt.id); (got == "") != tt.ok {
				t.Errorf("TransactionIDProblem(%q) = %q, want ok=%v", tt.id, got, tt.ok)
			}
		})
	}
}

func TestMemoProblem(t *testing.T) {
	for _, tt := range []struct {
		name, memo string
		ok         bool
	}{
		{"empty", "", true},
		{"text", "Q4 marketing funds", true},
		{"255 Chinese characters", strings.Repeat("款", 255), true},
		{"line breaks", "first line\nsecond line", true},
		{"256 characters", strings.Repeat("a", 256), false},
		{"bell", "ding\a", false},
		{"invalid UTF-8", "\xff", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := MemoProblem(tt.memo); (got == "") != tt.ok {
				t.Errorf("MemoProblem(%q) = %q, want ok=%v", tt.memo, got, tt.ok)
			}
		})
	}
}

func TestDepositRequestValidate(t *testing.T) {
	valid := func() DepositRequest {
		return DepositRequest{Amount: &Money{100000, "CNY"}, TransactionID: "BANK-001", Memo: "wire transfer"}
	}
	for _, tt := range []struct {
		name   string
		edit   func(d *DepositRequest)
		fields []string
	}{
		{"valid", func(d *DepositRequest) {}, nil},
		{"no memo", func(d *DepositRequest) { d.Memo = "" }, nil},
		{"surrounding spaces are trimmed", func(d *DepositRequest) { d.TransactionID = "  BANK-001 " }, nil},
		{"everything missing", func(d *DepositRequest) { *d = DepositRequest{} }, []string{"amount", "transaction_id"}},
		{"every field bad at once", func(d *DepositRequest) {
			d.Amount = &Money{0, "rmb"}
			d.TransactionID = strings.Repeat("x", 65)
			d.Memo = strings.Repeat("m", 256)
		}, []string{"amount.amount", "amount.currency", "transaction_id", "memo"}},
		{"negative amount", func(d *DepositRequest) { d.Amount.Amount = -1 }, []string{"amount.amount"}},
		{"only spaces as transaction ID", func(d *DepositRequest) { d.TransactionID = "   " }, []string{"transaction_id"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := valid()
			tt.edit(&d)
			assertFields(t, d.Validate(), tt.fields)
		})
	}
}

func TestDepositRequestNormalizedCopies(t *testing.T) {
	in := DepositRequest{Amount: &Money{1, "CNY"}, TransactionID: " a ", Memo: " m "}
	n := in.Normalized()
	if n.TransactionID != "a" || n.Memo != "m" {
		t.Errorf("Normalized() = %+v", n)
	}
	if n.Amount == in.Amount {
		t.Error("Normalized shares the amount with its input")
	}
	if (DepositRequest{}).Normalized().Amount != nil {
		t.Error("a missing amount became present")
	}
}
