package torrents

import (
	"bytes"
	"reflect"
	"testing"
)

func TestBencodeKnownValues(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{"spam", "4:spam"},
		{"", "0:"},
		{int64(3), "i3e"},
		{-3, "i-3e"},
		{0, "i0e"},
		{[]any{"spam", "eggs"}, "l4:spam4:eggse"},
		{map[string]any{"spam": []any{"a", "b"}, "cow": "moo"}, "d3:cow3:moo4:spaml1:a1:bee"},
		{map[string]any{"piece length": 16384, "name": "a b.mp4"}, "d4:name7:a b.mp412:piece lengthi16384ee"},
	} {
		got, err := Encode(c.v)
		if err != nil || string(got) != c.want {
			t.Errorf("Encode(%v) = %q, %v; want %q", c.v, got, err, c.want)
		}
	}
	if _, err := Encode(1.5); err == nil {
		t.Error("a float encoded")
	}
}

func TestBencodeRejectsMalformed(t *testing.T) {
	for _, in := range []string{"", "i-0e", "i03e", "ie", "i1", "5:ab", "l", "d1:ae", "d1:b1:x1:a1:ye", "02:ab", "x", "i1ei2e", "d1:a1:b1:a1:ce"} {
		if v, err := Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) = %v, want an error", in, v)
		}
	}
}

func TestBencodeRoundTrip(t *testing.T) {
	v := map[string]any{"info": map[string]any{"pieces": string(bytes.Repeat([]byte{0, 0xff}, 20)), "length": int64(1 << 40)},
		"url-list": []any{"https://x/a b"}, "announce-list": []any{[]any{"ws://x"}}}
	b, err := Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil || !reflect.DeepEqual(got, v) {
		t.Fatalf("round trip: %v %v, want %v", got, err, v)
	}
}

// FuzzBencode: whatever Decode accepts, Encode writes back byte for byte
// (the encoding is canonical), and nothing makes Decode panic.
func FuzzBencode(f *testing.F) {
	for _, s := range []string{"d3:cow3:moo4:spaml1:a1:bee", "i-42e", "l0:e", "d4:infod6:lengthi3eee", "le", "de"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := Decode(in)
		if err != nil {
			return
		}
		out, err := Encode(v)
		if err != nil {
			t.Fatalf("decoded %q but cannot encode it: %v", in, err)
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("Decode then Encode of %q gives %q", in, out)
		}
	})
}
