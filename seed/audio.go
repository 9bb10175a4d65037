package seed

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// audioFS holds the seed recordings: audio/<survey>.<question>.<language>.opus,
// each a question of a seed survey read aloud (made with espeak-ng and
// opusenc, so nobody's voice is in the repository).
//
//go:embed audio/*.opus
var audioFS embed.FS

// Clip is a seed recording of one survey question in one language.
type Clip struct {
	Survey, Question, Language string
	Data                       []byte
}

// Clips returns the seed recordings, ordered by file name. It fails if a
// file's name does not say its survey, question and language.
func Clips() ([]Clip, error) {
	names, err := fs.Glob(audioFS, "audio/*.opus")
	if err != nil {
		return nil, fmt.Errorf("seed.Clips: %w", err)
	}
	sort.Strings(names)
	out := make([]Clip, 0, len(names))
	for _, name := range names {
		parts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(name, "audio/"), ".opus"), ".")
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			return nil, fmt.Errorf("seed.Clips: %s is not named <survey>.<question>.<language>.opus", name)
		}
		data, err := audioFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("seed.Clips: %w", err)
		}
		out = append(out, Clip{Survey: parts[0], Question: parts[1], Language: parts[2], Data: data})
	}
	return out, nil
}
