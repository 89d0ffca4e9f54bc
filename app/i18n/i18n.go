// Package i18n holds the interface's message catalogues and chooses the
// visitor's language. Catalogues are JSON files, one folder per language
// (assets/locales/<lang>/<area>.json), so that each part of the interface
// keeps its strings in its own file. A key is "area.name"; a message that
// depends on a count has the keys "area.name.one" and "area.name.other".
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Default is the language of a visitor whose browser asks for none Cabane
// speaks, and the fallback for a message missing from a catalogue.
const Default = "en"

// Catalog is every language's messages.
type Catalog struct {
	langs   []string // Default first, then the others sorted
	msgs    map[string]map[string]string
	tags    map[string]language.Tag // parsed once: plural rules ask per count
	matcher language.Matcher
}

// Load reads fsys's <lang>/*.json files. A key defined twice in one
// language is an error: two files would fight over it.
func Load(fsys fs.FS) (*Catalog, error) {
	dirs, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read catalogues: %w", err)
	}
	c := &Catalog{msgs: map[string]map[string]string{}}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		lang := d.Name()
		if _, err := language.Parse(lang); err != nil {
			return nil, fmt.Errorf("catalogue %q: not a language tag: %w", lang, err)
		}
		m, err := loadLang(fsys, lang)
		if err != nil {
			return nil, err
		}
		c.msgs[lang] = m
	}
	if _, ok := c.msgs[Default]; !ok {
		return nil, fmt.Errorf("catalogues: no %q catalogue", Default)
	}
	for l := range c.msgs {
		if l != Default {
			c.langs = append(c.langs, l)
		}
	}
	sort.Strings(c.langs)
	c.langs = append([]string{Default}, c.langs...)
	tags := make([]language.Tag, len(c.langs))
	c.tags = map[string]language.Tag{}
	for i, l := range c.langs {
		tags[i] = language.MustParse(l)
		c.tags[l] = tags[i]
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

func loadLang(fsys fs.FS, lang string) (map[string]string, error) {
	files, err := fs.Glob(fsys, path.Join(lang, "*.json"))
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		var part map[string]string
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("%s: key %q is defined twice in %s", f, k, lang)
			}
			m[k] = v
		}
	}
	return m, nil
}

// Langs are the languages there are catalogues for, Default first.
func (c *Catalog) Langs() []string { return append([]string(nil), c.langs...) }

// Has reports whether lang has a catalogue.
func (c *Catalog) Has(lang string) bool { _, ok := c.msgs[lang]; return ok }

// Keys are lang's keys, sorted.
func (c *Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c.msgs[lang]))
	for k := range c.msgs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Choose is the visitor's language: the one they picked (the switcher's
// cookie) when Cabane speaks it, else the best match for their browser's
// Accept-Language, else Default.
func (c *Catalog) Choose(picked, acceptLanguage string) string {
	if c.Has(picked) {
		return picked
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return c.langs[i]
}

// Printer formats lang's messages.
func (c *Catalog) Printer(lang string) Printer {
	if !c.Has(lang) {
		lang = Default
	}
	return Printer{Lang: lang, tag: c.tags[lang], msgs: c.msgs[lang], fallback: c.msgs[Default]}
}

// Printer formats one language's messages. The zero Printer prints keys.
type Printer struct {
	Lang     string
	tag      language.Tag
	msgs     map[string]string
	fallback map[string]string
}

// T is key's message, formatted with args as by fmt.Sprintf when there are
// any. A key no catalogue has prints as itself, which a test catches.
func (p Printer) T(key string, args ...any) string {
	msg, ok := p.msgs[key]
	if !ok {
		if msg, ok = p.fallback[key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Keys are the keys that start with prefix, sorted, the fallback
// language's included: a page's scripts take their messages by area.
func (p Printer) Keys(prefix string) []string {
	var out []string
	for k := range p.fallback {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	for k := range p.msgs {
		if _, dup := p.fallback[k]; !dup && strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// N is the form of key that fits the count n under CLDR's plural rules for
// the printer's language ("key.one", "key.few", ...; "key.other" when the
// catalogue has no such form), formatted with n first, then args.
func (p Printer) N(key string, n int, args ...any) string {
	k := key + "." + formName(plural.Cardinal.MatchPlural(p.tag, abs(n), 0, 0, 0, 0))
	if _, ok := p.msgs[k]; !ok {
		k = key + ".other"
	}
	return p.T(k, append([]any{n}, args...)...)
}

func formName(f plural.Form) string {
	switch f {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	}
	return "other"
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Missing lists, for each language, the keys another language has and it
// lacks: a catalogue that falls behind shows English in the middle of a
// French page.
func (c *Catalog) Missing() map[string][]string {
	all := map[string]bool{}
	for _, m := range c.msgs {
		for k := range m {
			all[k] = true
		}
	}
	out := map[string][]string{}
	for _, l := range c.langs {
		for k := range all {
			if _, ok := c.msgs[l][k]; !ok {
				out[l] = append(out[l], k)
			}
		}
		sort.Strings(out[l])
		if len(out[l]) == 0 {
			delete(out, l)
		}
	}
	return out
}
