package rules

import "testing"

// TestSelfRegistrationValidate: every bad field is named at once, with the
// contact's paths; a solution provider needs no level (it starts at the
// entry level).
func TestSelfRegistrationValidate(t *testing.T) {
	ok := SelfRegistration{Name: " Orchid ", Type: "solution_provider",
		Contact: Contact{Name: "Lin Wei", Phone: "+86 138-0013-8000", Email: "lin@example.com"}}
	if errs := ok.Validate(); len(errs) != 0 {
		t.Fatalf("a good registration: %v", errs)
	}
	if p := ok.Partner(); p.Name != "Orchid" || p.Level != EntryLevel {
		t.Errorf("registers %+v", p)
	}
	if p := (SelfRegistration{Name: "Nimbus", Type: "cloud_reseller"}).Partner(); p.Level != "" {
		t.Errorf("a reseller registers with level %q", p.Level)
	}
	bad := SelfRegistration{Name: " ", Type: "reseller", Contact: Contact{Name: "", Phone: "12", Email: "Lin <lin@example.com>"}}
	var fields []string
	for _, e := range bad.Validate() {
		fields = append(fields, e.Field)
	}
	want := []string{"name", "type", "contact.name", "contact.phone", "contact.email"}
	if len(fields) != len(want) {
		t.Fatalf("fields %v, want %v", fields, want)
	}
	for i := range want {
		if fields[i] != want[i] {
			t.Errorf("fields %v, want %v", fields, want)
		}
	}
}
