package store

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A backup is one gzip stream:
//
//	"yousaid-backup\n"
//	one line of JSON: BackupHeader
//	records, each one tag byte then one BSON document:
//	  'C' {name, indexes: [index spec documents, as listIndexes gives them]}
//	  'D' a document of the collection named by the last 'C', exactly as stored
//	  'E' {name, count}: the collection's end
//	  'Z' {collections, documents}: the backup's end (a truncated file has none)
//
// Documents stay BSON from the store to the file and back, so every type
// (dates, 64-bit integers, binary, decimals) survives exactly.
const (
	backupMagic   = "yousaid-backup\n"
	BackupVersion = 1

	tagCollection = 'C'
	tagDocument   = 'D'
	tagEnd        = 'E'
	tagFinal      = 'Z'
)

// BackupHeader opens a backup.
type BackupHeader struct {
	Format    string    `json:"format"` // "yousaid-backup"
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	Database  string    `json:"database"`
	// Source says what was read: "embedded" (a snapshot of the SQLite
	// files) or "mongodb".
	Source      string   `json:"source"`
	Collections []string `json:"collections"`
}

// BackupSummary says what a backup or restore held.
type BackupSummary struct {
	Collections map[string]int64 // documents by collection
	Documents   int64
}

type collectionRecord struct {
	Name    string     `bson:"name"`
	Indexes []bson.Raw `bson:"indexes"`
}

type endRecord struct {
	Name  string `bson:"name"`
	Count int64  `bson:"count"`
}

type finalRecord struct {
	Collections int   `bson:"collections"`
	Documents   int64 `bson:"documents"`
}

// WriteBackup writes every collection of db (documents and index specs) to
// w as one compressed backup. It reads each collection through one cursor:
// it is a point-in-time copy only when nothing writes to db meanwhile (the
// embedded store's backup reads a snapshot; see server/backup.go).
func WriteBackup(ctx context.Context, db *mongo.Database, source string, now time.Time, w io.Writer) (BackupSummary, error) {
	sum := BackupSummary{Collections: map[string]int64{}}
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return sum, fmt.Errorf("store.WriteBackup: %w", err)
	}
	slices.Sort(names)
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return sum, err
	}
	bw := bufio.NewWriterSize(zw, 1<<20)
	header, err := json.Marshal(BackupHeader{Format: "yousaid-backup", Version: BackupVersion,
		CreatedAt: now.UTC(), Database: db.Name(), Source: source, Collections: names})
	if err != nil {
		return sum, err
	}
	if _, err := bw.WriteString(backupMagic + string(header) + "\n"); err != nil {
		return sum, err
	}
	record := func(tag byte, doc any) error {
		raw, err := bson.Marshal(doc)
		if err != nil {
			return err
		}
		return writeRecord(bw, tag, raw)
	}
	for _, name := range names {
		coll := db.Collection(name)
		cur, err := coll.Indexes().List(ctx)
		if err != nil {
			return sum, fmt.Errorf("store.WriteBackup: indexes of %s: %w", name, err)
		}
		var indexes []bson.Raw
		for cur.Next(ctx) {
			indexes = append(indexes, slices.Clone(cur.Current))
		}
		if err := cur.Err(); err != nil {
			return sum, fmt.Errorf("store.WriteBackup: indexes of %s: %w", name, err)
		}
		_ = cur.Close(ctx)
		if err := record(tagCollection, collectionRecord{Name: name, Indexes: indexes}); err != nil {
			return sum, err
		}
		// In _id order, so that two backups of the same data are alike.
		docs, err := coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(1000))
		if err != nil {
			return sum, fmt.Errorf("store.WriteBackup: %s: %w", name, err)
		}
		var n int64
		for docs.Next(ctx) {
			if err := writeRecord(bw, tagDocument, docs.Current); err != nil {
				_ = docs.Close(ctx)
				return sum, err
			}
			n++
		}
		if err := docs.Err(); err != nil {
			return sum, fmt.Errorf("store.WriteBackup: %s: %w", name, err)
		}
		_ = docs.Close(ctx)
		if err := record(tagEnd, endRecord{Name: name, Count: n}); err != nil {
			return sum, err
		}
		sum.Collections[name] = n
		sum.Documents += n
	}
	if err := record(tagFinal, finalRecord{Collections: len(names), Documents: sum.Documents}); err != nil {
		return sum, err
	}
	if err := bw.Flush(); err != nil {
		return sum, err
	}
	return sum, zw.Close()
}

func writeRecord(w *bufio.Writer, tag byte, raw []byte) error {
	if err := w.WriteByte(tag); err != nil {
		return err
	}
	_, err := w.Write(raw)
	return err
}

// ErrNotEmpty means a restore found collections in the database already.
var ErrNotEmpty = errors.New("the database is not empty")

// readBackupHeader reads and checks a backup's header from r (the
// decompressed stream).
func readBackupHeader(r *bufio.Reader) (BackupHeader, error) {
	var h BackupHeader
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != backupMagic {
		return h, errors.New("not a yousaid backup")
	}
	line, err := r.ReadBytes('\n')
	if err != nil {
		return h, fmt.Errorf("the backup's header is cut short: %w", err)
	}
	if err := json.Unmarshal(line, &h); err != nil {
		return h, fmt.Errorf("the backup's header is not valid JSON: %w", err)
	}
	if h.Format != "yousaid-backup" || h.Version != BackupVersion {
		return h, fmt.Errorf("backup format %q version %d: this program reads version %d", h.Format, h.Version, BackupVersion)
	}
	return h, nil
}

// readRecord reads one tagged BSON document; io.EOF at a clean end of input.
func readRecord(r *bufio.Reader) (byte, bson.Raw, error) {
	tag, err := r.ReadByte()
	if err != nil {
		return 0, nil, err
	}
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return 0, nil, io.ErrUnexpectedEOF
	}
	n := binary.LittleEndian.Uint32(size[:])
	if n < 5 || n > 16<<20+16<<10 { // MongoDB documents are at most 16 MiB
		return 0, nil, fmt.Errorf("a record of %d bytes: the backup is damaged", n)
	}
	doc := make([]byte, n)
	copy(doc, size[:])
	if _, err := io.ReadFull(r, doc[4:]); err != nil {
		return 0, nil, io.ErrUnexpectedEOF
	}
	if err := bson.Raw(doc).Validate(); err != nil {
		return 0, nil, fmt.Errorf("the backup is damaged: %w", err)
	}
	return tag, doc, nil
}

// backupVisitor receives a backup's contents in order, from walkBackup.
type backupVisitor struct {
	collection func(c *collectionRecord) error
	document   func(doc bson.Raw) error
	end        func(c *collectionRecord) error
}

// walkBackup reads a backup from r, checks its header and the order and
// counts of its records, and hands each to v. It returns the header and
// what was read; an error for anything damaged or cut short, including a
// missing end record.
func walkBackup(r io.Reader, v backupVisitor) (BackupHeader, BackupSummary, error) {
	sum := BackupSummary{Collections: map[string]int64{}}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return BackupHeader{}, sum, fmt.Errorf("not a yousaid backup (not gzip): %w", err)
	}
	br := bufio.NewReaderSize(zr, 1<<20)
	h, err := readBackupHeader(br)
	if err != nil {
		return h, sum, err
	}
	var current *collectionRecord
	for {
		tag, doc, err := readRecord(br)
		if errors.Is(err, io.EOF) {
			return h, sum, errors.New("the backup ends before its end record: it is incomplete")
		}
		if err != nil {
			return h, sum, err
		}
		switch tag {
		case tagCollection:
			var c collectionRecord
			if err := bson.Unmarshal(doc, &c); err != nil || c.Name == "" || current != nil {
				return h, sum, errors.New("the backup is damaged: a collection record out of place")
			}
			if _, seen := sum.Collections[c.Name]; seen {
				return h, sum, fmt.Errorf("the backup is damaged: collection %s twice", c.Name)
			}
			sum.Collections[c.Name] = 0
			if err := v.collection(&c); err != nil {
				return h, sum, err
			}
			current = &c
		case tagDocument:
			if current == nil {
				return h, sum, errors.New("the backup is damaged: a document outside any collection")
			}
			if err := v.document(doc); err != nil {
				return h, sum, err
			}
			sum.Collections[current.Name]++
			sum.Documents++
		case tagEnd:
			var e endRecord
			if err := bson.Unmarshal(doc, &e); err != nil || current == nil || e.Name != current.Name {
				return h, sum, errors.New("the backup is damaged: a collection's end does not match its start")
			}
			if e.Count != sum.Collections[e.Name] {
				return h, sum, fmt.Errorf("the backup is damaged: %s holds %d documents, its end says %d", e.Name, sum.Collections[e.Name], e.Count)
			}
			if err := v.end(current); err != nil {
				return h, sum, err
			}
			current = nil
		case tagFinal:
			var f finalRecord
			if err := bson.Unmarshal(doc, &f); err != nil || current != nil ||
				f.Documents != sum.Documents || f.Collections != len(sum.Collections) {
				return h, sum, errors.New("the backup is damaged: its end record does not match what it holds")
			}
			return h, sum, nil
		default:
			return h, sum, fmt.Errorf("the backup is damaged: unknown record %q", tag)
		}
	}
}

// RestoreBackup loads a backup written by WriteBackup into db. The database
// must have no collections (ErrNotEmpty), unless replace is set: then every
// collection in it is dropped first. Each collection's documents go in
// before its indexes are built. The backup is read to its end record; a
// file damaged or cut short is reported, with what was loaded until then.
func RestoreBackup(ctx context.Context, db *mongo.Database, r io.Reader, replace bool) (BackupHeader, BackupSummary, error) {
	existing, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return BackupHeader{}, BackupSummary{}, fmt.Errorf("store.RestoreBackup: %w", err)
	}
	if len(existing) > 0 && !replace {
		return BackupHeader{}, BackupSummary{}, fmt.Errorf("store.RestoreBackup: %w (%d collections)", ErrNotEmpty, len(existing))
	}
	for _, name := range existing {
		if err := db.Collection(name).Drop(ctx); err != nil {
			return BackupHeader{}, BackupSummary{}, fmt.Errorf("store.RestoreBackup: dropping %s: %w", name, err)
		}
	}
	var (
		coll  *mongo.Collection
		batch []any
		size  int
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := coll.InsertMany(ctx, batch); err != nil {
			return fmt.Errorf("store.RestoreBackup: %s: %w", coll.Name(), err)
		}
		batch, size = batch[:0], 0
		return nil
	}
	return walkBackup(r, backupVisitor{
		collection: func(c *collectionRecord) error {
			if err := db.CreateCollection(ctx, c.Name); err != nil {
				return fmt.Errorf("store.RestoreBackup: creating %s: %w", c.Name, err)
			}
			coll = db.Collection(c.Name)
			return nil
		},
		document: func(doc bson.Raw) error {
			batch = append(batch, doc)
			size += len(doc)
			if len(batch) >= 1000 || size >= 8<<20 {
				return flush()
			}
			return nil
		},
		end: func(c *collectionRecord) error {
			if err := flush(); err != nil {
				return err
			}
			return createIndexes(ctx, db, c)
		},
	})
}

// createIndexes builds a restored collection's indexes from their specs,
// one at a time (FerretDB v1.24 mishandles several in one command), all
// but the _id index every collection has.
func createIndexes(ctx context.Context, db *mongo.Database, c *collectionRecord) error {
	for _, spec := range c.Indexes {
		var index bson.D
		if err := bson.Unmarshal(spec, &index); err != nil {
			return fmt.Errorf("the backup is damaged: an index of %s: %w", c.Name, err)
		}
		name, _ := spec.Lookup("name").StringValueOK()
		if name == "_id_" {
			continue
		}
		// "ns" and "v" describe where and how it was built, not what it is.
		index = slices.DeleteFunc(index, func(e bson.E) bool { return e.Key == "ns" || e.Key == "v" })
		cmd := bson.D{{Key: "createIndexes", Value: c.Name}, {Key: "indexes", Value: bson.A{index}}}
		if err := db.RunCommand(ctx, cmd).Err(); err != nil {
			return fmt.Errorf("store.RestoreBackup: index %s of %s: %w", name, c.Name, err)
		}
	}
	return nil
}
