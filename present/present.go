// Package present formats what people read, in their language: money in
// major units with its currency (1,200.00 CNY), times in the business time
// zone, and the console's and notifications' words from the message files
// in messages/ (English and Simplified Chinese, every key in both).
package present

import (
	"embed"
	"fmt"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

// The languages the messages are written in; the first is the default.
var (
	English = language.English
	Chinese = language.MustParse("zh-CN")
	// Languages are the supported languages, the default first.
	Languages = []language.Tag{English, Chinese}
	matcher   = language.NewMatcher(Languages)
)

//go:embed messages/*.yaml
var messageFiles embed.FS

// MessageFile is the message file of a language: messages/en.yaml.
func MessageFile(tag language.Tag) string { return "messages/" + tag.String() + ".yaml" }

// bundle holds every language's messages, read once.
var bundle = func() *i18n.Bundle {
	b := i18n.NewBundle(English)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	for _, tag := range Languages {
		if _, err := b.LoadMessageFileFS(messageFiles, MessageFile(tag)); err != nil {
			panic(err)
		}
	}
	return b
}()

// Match picks the supported language for a stated preference (a language
// tag, or ""), else the first acceptable one of an Accept-Language header,
// else English.
func Match(preference, acceptLanguage string) language.Tag {
	for _, h := range []string{preference, acceptLanguage} {
		if h == "" {
			continue
		}
		tags, _, err := language.ParseAcceptLanguage(h)
		if err != nil || len(tags) == 0 {
			continue
		}
		_, i, confidence := matcher.Match(tags...)
		if confidence >= language.High || (confidence > language.No && i > 0) {
			return Languages[i]
		}
	}
	return English
}

// Printer formats for one reader: a language and the business time zone.
type Printer struct {
	Lang      language.Tag
	Loc       *time.Location
	localizer *i18n.Localizer
	numbers   *message.Printer
}

// New is a printer of lang (one of Languages) in the time zone loc.
func New(lang language.Tag, loc *time.Location) Printer {
	return Printer{Lang: lang, Loc: loc, localizer: i18n.NewLocalizer(bundle, lang.String()), numbers: message.NewPrinter(lang)}
}

// Default prints in English in UTC: for text written before its reader is
// known (errors, logs).
var Default = New(English, time.UTC)

// Money shows an amount of minor units in major units with the currency's
// own number of decimals, grouped as the language groups digits:
// 120000 CNY is "1,200.00 CNY".
func (p Printer) Money(amount int64, code string) string {
	scale := 2
	if unit, err := currency.ParseISO(code); err == nil {
		scale, _ = currency.Standard.Rounding(unit)
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	div := int64(1)
	for range scale {
		div *= 10
	}
	s := sign + p.numbers.Sprintf("%d", amount/div)
	if scale > 0 {
		s += fmt.Sprintf(".%0*d", scale, amount%div)
	}
	return s + " " + code
}

// Time shows an instant in the business time zone: "Fri 15 Jan 2027 18:00"
// or "2027年1月15日 周五 18:00"; "—" for none.
func (p Printer) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(p.Loc)
	if p.Lang == Chinese {
		return fmt.Sprintf("%d年%d月%d日 %s %s", t.Year(), t.Month(), t.Day(), p.T("weekday_"+strings.ToLower(t.Weekday().String()[:3])), t.Format("15:04"))
	}
	return t.Format("Mon 2 Jan 2006 15:04")
}

// Date shows a calendar day: "Fri 15 Jan 2027" or "2027年1月15日 周五".
func (p Printer) Date(t time.Time) string {
	if p.Lang == Chinese {
		return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), t.Month(), t.Day(), p.T("weekday_"+strings.ToLower(t.Weekday().String()[:3])))
	}
	return t.Format("Mon 2 Jan 2006")
}

// T is the message id in the printer's language, its {{.Name}}s filled
// from args given as name, value pairs (Count also chooses the plural
// form); the id itself when no language has it (a test keeps every id in
// both files).
func (p Printer) T(id string, args ...any) string {
	config := &i18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
		config.TemplateData, config.PluralCount = data, data["Count"]
	}
	s, err := p.localizer.Localize(config)
	if err != nil {
		return id
	}
	return s
}

// Has reports whether id is a message (for labels of codes, which fall
// back to the code itself).
func (p Printer) Has(id string) bool {
	_, err := p.localizer.Localize(&i18n.LocalizeConfig{MessageID: id})
	return err == nil
}
