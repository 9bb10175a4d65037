package web

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/store"
	"yousaid/survey"
)

// exportCSV is GET /api/v1/waves/{wave}/export.csv (council_admin): one
// row per response in random order, with the ISO week and language and no
// id; free text only where approved, as approved (masked). It reads every
// response of the wave: a deliberate download, never a page.
//
// The memory it takes does not grow with the wave's rows: each row is
// written as CSV to a temporary file as the responses are read (unlinked at
// once, so it leaves nothing behind even if the process dies), and only its
// place in the file is kept (8 bytes a row); the places are shuffled and the
// rows copied to the client in that order. The random order is the point:
// rows in stored order would show who answered after whom.
func (s *Server) exportCSV(c *gin.Context) {
	w, err := s.staffWave(c, store.RoleCouncilAdmin)
	if err != nil {
		s.fail(c, "export.csv", err)
		return
	}
	if s.responsesDeleted(c, w) {
		return
	}
	ctx := c.Request.Context()
	def, err := s.definition(ctx, w.Survey, w.Version)
	if err != nil {
		s.fail(c, "export.csv", err)
		return
	}
	approved, err := s.store.ApprovedTexts(ctx, w.ID)
	if err != nil {
		s.fail(c, "export.csv", err)
		return
	}
	spool, err := newRowSpool()
	if err != nil {
		s.fail(c, "export.csv", err)
		return
	}
	defer spool.Close()
	questions := def.Questions()
	header := []string{"week", "language"}
	for _, q := range questions {
		header = append(header, q.ID)
	}
	// A large wave takes longer than the server's write timeout: the
	// deadline moves on while the export makes progress, so only a stalled
	// one is cut off.
	rc := http.NewResponseController(c.Writer)
	progress := func(rows int) {
		if rows%1000 == 0 {
			_ = rc.SetWriteDeadline(time.Now().Add(exportStall)) // not every writer has deadlines
		}
	}
	progress(0)
	row := make([]string, 0, len(header))
	err = s.store.EachResponse(ctx, w.ID, func(r *store.Response) error {
		progress(len(spool.offsets) + 1)
		answers := survey.NormaliseStored(def, r.Answers)
		row = append(row[:0], r.Week, r.Language)
		for _, q := range questions {
			row = append(row, exportCell(q, answers[q.ID], approved[store.TextID(r.ID, q.ID)]))
		}
		return spool.Add(row)
	})
	if err == nil {
		err = spool.Seal()
	}
	if err != nil {
		s.fail(c, "export.csv", err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "export-"+w.ID+".csv"))
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Status(http.StatusOK)
	out := bufio.NewWriterSize(c.Writer, 64<<10)
	cw := csv.NewWriter(out)
	if err := cw.Write(header); err != nil {
		return
	}
	cw.Flush()
	if err := spool.WriteShuffled(out, progress); err != nil {
		// The status is sent: the client sees a cut-off file. Say why in
		// the log (no row content is in err).
		s.logger.Warn("export.csv cut short", "wave", w.ID, "err", err)
		return
	}
	_ = out.Flush()
}

// exportStall is how long an export may go without progress before the
// connection is cut.
const exportStall = 30 * time.Second

// rowSpool holds CSV rows in an unlinked temporary file and their offsets
// in memory, to hand them back in random order.
type rowSpool struct {
	f       *os.File
	buf     *bufio.Writer
	cw      *csv.Writer
	offsets []int64 // where each row starts; one more at the end
	size    int64
	counter *countingWriter
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func newRowSpool() (*rowSpool, error) {
	f, err := os.CreateTemp("", "yousaid-export-")
	if err != nil {
		return nil, err
	}
	// Unlinked at once: the rows live only as long as the open file.
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	sp := &rowSpool{f: f, buf: bufio.NewWriterSize(f, 64<<10)}
	sp.counter = &countingWriter{w: sp.buf}
	sp.cw = csv.NewWriter(sp.counter)
	return sp, nil
}

// Add writes one row.
func (sp *rowSpool) Add(row []string) error {
	sp.offsets = append(sp.offsets, sp.counter.n)
	if err := sp.cw.Write(row); err != nil {
		return err
	}
	sp.cw.Flush() // into the buffer, so the counter knows where the next row starts
	return sp.cw.Error()
}

// Seal ends the writing.
func (sp *rowSpool) Seal() error {
	sp.offsets = append(sp.offsets, sp.counter.n)
	return sp.buf.Flush()
}

// WriteShuffled copies the rows to w in a random order, calling progress
// with the number of rows written so far.
func (sp *rowSpool) WriteShuffled(w io.Writer, progress func(int)) error {
	n := len(sp.offsets) - 1
	order := make([]uint32, n)
	for i := range order {
		order[i] = uint32(i)
	}
	rand.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	var row []byte
	for k, i := range order {
		progress(k + 1)
		start, end := sp.offsets[i], sp.offsets[i+1]
		if cap(row) < int(end-start) {
			row = make([]byte, end-start)
		}
		row = row[:end-start]
		if _, err := sp.f.ReadAt(row, start); err != nil {
			return err
		}
		if _, err := w.Write(row); err != nil {
			return err
		}
	}
	return nil
}

// Close removes the rows.
func (sp *rowSpool) Close() error { return sp.f.Close() }

// exportCell writes one answer: choices joined by ";", text only when a
// moderator approved it (and then as approved, with personal data masked).
func exportCell(q *survey.Question, v any, approved store.Text) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		if q.Type == survey.TypeText {
			return approved.Text
		}
		return v
	case []string:
		return strings.Join(v, ";")
	case int:
		return strconv.Itoa(v)
	}
	return ""
}
