package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cabane.dev/cabane/app/funding"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

func newSupportRig(t *testing.T) (*socialRig, model.Channel) {
	t.Helper()
	sr := newPublicRig(t)
	sr.server.Funding = &funding.Service{Store: sr.store.Funding(), Channels: sr.server.Accounts}
	ch, err := sr.server.Accounts.ChannelByID(context.Background(), visibility.Viewer{}, sr.channel)
	if err != nil {
		t.Fatal(err)
	}
	return sr, ch
}

func (sr *socialRig) post(t *testing.T, who, path string, form url.Values) int {
	t.Helper()
	res := sr.do(context.Background(), request{method: http.MethodPost, path: path, who: who, form: form, withCSRF: true})
	res.Body.Close()
	return res.StatusCode
}

// A creator's support text and funding links, set on /my/support, show in
// the Support block of the channel and watch pages (Markdown rendered,
// links that tell the other site nothing: rel payment noopener
// noreferrer), on the account page, and in the embed's end screen, in
// English and French; nobody else may change them, and a link that is not
// http(s) is refused with why.
func TestSupportLinksOnPages(t *testing.T) {
	sr, ch := newSupportRig(t)
	v := named(t, sr, model.PrivacyPublic, "Main clip", "")
	channelForm := "/my/support/channels/" + fmt.Sprint(ch.ID)
	form := url.Values{"support": {"Buy us **tea**"},
		"kind":  {"liberapay", "bank", "url", "kofi"},
		"label": {"", "Virement", "", ""},
		"value": {"https://liberapay.com/u", "IBAN FR76 3000", "", ""}}
	if code := sr.post(t, "user", channelForm, form); code != http.StatusSeeOther {
		t.Fatalf("saving the support form: %d", code)
	}
	if code := sr.post(t, "user", "/my/support/account", url.Values{"kind": {"url"}, "label": {"My shop"}, "value": {"https://shop.example/u"}}); code != http.StatusSeeOther {
		t.Fatalf("saving the account's links: %d", code)
	}
	for _, path := range []string{"/c/" + ch.Name, "/w/" + v.ShortUUID} {
		code, body := sr.page(request{method: http.MethodGet, path: path})
		if code != http.StatusOK {
			t.Fatalf("%s: %d", path, code)
		}
		sup := section(body, "support", "</details>")
		for _, want := range []string{"<strong>tea</strong>", `<a href="https://liberapay.com/u" rel="payment noopener noreferrer" target="_blank">Liberapay</a>`,
			`<span class="support-label">Virement</span> <span class="support-note">IBAN FR76 3000</span>`} {
			if !strings.Contains(sup, want) {
				t.Errorf("%s support block lacks %s:\n%s", path, want, sup)
			}
		}
		if strings.Contains(sup, "shop.example") {
			t.Errorf("%s shows the account's links as the channel's", path)
		}
	}
	if _, body := sr.page(request{method: http.MethodGet, path: "/a/user"}); !strings.Contains(section(body, "support", "</details>"), `href="https://shop.example/u"`) {
		t.Error("the account page lacks the account's link")
	}
	_, fr := sr.page(request{method: http.MethodGet, path: "/w/" + v.ShortUUID, lang: "fr"})
	if sup := section(fr, "support", "</details>"); !strings.Contains(sup, "Soutenir") || !strings.Contains(sup, "ce serveur ne leur dit rien de vous") {
		t.Errorf("French support block:\n%s", sup)
	}
	_, embed := sr.page(request{method: http.MethodGet, path: "/videos/embed/" + v.UUID})
	if end := section(embed, "embed-end", "</div>"); !strings.Contains(end, "/w/"+v.ShortUUID+"#support") || !strings.Contains(end, "Support "+ch.DisplayName) ||
		!strings.Contains(embed, "js/endscreen") {
		t.Errorf("embed end screen:\n%s", end)
	}

	// Someone else's channel: 404, nothing changed.
	if code := sr.post(t, "other", channelForm, url.Values{"support": {"Pay me instead"}, "kind": {"url"}, "label": {"x"}, "value": {"https://evil.example"}}); code != http.StatusNotFound {
		t.Errorf("another user's post: %d, want 404", code)
	}
	// A javascript: link is refused, naming the row (the escaping keeps it
	// an inert attribute value).
	bad := url.Values{"support": {"x y z"}, "kind": {"url"}, "label": {"Click"}, "value": {"javascript:alert(1)"}}
	code, refused := sr.page(request{method: http.MethodPost, path: channelForm, who: "user", form: bad, withCSRF: true})
	if code != http.StatusBadRequest || !strings.Contains(refused, "Link 1: a link starts with https://") {
		t.Errorf("javascript: link: %d, want 400 naming the row", code)
	}
	// The form comes back as typed, to be fixed rather than retyped.
	if !strings.Contains(refused, `value="javascript:alert(1)"`) || !strings.Contains(refused, ">x y z</textarea>") {
		t.Error("the refused form lost what was typed")
	}
	_, body := sr.page(request{method: http.MethodGet, path: "/c/" + ch.Name})
	if sup := section(body, "support", "</details>"); !strings.Contains(sup, "liberapay.com/u") || strings.Contains(sup, "evil") || strings.Contains(sup, "javascript") {
		t.Errorf("after refused posts the block is:\n%s", sup)
	}

	// Emptied: no button any more.
	if code := sr.post(t, "user", channelForm, url.Values{"support": {""}, "kind": {"url"}, "label": {""}, "value": {""}}); code != http.StatusSeeOther {
		t.Fatalf("emptying: %d", code)
	}
	if _, body := sr.page(request{method: http.MethodGet, path: "/w/" + v.ShortUUID}); strings.Contains(body, `id="support"`) {
		t.Error("a Support button without text nor links")
	}
	if _, embed := sr.page(request{method: http.MethodGet, path: "/videos/embed/" + v.UUID}); strings.Contains(embed, `id="embed-end"`) {
		t.Error("an end screen without anything to support")
	}
}

// The settings page lists the account's and each channel's forms with
// the stored links, in both languages; it is a signed-in user's page.
func TestMySupportPage(t *testing.T) {
	sr, ch := newSupportRig(t)
	if code := sr.post(t, "user", "/my/support/channels/"+fmt.Sprint(ch.ID), url.Values{"support": {"Merci !"},
		"kind": {"patreon"}, "label": {""}, "value": {"https://patreon.com/u"}}); code != http.StatusSeeOther {
		t.Fatalf("save: %d", code)
	}
	for lang, words := range map[string][]string{"en": {"Support links", "Your account", "Bank transfer"}, "fr": {"Liens de soutien", "Votre compte", "Virement bancaire"}} {
		code, body := sr.page(request{method: http.MethodGet, path: "/my/support", who: "user", lang: lang})
		if code != http.StatusOK {
			t.Fatalf("%s: %d", lang, code)
		}
		for _, want := range append(words, `action="/my/support/channels/`+fmt.Sprint(ch.ID)+`"`, `action="/my/support/account"`,
			`value="https://patreon.com/u"`, `value="Patreon"`, `<option value="patreon" selected>`, ">Merci !</textarea>") {
			if !strings.Contains(body, want) {
				t.Errorf("%s settings page lacks %s", lang, want)
			}
		}
	}
	if code, _ := sr.page(request{method: http.MethodGet, path: "/my/support"}); code == http.StatusOK {
		t.Error("the anonymous see a settings page")
	}
	if _, body := sr.page(request{method: http.MethodGet, path: "/my/settings", who: "user"}); !strings.Contains(body, `href="/my/support"`) {
		t.Error("the settings page does not link to the support page")
	}
}
