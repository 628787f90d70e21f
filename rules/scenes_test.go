package rules

import (
	"slices"
	"testing"
)

func TestSceneCovers(t *testing.T) {
	for _, c := range []struct {
		scene, product string
		want           bool
	}{
		{"ecs", "ecs", true},
		{"ECS", "ecs.c6.large, 1 year", true},
		{"obs", "OBS standard storage", true},
		{"ecs", "ecsx", false},
		{"bandwidth", "bandwidth_shared", false},
		{"bandwidth_shared", "bandwidth_shared", true},
		{"cdn", "ecs", false},
		{"", "ecs", false},
	} {
		if got := SceneCovers(c.scene, c.product); got != c.want {
			t.Errorf("SceneCovers(%q, %q) = %v, want %v", c.scene, c.product, got, c.want)
		}
	}
	if !ScenesCover(nil, "anything") || ScenesCover([]string{"obs", "cdn"}, "ecs.c6.large") || !ScenesCover([]string{"obs", "cdn"}, "CDN") {
		t.Error("ScenesCover: unrestricted money buys anything, earmarked money only its scenes")
	}
}

func TestCanonicalScenes(t *testing.T) {
	in := []string{"obs", "CDN", "ecs", "cdn"}
	if got := CanonicalScenes(in); !slices.Equal(got, []string{"CDN", "ecs", "obs"}) {
		t.Errorf("CanonicalScenes = %q", got)
	}
	if in[0] != "obs" {
		t.Error("CanonicalScenes changed its input")
	}
	if got := ScenesText(nil); got != "any product" {
		t.Errorf("ScenesText(nil) = %q", got)
	}
}

func TestMoneyMajor(t *testing.T) {
	for _, c := range []struct {
		m    Money
		want string
	}{
		{Money{120000, "CNY"}, "1,200.00 CNY"},
		{Money{9000, "CNY"}, "90.00 CNY"},
		{Money{5, "USD"}, "0.05 USD"},
		{Money{-123456789, "CNY"}, "-1,234,567.89 CNY"},
	} {
		if got := c.m.Major(); got != c.want {
			t.Errorf("%v.Major() = %q, want %q", c.m, got, c.want)
		}
	}
}
