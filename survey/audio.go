package survey

import (
	"bytes"
	"encoding/binary"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// MaxClipBytes is the largest recording a question may have: about a
// minute of speech at the bit rates phones record at, and little enough
// that playing it over a slow connection is bearable.
const MaxClipBytes = 1 << 20

// ClipFormat is a recording format a survey question's clip may have.
// Only formats every current browser plays in a native <audio> element
// are accepted (Safari plays Ogg Opus since version 17).
type ClipFormat struct {
	// Ext is the file extension, without the dot, of the clip's URL.
	Ext string
	// ContentType is what the clip is served as.
	ContentType string
	// Name is what staff see.
	Name string
}

// The accepted formats.
var (
	ClipOpus = ClipFormat{Ext: "opus", ContentType: "audio/ogg", Name: "Opus"}
	ClipMP3  = ClipFormat{Ext: "mp3", ContentType: "audio/mpeg", Name: "MP3"}
	ClipAAC  = ClipFormat{Ext: "aac", ContentType: "audio/aac", Name: "AAC"}
	ClipM4A  = ClipFormat{Ext: "m4a", ContentType: "audio/mp4", Name: "AAC (M4A)"}
)

// ClipFormats lists the accepted formats.
var ClipFormats = []ClipFormat{ClipOpus, ClipMP3, ClipAAC, ClipM4A}

// ClipFormatByExt returns the accepted format with extension ext.
func ClipFormatByExt(ext string) (ClipFormat, bool) {
	for _, f := range ClipFormats {
		if f.Ext == ext {
			return f, true
		}
	}
	return ClipFormat{}, false
}

// Clip refusal codes and their messages (locales/active.en.toml).
const (
	CodeClipEmpty       = "clip_empty"
	CodeClipTooLarge    = "clip_too_large"
	CodeClipNotAudio    = "clip_not_audio"
	CodeClipUnsupported = "clip_unsupported_audio"

	MessageClipEmpty       = "ClipEmpty"       // no data
	MessageClipTooLarge    = "ClipTooLarge"    // {{.MaxKB}}
	MessageClipNotAudio    = "ClipNotAudio"    // no data
	MessageClipUnsupported = "ClipUnsupported" // {{.Type}}: the format found
)

// ClipError says why a file cannot be a question's recording.
type ClipError struct {
	Code      string
	MessageID string
	// Type is the media type found in the file, for an unsupported audio
	// format (such as audio/wav).
	Type string
}

func (e *ClipError) Error() string { return "survey: clip refused: " + e.Code }

// TemplateData returns the data the error's sentence needs.
func (e *ClipError) TemplateData() map[string]any {
	switch e.MessageID {
	case MessageClipTooLarge:
		return map[string]any{"MaxKB": MaxClipBytes >> 10}
	case MessageClipUnsupported:
		return map[string]any{"Type": e.Type}
	}
	return nil
}

// DetectClip tells an accepted recording's format from its bytes alone,
// never from a file name or a Content-Type header. Besides the media type
// github.com/gabriel-vasile/mimetype finds from the first bytes, it checks
// the structure that a player relies on: an Ogg stream must carry Opus
// (not Vorbis or FLAC); MP3 and ADTS AAC must start with two whole frames
// in a row (after an ID3v2 tag, if any), so that a file that merely begins
// with a sync word or "ID3" is refused; an M4A must be a sequence of
// well-formed boxes with a sound track and no video track. It returns a
// *ClipError otherwise.
func DetectClip(data []byte) (ClipFormat, error) {
	switch {
	case len(data) == 0:
		return ClipFormat{}, &ClipError{Code: CodeClipEmpty, MessageID: MessageClipEmpty}
	case len(data) > MaxClipBytes:
		return ClipFormat{}, &ClipError{Code: CodeClipTooLarge, MessageID: MessageClipTooLarge}
	}
	body, tagged, ok := skipID3(data)
	if !ok {
		return ClipFormat{}, notAudio()
	}
	mt := mimetype.Detect(body)
	switch {
	case mt.Is("audio/ogg"):
		if !tagged && isOpus(body) {
			return ClipOpus, nil
		}
		if !tagged {
			return ClipFormat{}, unsupported("audio/ogg")
		}
	case mt.Is("audio/mpeg"):
		if mp3Frames(body) {
			return ClipMP3, nil
		}
	case mt.Is("audio/aac"):
		if adtsFrames(body) {
			return ClipAAC, nil
		}
	case mt.Is("audio/x-m4a"), mt.Is("audio/mp4"), mt.Is("video/mp4"):
		// An M4A's major brand is often "isom" or "mp42", which mimetype
		// calls video/mp4: the tracks decide.
		if !tagged && mp4Audio(body) {
			return ClipM4A, nil
		}
		if !tagged && mt.Is("video/mp4") {
			return ClipFormat{}, unsupported("video/mp4")
		}
	default:
		if t := mt.String(); !tagged && (strings.HasPrefix(t, "audio/") || strings.HasPrefix(t, "video/")) {
			return ClipFormat{}, unsupported(strings.SplitN(t, ";", 2)[0])
		}
	}
	return ClipFormat{}, notAudio()
}

func notAudio() *ClipError {
	return &ClipError{Code: CodeClipNotAudio, MessageID: MessageClipNotAudio}
}

func unsupported(t string) *ClipError {
	return &ClipError{Code: CodeClipUnsupported, MessageID: MessageClipUnsupported, Type: t}
}

// skipID3 returns what follows an ID3v2 tag at the start of data (all of
// data when there is none); ok is false when the tag is malformed or fills
// the whole file.
func skipID3(data []byte) (body []byte, tagged, ok bool) {
	if !bytes.HasPrefix(data, []byte("ID3")) {
		return data, false, true
	}
	if len(data) < 10 || data[3] == 0xFF || data[4] == 0xFF {
		return nil, true, false
	}
	size := 0
	for _, b := range data[6:10] {
		if b&0x80 != 0 { // the size is "syncsafe": seven bits a byte
			return nil, true, false
		}
		size = size<<7 | int(b)
	}
	end := 10 + size
	if data[5]&0x10 != 0 { // a footer follows the tag
		end += 10
	}
	if end >= len(data) {
		return nil, true, false
	}
	return data[end:], true, true
}

// isOpus reports whether an Ogg stream's first page holds an Opus
// identification header (RFC 7845, section 5.1): version 0.x, at least one
// channel.
func isOpus(b []byte) bool {
	// The first page has one segment: its packet starts at byte 28.
	const head = 28
	return len(b) >= head+19 && b[26] == 1 &&
		bytes.HasPrefix(b[head:], []byte("OpusHead")) && b[head+8]&0xF0 == 0 && b[head+9] > 0
}

// mp3Frames reports whether b starts with two MPEG audio layer III frames
// in a row, or one frame that is the whole file.
func mp3Frames(b []byte) bool {
	n := mp3FrameLen(b)
	if n <= 0 || n > len(b) {
		return false
	}
	return n == len(b) || mp3FrameLen(b[n:]) > 0
}

var (
	mp3Bitrates1 = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}
	mp3Bitrates2 = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}
	mp3Rates     = map[byte][3]int{3: {44100, 48000, 32000}, 2: {22050, 24000, 16000}, 0: {11025, 12000, 8000}}
)

// mp3FrameLen is the length of the layer III frame whose header starts b,
// or 0 when b does not start with one.
func mp3FrameLen(b []byte) int {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return 0
	}
	version, layer := b[1]>>3&3, b[1]>>1&3
	bitrateIdx, rateIdx, padding := b[2]>>4, b[2]>>2&3, int(b[2]>>1&1)
	rates, ok := mp3Rates[version]
	if !ok || layer != 1 || rateIdx == 3 {
		return 0
	}
	if version == 3 {
		kbps := mp3Bitrates1[bitrateIdx]
		if kbps == 0 {
			return 0
		}
		return 144*kbps*1000/rates[rateIdx] + padding
	}
	kbps := mp3Bitrates2[bitrateIdx]
	if kbps == 0 {
		return 0
	}
	return 72*kbps*1000/rates[rateIdx] + padding
}

// adtsFrames reports whether b starts with two ADTS frames in a row, or
// one frame that is the whole file.
func adtsFrames(b []byte) bool {
	n := adtsFrameLen(b)
	if n <= 0 || n > len(b) {
		return false
	}
	return n == len(b) || adtsFrameLen(b[n:]) > 0
}

// adtsFrameLen is the length of the ADTS frame whose header starts b, or 0.
func adtsFrameLen(b []byte) int {
	if len(b) < 7 || b[0] != 0xFF || b[1]&0xF6 != 0xF0 {
		return 0 // no sync word, or a layer other than 0
	}
	if b[2]>>2&0xF > 12 {
		return 0 // a sampling frequency index that means nothing
	}
	n := int(b[3]&3)<<11 | int(b[4])<<3 | int(b[5]>>5)
	header := 7
	if b[1]&1 == 0 {
		header = 9 // a CRC follows the header
	}
	if n <= header {
		return 0
	}
	return n
}

// mp4Audio reports whether b is a sequence of well-formed ISO BMFF boxes,
// the first "ftyp", with a "moov" box whose tracks include sound and no
// video.
func mp4Audio(b []byte) bool {
	var moov []byte
	for off, first := 0, true; off < len(b); first = false {
		size, header, ok := boxSize(b[off:])
		if !ok || (first && string(b[off+4:off+8]) != "ftyp") {
			return false
		}
		if string(b[off+4:off+8]) == "moov" {
			moov = b[off+header : off+size]
		}
		off += size
	}
	if moov == nil {
		return false
	}
	sound := false
	for rest := moov; ; {
		i := bytes.Index(rest, []byte("hdlr"))
		if i < 0 || i+16 > len(rest) {
			break
		}
		// hdlr: version and flags (4), pre_defined (4), handler type (4).
		switch string(rest[i+12 : i+16]) {
		case "soun":
			sound = true
		case "vide":
			return false
		}
		rest = rest[i+4:]
	}
	return sound
}

// boxSize reads the size of the box that starts b: ok is false when it
// does not fit in b.
func boxSize(b []byte) (size, header int, ok bool) {
	if len(b) < 8 {
		return 0, 0, false
	}
	size, header = int(binary.BigEndian.Uint32(b)), 8
	switch size {
	case 0: // the box runs to the end of the file
		size = len(b)
	case 1: // a 64-bit size follows the type
		if len(b) < 16 {
			return 0, 0, false
		}
		large := binary.BigEndian.Uint64(b[8:])
		if large > uint64(len(b)) {
			return 0, 0, false
		}
		size, header = int(large), 16
	}
	return size, header, size >= header && size <= len(b)
}
