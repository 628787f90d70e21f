package rules

import (
	"slices"
	"strings"
	"testing"
)

var (
	testVendor = Party{Name: "Partnerops Cloud Computing Co., Ltd.", TaxID: WithUSCCCheck("91330106MA2CFKQ72")}
	testSeller = Party{Name: "Acme Solutions Ltd", TaxID: "91350100M000100Y43"}
)

func goodInvoice() Invoice {
	return Invoice{
		Kind: DigitalVATSpecial, Medium: MediumElectronic, Number: "26332000000012345678", IssueDate: "2026-11-27",
		SellerName: testSeller.Name, SellerTaxID: testSeller.TaxID, BuyerName: testVendor.Name, BuyerTaxID: testVendor.TaxID,
		AmountExcludingTax: &Money{100_000, "CNY"}, TaxRate: "0.06", TaxAmount: &Money{6_000, "CNY"}, Total: &Money{106_000, "CNY"},
	}
}

func fieldsOf(errs FieldErrors) string {
	var names []string
	for _, e := range errs {
		names = append(names, e.Field)
	}
	return strings.Join(names, ",")
}

func TestInvoiceValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Invoice)
		fields string
	}{
		{"a fully digitalised special invoice", func(*Invoice) {}, ""},
		{"a paper special invoice", func(i *Invoice) {
			i.Kind, i.Medium, i.Code, i.Number = VATSpecial, MediumPaper, "3300261130", "01234567"
		}, ""},
		{"a zero tax at 0%", func(i *Invoice) { i.TaxRate, i.TaxAmount, i.Total = "0", &Money{0, "CNY"}, &Money{100_000, "CNY"} }, ""},
		{"everything wrong at once", func(i *Invoice) {
			*i = Invoice{Kind: "receipt", Medium: "fax", IssueDate: "2026-02-30", TaxRate: "6%", Total: &Money{-1, "cny"}}
		}, "kind,medium,code,number,issue_date,seller_name,seller_tax_id,buyer_name,buyer_tax_id,amount_excluding_tax,tax_amount,total.amount,total.currency,tax_rate"},
		{"a digital invoice on paper with a code", func(i *Invoice) { i.Medium, i.Code = MediumPaper, "3300261130" }, "medium,code"},
		{"a paper invoice with a 20-digit number", func(i *Invoice) { i.Kind, i.Medium, i.Code = VATOrdinary, MediumPaper, "123" }, "code,number"},
		{"a total that is not the sum", func(i *Invoice) { i.Total = &Money{107_000, "CNY"} }, "total.amount"},
		{"mixed currencies", func(i *Invoice) { i.TaxAmount = &Money{6_000, "USD"} }, "total.currency"},
		{"a rate above 1", func(i *Invoice) { i.TaxRate = "1.5" }, "tax_rate"},
		{"a control character in a name", func(i *Invoice) { i.SellerName = "Acme\x00" }, "seller_name"},
		{"a scan reference", func(i *Invoice) { i.ScanReference = "s3://invoices/" + strings.Repeat("a", 400) }, ""},
		{"a scan reference too long", func(i *Invoice) { i.ScanReference = strings.Repeat("a", 501) }, "scan_reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := goodInvoice()
			tc.change(&inv)
			if got := fieldsOf(inv.Validate()); got != tc.fields {
				t.Errorf("bad fields %q, want %q (%v)", got, tc.fields, inv.Validate())
			}
		})
	}
}

func TestCheckInvoice(t *testing.T) {
	exp := InvoiceExpectation{Buyer: testVendor, Seller: testSeller, Amount: Money{106_000, "CNY"}, PublishedOn: "2026-11-20", Today: "2026-11-30"}
	for _, tc := range []struct {
		name   string
		change func(*Invoice, *InvoiceExpectation)
		codes  []string
	}{
		{"the right invoice", func(*Invoice, *InvoiceExpectation) {}, nil},
		{"a paper special invoice", func(i *Invoice, _ *InvoiceExpectation) {
			i.Kind, i.Code, i.Number = VATSpecial, "3300261130", "01234567"
		}, nil},
		{"an ordinary invoice", func(i *Invoice, _ *InvoiceExpectation) { i.Kind = VATOrdinary }, []string{InvoiceNotSpecial}},
		{"another buyer", func(i *Invoice, _ *InvoiceExpectation) { i.BuyerName = "Someone else" }, []string{InvoiceBuyerMismatch}},
		{"another seller", func(i *Invoice, _ *InvoiceExpectation) { i.SellerTaxID = WithUSCCCheck("91110000000000000") }, []string{InvoiceSellerMismatch}},
		{"an uncertified partner", func(_ *Invoice, e *InvoiceExpectation) { e.Seller = Party{} }, []string{InvoiceSellerMismatch}},
		{"another total", func(i *Invoice, _ *InvoiceExpectation) {
			i.AmountExcludingTax, i.TaxAmount, i.Total = &Money{50_000, "CNY"}, &Money{3_000, "CNY"}, &Money{53_000, "CNY"}
		}, []string{InvoiceTotalMismatch}},
		{"tax one unit off", func(i *Invoice, _ *InvoiceExpectation) {
			i.TaxAmount = &Money{6_001, "CNY"}
		}, nil},
		{"tax two units off", func(i *Invoice, _ *InvoiceExpectation) {
			i.TaxAmount = &Money{6_002, "CNY"}
		}, []string{InvoiceTaxMiscalculated}},
		{"a used number", func(_ *Invoice, e *InvoiceExpectation) { e.NumberUsed = true }, []string{InvoiceNumberUsed}},
		{"issued tomorrow", func(i *Invoice, _ *InvoiceExpectation) { i.IssueDate = "2026-12-01" }, []string{InvoiceIssuedInFuture}},
		{"issued before the settlement", func(i *Invoice, _ *InvoiceExpectation) { i.IssueDate = "2026-11-19" }, []string{InvoiceIssuedBeforeSettlement}},
		{"everything wrong at once", func(i *Invoice, e *InvoiceExpectation) {
			i.Kind, i.BuyerName, i.SellerName, i.IssueDate = DigitalVATOrdinary, "X", "Y", "2027-01-01"
			i.AmountExcludingTax, i.TaxAmount, i.Total = &Money{1_000, "CNY"}, &Money{500, "CNY"}, &Money{1_500, "CNY"}
			e.NumberUsed = true
		}, []string{InvoiceNotSpecial, InvoiceBuyerMismatch, InvoiceSellerMismatch, InvoiceTotalMismatch, InvoiceTaxMiscalculated,
			InvoiceNumberUsed, InvoiceIssuedInFuture}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv, e := goodInvoice(), exp
			tc.change(&inv, &e)
			var codes []string
			for _, p := range CheckInvoice(inv, e) {
				codes = append(codes, p.Code)
				if p.Field == "" || p.Message == "" {
					t.Errorf("problem %+v names no field or reason", p)
				}
			}
			if !slices.Equal(codes, tc.codes) {
				t.Errorf("codes %v, want %v", codes, tc.codes)
			}
		})
	}
}

func TestTaxRateBasisPoints(t *testing.T) {
	for rate, want := range map[string]int64{"0.06": 600, "0.13": 1300, "0": 0, "1": 10_000, "0.015": 150, "1.0000": 10_000} {
		if got, ok := TaxRateBasisPoints(rate); !ok || got != want {
			t.Errorf("%q: %d %v, want %d", rate, got, ok, want)
		}
	}
	for _, rate := range []string{"", "6%", "0.00001", "1.01", "2", "-0.06", ".06", "0.0a"} {
		if _, ok := TaxRateBasisPoints(rate); ok {
			t.Errorf("%q accepted", rate)
		}
	}
}

func TestSettlementRequestValidate(t *testing.T) {
	m := func(n int64, c string) *Money { return &Money{n, c} }
	for _, tc := range []struct {
		name   string
		req    SettlementRequest
		fields string
	}{
		{"items summing to the amount", SettlementRequest{Period: "2026-Q3", Amount: m(106_000, "CNY"),
			Items: []IncentiveItem{{"Resale growth", m(100_000, "CNY")}, {"Training", m(6_000, "CNY")}}}, ""},
		{"a month", SettlementRequest{Period: "2026-07", Amount: m(1, "CNY"), Items: []IncentiveItem{{"x", m(1, "CNY")}}}, ""},
		{"items not summing", SettlementRequest{Period: "2026-Q3", Amount: m(106_000, "CNY"),
			Items: []IncentiveItem{{"Resale growth", m(100_000, "CNY")}}}, "items"},
		{"everything wrong", SettlementRequest{Period: "Q3", Amount: m(0, "cny"),
			Items: []IncentiveItem{{"", nil}, {"ok", m(5, "USD")}}}, "period,amount.amount,amount.currency,items[0].name,items[0].amount,items[1].amount.currency"},
		{"no items", SettlementRequest{Period: "2026-Q5", Amount: m(1, "CNY")}, "period,items"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fieldsOf(tc.req.Validate()); got != tc.fields {
				t.Errorf("bad fields %q, want %q (%v)", got, tc.fields, tc.req.Validate())
			}
		})
	}
}

func TestReturnAndReversal(t *testing.T) {
	if got := fieldsOf(ReturnRequest{Address: " ", RecipientName: "Li\x07", RecipientPhone: "call me"}.Validate()); got != "address,recipient_name,recipient_phone" {
		t.Errorf("bad return request names %q", got)
	}
	if got := fieldsOf(ReturnRequest{Address: "1 Cloud Road", RecipientName: "Li Si", RecipientPhone: "+86 138 0000 0000"}.Validate()); got != "" {
		t.Errorf("a good return request names %q", got)
	}
	long := strings.Repeat("路", 300) // longer than a memo, within an address
	if got := fieldsOf(ReturnRequest{Address: long, RecipientName: "Li Si", RecipientPhone: "+86 138 0000 0000"}.Validate()); got != "" {
		t.Errorf("a 300-character address names %q", got)
	}
	if got := fieldsOf(ReturnShipment{Courier: "", TrackingNumber: "SF 1"}.Validate()); got != "courier,tracking_number" {
		t.Errorf("bad shipment names %q", got)
	}
	for r, want := range map[Reversal]string{
		{RedLetterNumber: "12345678"}:             "",
		{RedLetterNumber: "26332000000088888888"}: "",
		{Voided: true}:                            "",
		{}:                                        "red_letter_number",
		{RedLetterNumber: "123"}:                  "red_letter_number",
		{RedLetterNumber: "12345678", Voided: true}: "voided",
	} {
		if got := fieldsOf(r.Validate()); got != want {
			t.Errorf("%+v names %q, want %q", r, got, want)
		}
	}
}

// Each form of invoice has its own way back, and a broken rule names itself.
func TestReversalByInvoiceForm(t *testing.T) {
	paper := Invoice{Kind: VATSpecial, Medium: MediumPaper, IssueDate: "2026-11-03"}
	electronic := Invoice{Kind: VATOrdinary, Medium: MediumElectronic, IssueDate: "2026-11-03"}
	digital := Invoice{Kind: DigitalVATSpecial, Medium: MediumElectronic, IssueDate: "2026-11-03"}
	redLetter, confirmation, voided := Reversal{RedLetterNumber: "12345678"}, Reversal{RedLetterNumber: "26332000000088888888"}, Reversal{Voided: true}
	for _, c := range []struct {
		name       string
		inv        Invoice
		r          Reversal
		today      string
		field, why string
	}{
		{"paper voided in its month", paper, voided, "2026-11-30", "", ""},
		{"paper voided the next month", paper, voided, "2026-12-01", "voided", VoidOutsideIssueMonth},
		{"old electronic voided in its month", electronic, voided, "2026-11-30", "", ""},
		{"old electronic voided the next month", electronic, voided, "2026-12-01", "voided", VoidOutsideIssueMonth},
		{"old electronic red-lettered", electronic, redLetter, "2027-03-01", "", ""},
		{"old electronic with a confirmation number", electronic, confirmation, "2026-11-30", "red_letter_number", RedLetterNumberMalformed},
		{"digital voided, even in its month", digital, voided, "2026-11-03", "voided", DigitalInvoiceNotVoidable},
		{"digital with an 8-digit red-letter number", digital, redLetter, "2026-11-30", "red_letter_number", RedLetterConfirmationRequired},
		{"digital on its red-letter confirmation", digital, confirmation, "2027-01-05", "", ""},
		{"nothing stated", digital, Reversal{}, "2026-11-30", "red_letter_number", ReversalMissing},
		{"both stated", electronic, Reversal{RedLetterNumber: "12345678", Voided: true}, "2026-11-30", "voided", ReversalAmbiguous},
	} {
		got := ReversalProblems(c.inv, c.r, c.today)
		switch {
		case c.field == "" && len(got) > 0:
			t.Errorf("%s: refused %v", c.name, got)
		case c.field != "" && (len(got) != 1 || got[0].Field != c.field || got[0].Code != c.why):
			t.Errorf("%s: %+v, want %s (%s)", c.name, got, c.field, c.why)
		}
	}
}
