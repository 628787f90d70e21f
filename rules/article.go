package rules

import "strings"

// WithArticle puts "a" or "an" before a role or type name in a message:
// "an admin", "a member", "an ops" (names are read as written, so "ops" is
// "an ops").
func WithArticle(name string) string {
	if name != "" && strings.ContainsRune("aeiouAEIOU", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}
