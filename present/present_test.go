package present

import (
	"maps"
	"slices"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// Every message is in every language: a key missing from either file (or
// empty in it) fails here.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	keys := map[string][]string{}
	for _, tag := range Languages {
		raw, err := messageFiles.ReadFile(MessageFile(tag))
		if err != nil {
			t.Fatal(err)
		}
		var file map[string]any
		if err := yaml.Unmarshal(raw, &file); err != nil {
			t.Fatalf("%s: %v", MessageFile(tag), err)
		}
		for k, v := range file {
			if v == nil || v == "" {
				t.Errorf("%s: %s is empty", MessageFile(tag), k)
			}
		}
		keys[tag.String()] = slices.Sorted(maps.Keys(file))
	}
	en := keys[English.String()]
	for lang, ks := range keys {
		for _, k := range en {
			if !slices.Contains(ks, k) {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
		for _, k := range ks {
			if !slices.Contains(en, k) {
				t.Errorf("en lacks %s (in %s)", k, lang)
			}
		}
	}
	if len(en) < 100 {
		t.Errorf("only %d messages read", len(en))
	}
}

func TestMoneyTimeAndWords(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	en, zh := New(English, sh), New(Chinese, sh)
	for _, tc := range []struct {
		amount int64
		code   string
		want   string
	}{{120000, "CNY", "1,200.00 CNY"}, {5, "USD", "0.05 USD"}, {-123456789, "CNY", "-1,234,567.89 CNY"}, {1500, "JPY", "1,500 JPY"}, {7, "XYZ", "0.07 XYZ"}} {
		if got := en.Money(tc.amount, tc.code); got != tc.want {
			t.Errorf("Money(%d, %s) = %q, want %q", tc.amount, tc.code, got, tc.want)
		}
	}
	if got := zh.Money(120000, "CNY"); got != "1,200.00 CNY" {
		t.Errorf("zh Money = %q", got)
	}
	at := time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC) // 18:00 in Shanghai, a Friday
	if got := en.Time(at); got != "Fri 15 Jan 2027 18:00" {
		t.Errorf("en Time = %q", got)
	}
	if got := zh.Time(at); got != "2027年1月15日 周五 18:00" {
		t.Errorf("zh Time = %q", got)
	}
	if got := en.T("countdown.left", "Count", 1); got != "1 working day left" {
		t.Errorf("en plural one = %q", got)
	}
	if got := en.T("countdown.left", "Count", 3); got != "3 working days left" {
		t.Errorf("en plural other = %q", got)
	}
	if got := zh.T("countdown.left", "Count", 3); got != "剩余 3 个工作日" {
		t.Errorf("zh = %q", got)
	}
	if got := zh.T("no.such.key"); got != "no.such.key" {
		t.Errorf("a missing key reads %q", got)
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct{ pref, accept, want string }{
		{"", "", "en"},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"},
		{"", "zh", "zh-CN"},
		{"", "zh-Hans", "zh-CN"},
		{"", "fr-FR,fr;q=0.9", "en"},
		{"", "fr-FR,zh;q=0.5", "zh-CN"},
		{"en", "zh-CN", "en"},
		{"zh-CN", "en-US", "zh-CN"},
		{"", "not a header!!", "en"},
	} {
		if got := Match(tc.pref, tc.accept).String(); got != tc.want {
			t.Errorf("Match(%q, %q) = %s, want %s", tc.pref, tc.accept, got, tc.want)
		}
	}
}
