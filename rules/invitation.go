package rules

import "time"

// InvitationReminderAt is when a partner that has not answered a vendor
// opportunity's invitation, shared at sharedAt and expiring at expiresAt,
// is reminded that it expires: a day before, or halfway through an
// invitation of two days or less.
func InvitationReminderAt(sharedAt, expiresAt time.Time) time.Time {
	window := expiresAt.Sub(sharedAt)
	if window > 48*time.Hour {
		return expiresAt.Add(-24 * time.Hour).UTC()
	}
	return sharedAt.Add(window / 2).UTC()
}
