package rules

import "testing"

func TestWithArticle(t *testing.T) {
	for name, want := range map[string]string{
		"admin": "an admin", "ops": "an ops", "member": "a member", "customer": "a customer",
		"supervisor": "a supervisor", "software_partner": "a software_partner", "independent_vendor": "an independent_vendor",
	} {
		if got := WithArticle(name); got != want {
			t.Errorf("WithArticle(%q) = %q, want %q", name, got, want)
		}
	}
}
