package rules

import (
	"slices"
	"strings"
	"unicode"
)

// Scenes are an allocation's usage scenes (apply_scenes): the products its
// money may buy. No scenes is unrestricted money.

// CanonicalScenes is scenes sorted (case-insensitively, then as given) and
// without repeats, the form an earmarked account is kept under; it shares
// no memory with scenes.
func CanonicalScenes(scenes []string) []string {
	out := slices.Clone(scenes)
	slices.SortFunc(out, func(a, b string) int {
		if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return slices.CompactFunc(out, strings.EqualFold)
}

// SceneCovers reports whether usage scene scene covers product: the product's
// name is the scene, or begins with it followed by a character that is not a
// letter, digit or underscore, case-insensitively ("ecs" covers "ECS" and
// "ecs.c6.large, 1 year", not "ecsx").
func SceneCovers(scene, product string) bool {
	s, p := strings.ToLower(strings.TrimSpace(scene)), strings.ToLower(strings.TrimSpace(product))
	if s == "" || !strings.HasPrefix(p, s) {
		return false
	}
	if len(p) == len(s) {
		return true
	}
	next := rune(p[len(s)])
	return next != '_' && !unicode.IsLetter(next) && !unicode.IsDigit(next)
}

// ScenesCover reports whether money for scenes may buy product: unrestricted
// money (no scenes) buys anything, earmarked money what one of its scenes covers.
func ScenesCover(scenes []string, product string) bool {
	return len(scenes) == 0 || slices.ContainsFunc(scenes, func(s string) bool { return SceneCovers(s, product) })
}

// ScenesText names what money for scenes may buy, for messages: "any
// product" or "ecs, obs".
func ScenesText(scenes []string) string {
	if len(scenes) == 0 {
		return "any product"
	}
	return strings.Join(scenes, ", ")
}
