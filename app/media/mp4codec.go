package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// RFC 6381 codec strings come from the init segment itself: avc1.PPCCLL is
// the avcC record's profile, constraint flags and level bytes, mp4a.40.N the
// AudioSpecificConfig's object type. Rebuilding them from ffprobe's profile
// name loses the constraint flags (Constrained Baseline is 42E0xx, not
// 4200xx), which some players check.

// codecsFromInit returns the codec strings of an fMP4 init segment, video
// first.
func codecsFromInit(data []byte) ([]string, error) {
	var out []string
	err := walkBoxes(data, func(typ string, body []byte) error {
		switch typ {
		case "avc1", "avc3":
			c, err := avcCodec(typ, body)
			if err != nil {
				return err
			}
			out = append([]string{c}, out...)
		case "mp4a":
			c, err := mp4aCodec(body)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no avc1 or mp4a sample entry in init segment")
	}
	return out, nil
}

// hasVideoCodec says whether codecsFromInit found a video sample entry.
func hasVideoCodec(codecs []string) bool {
	for _, c := range codecs {
		if strings.HasPrefix(c, "avc1.") || strings.HasPrefix(c, "avc3.") {
			return true
		}
	}
	return false
}

// containerBox reports whether we descend into a box, and how many header
// bytes precede its children: the sample description has an 8-byte one.
func containerBox(typ string) (skip int, ok bool) {
	switch typ {
	case "moov", "trak", "mdia", "minf", "stbl":
		return 0, true
	case "stsd":
		return 8, true
	}
	return 0, false
}

// walkBoxes visits every box under the containers we descend into.
func walkBoxes(data []byte, visit func(typ string, body []byte) error) error {
	for len(data) >= 8 {
		size := int(binary.BigEndian.Uint32(data))
		typ := string(data[4:8])
		hdr := 8
		switch {
		case size == 1 && len(data) >= 16:
			size64 := binary.BigEndian.Uint64(data[8:])
			if size64 > uint64(len(data)) {
				return fmt.Errorf("box %q overruns the file", typ)
			}
			size, hdr = int(size64), 16
		case size == 0:
			size = len(data)
		}
		if size < hdr || size > len(data) {
			return fmt.Errorf("box %q has bad size %d", typ, size)
		}
		body := data[hdr:size]
		if skip, ok := containerBox(typ); ok {
			if len(body) < skip {
				return fmt.Errorf("box %q too short", typ)
			}
			if err := walkBoxes(body[skip:], visit); err != nil {
				return err
			}
		} else if err := visit(typ, body); err != nil {
			return err
		}
		data = data[size:]
	}
	return nil
}

// Visual and audio sample entries have fixed fields before their children
// (ISO/IEC 14496-12 §12.1.3 and §12.2.3).
const (
	visualSampleEntryLen = 78
	audioSampleEntryLen  = 28
)

func avcCodec(typ string, entry []byte) (string, error) {
	if len(entry) < visualSampleEntryLen {
		return "", fmt.Errorf("%s sample entry too short", typ)
	}
	var codec string
	err := walkBoxes(entry[visualSampleEntryLen:], func(t string, body []byte) error {
		if t == "avcC" && len(body) >= 4 {
			codec = fmt.Sprintf("%s.%02x%02x%02x", typ, body[1], body[2], body[3])
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if codec == "" {
		return "", fmt.Errorf("%s sample entry without avcC", typ)
	}
	return codec, nil
}

func mp4aCodec(entry []byte) (string, error) {
	if len(entry) < audioSampleEntryLen {
		return "", errors.New("mp4a sample entry too short")
	}
	codec := ""
	err := walkBoxes(entry[audioSampleEntryLen:], func(t string, body []byte) error {
		if t == "esds" && len(body) > 4 {
			c, err := esdsCodec(body[4:]) // skip version and flags
			if err != nil {
				return err
			}
			codec = c
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if codec == "" {
		return "", errors.New("mp4a sample entry without esds")
	}
	return codec, nil
}

// esdsCodec reads an ES_Descriptor (ISO/IEC 14496-1 §7.2.6.5) down to the
// DecoderConfigDescriptor's object type and, for MPEG-4 audio (0x40), the
// AudioSpecificConfig's audioObjectType.
func esdsCodec(b []byte) (string, error) {
	tag, body, _, err := descriptor(b)
	if err != nil || tag != 0x03 || len(body) < 3 {
		return "", fmt.Errorf("esds: no ES descriptor")
	}
	flags := body[2]
	body = body[3:] // ES_ID, flags
	if flags&0x80 != 0 {
		body = skip(body, 2) // dependsOn_ES_ID
	}
	if flags&0x40 != 0 && len(body) > 0 {
		body = skip(body, 1+int(body[0])) // URL
	}
	if flags&0x20 != 0 {
		body = skip(body, 2) // OCR_ES_Id
	}
	tag, dcd, _, err := descriptor(body)
	if err != nil || tag != 0x04 || len(dcd) < 13 {
		return "", fmt.Errorf("esds: no decoder config")
	}
	oti := dcd[0]
	if oti != 0x40 {
		return fmt.Sprintf("mp4a.%02x", oti), nil
	}
	tag, asc, _, err := descriptor(dcd[13:])
	if err != nil || tag != 0x05 || len(asc) < 1 {
		return "", fmt.Errorf("esds: no AudioSpecificConfig")
	}
	aot := int(asc[0] >> 3)
	if aot == 31 && len(asc) >= 2 { // escape: 6 more bits
		aot = 32 + int(asc[0]&0x07)<<3 | int(asc[1]>>5)
	}
	return fmt.Sprintf("mp4a.40.%d", aot), nil
}

// descriptor splits one MPEG-4 descriptor: tag, then a size in up to four
// 7-bit groups.
func descriptor(b []byte) (tag byte, body, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, errors.New("short descriptor")
	}
	tag = b[0]
	size, i := 0, 1
	for ; i < len(b) && i <= 4; i++ {
		size = size<<7 | int(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			i++
			break
		}
	}
	if i+size > len(b) {
		return 0, nil, nil, errors.New("descriptor overruns its box")
	}
	return tag, b[i : i+size], b[i+size:], nil
}

func skip(b []byte, n int) []byte {
	if n > len(b) {
		return nil
	}
	return b[n:]
}
