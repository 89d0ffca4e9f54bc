package web

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// clientFrom is an HTTP client whose connections come from a loopback
// address of its own (all of 127/8 is loopback on Linux), so the server
// sees distinct clients.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{
		Transport:     &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 64},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type reply struct {
	status      int
	retryAfter  string
	contentType string
	body        string
}

func postForm(c *http.Client, u string, form url.Values, csrf bool) (reply, error) {
	if csrf {
		form.Set(csrfField, testCSRF)
	}
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	res, err := c.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return reply{res.StatusCode, res.Header.Get("Retry-After"), res.Header.Get("Content-Type"), string(b)}, err
}

// A burst of wrong-password logins from one address: five are checked, the
// rest get 429 with Retry-After (an HTML page); the token endpoint shares
// the allowance and answers in PeerTube's JSON; another address is
// unaffected.
func TestPasswordRoutesAreRateLimited(t *testing.T) {
	r := newRig(t)
	one := clientFrom("127.0.0.1")
	wrong := func() url.Values { return url.Values{"username": {"admin"}, "password": {"wrong password"}} }

	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			rep, err := postForm(one, r.http.URL+"/login", wrong(), true)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			counts[rep.status]++
			if rep.status != http.StatusTooManyRequests {
				return
			}
			if n, err := strconv.Atoi(rep.retryAfter); err != nil || n < 1 || n > int(passwordEvery.Seconds()) {
				t.Errorf("429 with Retry-After %q", rep.retryAfter)
			}
			if !strings.HasPrefix(rep.contentType, "text/html") || !strings.Contains(rep.body, "Too many attempts") {
				t.Errorf("429 page: %s %.200s", rep.contentType, rep.body)
			}
		})
	}
	wg.Wait()
	if counts[http.StatusUnauthorized] != passwordBurst || counts[http.StatusTooManyRequests] != 200-passwordBurst {
		t.Fatalf("statuses %v: want %d × 401 and %d × 429", counts, passwordBurst, 200-passwordBurst)
	}

	rep, err := postForm(one, r.http.URL+"/api/v1/users/token", url.Values{"grant_type": {"password"}, "username": {"admin"}, "password": {"x"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Status int    `json:"status"`
		Error  string `json:"error"`
	}
	if rep.status != http.StatusTooManyRequests || rep.retryAfter == "" || json.Unmarshal([]byte(rep.body), &body) != nil || body.Status != 429 || body.Error == "" {
		t.Errorf("token endpoint after the burst: %d, Retry-After %q, %s", rep.status, rep.retryAfter, rep.body)
	}
	rep, err = postForm(one, r.http.URL+"/setup", url.Values{"username": {"x"}}, true)
	if err != nil || rep.status != http.StatusTooManyRequests {
		t.Errorf("setup after the burst: %d %v", rep.status, err)
	}

	other := clientFrom("127.0.0.2")
	rep, err = postForm(other, r.http.URL+"/login", url.Values{"username": {"admin"}, "password": {"correct horse battery staple"}}, true)
	if err != nil || rep.status != http.StatusSeeOther {
		t.Errorf("login from another address: %d %v %.200s", rep.status, err, rep.body)
	}
}
