package store

import (
	"bytes"
	"compress/gzip"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// FuzzWalkBackup: whatever a backup file holds, reading it ends in an error
// or a whole backup, never a panic; and a backup read whole has the counts
// its records say.
func FuzzWalkBackup(f *testing.F) {
	record := func(tag byte, doc any) []byte {
		raw, err := bson.Marshal(doc)
		if err != nil {
			f.Fatal(err)
		}
		return append([]byte{tag}, raw...)
	}
	var plain bytes.Buffer
	plain.WriteString(backupMagic + `{"format":"yousaid-backup","version":1,"database":"yousaid","collections":["a"]}` + "\n")
	plain.Write(record(tagCollection, collectionRecord{Name: "a", Indexes: []bson.Raw{}}))
	plain.Write(record(tagDocument, bson.D{{Key: "_id", Value: "x"}, {Key: "n", Value: int64(1) << 40}}))
	plain.Write(record(tagEnd, endRecord{Name: "a", Count: 1}))
	plain.Write(record(tagFinal, finalRecord{Collections: 1, Documents: 1}))
	gz := func(b []byte) []byte {
		var out bytes.Buffer
		w := gzip.NewWriter(&out)
		_, _ = w.Write(b)
		_ = w.Close()
		return out.Bytes()
	}
	whole := plain.Bytes()
	f.Add(gz(whole))
	f.Add(gz(whole[:len(whole)-3]))
	f.Add(gz([]byte(backupMagic + "{}\n")))
	f.Add([]byte("not gzip"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var docs int64
		_, sum, err := walkBackup(bytes.NewReader(data), backupVisitor{
			collection: func(*collectionRecord) error { return nil },
			document: func(doc bson.Raw) error {
				if doc.Validate() != nil {
					t.Fatal("an invalid document was handed on")
				}
				docs++
				return nil
			},
			end: func(*collectionRecord) error { return nil },
		})
		if err == nil && sum.Documents != docs {
			t.Fatalf("read whole with %d documents, handed on %d", sum.Documents, docs)
		}
	})
}
