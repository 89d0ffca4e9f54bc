package web

import (
	"net/http"
	"testing"
)

// PUT /api/v1/video-channels/{handle} sets the support text and Cabane's
// fundingLinks (PeerTube's contract holds for request and answer), GET
// reads them back as an extra field PeerTube's VideoChannel allows; only
// the owner may, and a bad link is a 400 naming the field.
func TestChannelFundingAPI(t *testing.T) {
	sr, ch := newSupportRig(t)
	path := "/api/v1/video-channels/" + ch.Name
	body := map[string]any{"displayName": ch.DisplayName, "support": "Merci **beaucoup**", "fundingLinks": []map[string]string{
		{"kind": "opencollective", "url": "https://opencollective.com/birds"},
		{"kind": "bank", "label": "Virement", "note": "IBAN FR76 3000"},
	}}
	if code, text := sr.call(t, http.MethodPut, path, "user", body); code != http.StatusNoContent {
		t.Fatalf("PUT: %d %s", code, text)
	}
	var got struct {
		Support      string
		FundingLinks []struct{ Kind, Label, URL, Note string }
	}
	sr.decode(t, http.MethodGet, path, "", nil, http.StatusOK, &got)
	if got.Support != "Merci **beaucoup**" || len(got.FundingLinks) != 2 || got.FundingLinks[0].Label != "Open Collective" ||
		got.FundingLinks[0].URL != "https://opencollective.com/birds" || got.FundingLinks[1].Note != "IBAN FR76 3000" || got.FundingLinks[1].URL != "" {
		t.Errorf("GET answered %+v", got)
	}
	for _, c := range []struct {
		who  string
		body map[string]any
		want int
	}{
		{"other", map[string]any{"support": "Pay me instead"}, http.StatusForbidden},
		{"", map[string]any{"support": "Pay me instead"}, http.StatusUnauthorized},
		{"user", map[string]any{"fundingLinks": []map[string]string{{"kind": "url", "label": "x", "url": "javascript:alert(1)"}}}, http.StatusBadRequest},
		{"user", map[string]any{"displayName": "A new name"}, http.StatusBadRequest},
		{"user", map[string]any{"support": "x", "bulkVideosSupportUpdate": true}, http.StatusBadRequest},
	} {
		if code, text := sr.callChecked(t, http.MethodPut, path, c.who, c.body, false); code != c.want {
			t.Errorf("PUT %v as %q: %d, want %d: %s", c.body, c.who, code, c.want, text)
		}
	}
	sr.decode(t, http.MethodGet, path, "", nil, http.StatusOK, &got)
	if got.Support != "Merci **beaucoup**" || len(got.FundingLinks) != 2 {
		t.Errorf("refused PUTs changed the channel: %+v", got)
	}
}
