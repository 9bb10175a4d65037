package survey_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"yousaid/survey"
)

// The recordings in testdata/audio were made with espeak-ng, then encoded
// by opusenc (Opus), lame (MP3 with and without an ID3v2 tag) and ffmpeg
// (ADTS AAC, M4A with the "M4A " and "isom" brands, Ogg Vorbis, WAV, and a
// video-only MP4).
func readClip(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "audio", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDetectClipAcceptsEachFormat(t *testing.T) {
	for _, tc := range []struct {
		file string
		want survey.ClipFormat
	}{
		{"hello.opus", survey.ClipOpus},
		{"hello-id3.mp3", survey.ClipMP3},
		{"hello-noid3.mp3", survey.ClipMP3},
		{"hello.aac", survey.ClipAAC},
		{"hello.m4a", survey.ClipM4A},
		{"hello-isom.m4a", survey.ClipM4A},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := survey.DetectClip(readClip(t, tc.file))
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDetectClipRefusesEverythingElse(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	opus := readClip(t, "hello.opus")
	mp3 := readClip(t, "hello-noid3.mp3")
	aac := readClip(t, "hello.aac")
	for _, tc := range []struct {
		name     string
		data     []byte
		code     string
		wantType string
	}{
		{"empty", nil, survey.CodeClipEmpty, ""},
		{"over 1 MB", append(bytes.Repeat(opus, survey.MaxClipBytes/len(opus)), opus...), survey.CodeClipTooLarge, ""},
		{"WAV", readClip(t, "hello.wav"), survey.CodeClipUnsupported, "audio/wav"},
		{"Ogg Vorbis", readClip(t, "hello.ogg"), survey.CodeClipUnsupported, "audio/ogg"},
		{"video MP4", readClip(t, "video.mp4"), survey.CodeClipUnsupported, "video/mp4"},
		{"PNG", png, survey.CodeClipNotAudio, ""},
		{"HTML named .mp3", []byte("<!doctype html><html><body><script>alert(1)</script></body></html>"), survey.CodeClipNotAudio, ""},
		{"plain text", []byte("Do you feel safe where you live?"), survey.CodeClipNotAudio, ""},
		{"ID3 tag before HTML", append([]byte("ID3\x03\x00\x00\x00\x00\x00\x02xx"), "<html><script>alert(1)</script>"...), survey.CodeClipNotAudio, ""},
		{"ID3 tag only", []byte("ID3\x03\x00\x00\x00\x00\x00\x02xx"), survey.CodeClipNotAudio, ""},
		{"MP3 sync word then text", append([]byte{0xFF, 0xFB, 0x90, 0x64}, "<html>not a second frame</html>"...), survey.CodeClipNotAudio, ""},
		{"MP3 first frame cut short", mp3[:30], survey.CodeClipNotAudio, ""},
		{"ADTS sync word then text", append([]byte{0xFF, 0xF1, 0x60, 0x40, 0x1B, 0xFF, 0xFC}, "<svg onload=alert(1)>"...), survey.CodeClipNotAudio, ""},
		{"ADTS first frame cut short", aac[:20], survey.CodeClipNotAudio, ""},
		{"Ogg page without a packet", opus[:30], survey.CodeClipNotAudio, ""},
		{"ftyp box then text", []byte("\x00\x00\x00\x14ftypM4A \x00\x00\x02\x00M4A <html></html>"), survey.CodeClipNotAudio, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := survey.DetectClip(tc.data)
			var ce *survey.ClipError
			if !errors.As(err, &ce) {
				t.Fatalf("accepted as %v (err %v), want %s", f, err, tc.code)
			}
			if ce.Code != tc.code || ce.Type != tc.wantType {
				t.Errorf("got %s %q, want %s %q", ce.Code, ce.Type, tc.code, tc.wantType)
			}
		})
	}
}

func TestClipFormatByExt(t *testing.T) {
	for _, f := range survey.ClipFormats {
		got, ok := survey.ClipFormatByExt(f.Ext)
		if !ok || got != f {
			t.Errorf("ClipFormatByExt(%q) = %v, %v", f.Ext, got, ok)
		}
	}
	for _, ext := range []string{"", "wav", "ogg", "OPUS", "html"} {
		if _, ok := survey.ClipFormatByExt(ext); ok {
			t.Errorf("ClipFormatByExt(%q) found a format", ext)
		}
	}
}

// FuzzDetectClip feeds DetectClip any bytes, starting from every real
// recording: it never panics, accepts only the four formats, and a file it
// accepts keeps being accepted as the same format (nothing depends on
// anything but the bytes).
func FuzzDetectClip(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "audio"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		f.Add(readClip(f, e.Name()))
	}
	f.Add([]byte("ID3\x04\x00\x10\x00\x00\x00\x00"))
	f.Add([]byte{0xFF, 0xF1, 0x50, 0x80, 0x01, 0x1F, 0xFC})
	f.Add([]byte("\x00\x00\x00\x01ftypM4A \x00\x00\x00\x00\x00\x00\x00\x08"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := survey.DetectClip(data)
		if err != nil {
			var ce *survey.ClipError
			if !errors.As(err, &ce) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if _, ok := survey.ClipFormatByExt(got.Ext); !ok {
			t.Fatalf("accepted as an unknown format %+v", got)
		}
		again, err := survey.DetectClip(bytes.Clone(data))
		if err != nil || again != got {
			t.Fatalf("second look: %v %v, first %v", again, err, got)
		}
	})
}
