package postgres

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/postgres/pgtest"
)

// syncEntries stores a corpus of n questions, q-0 … q-(n-1).
func syncEntries(t *testing.T, db *DB, n int) {
	t.Helper()
	entries := make([]agent.CorpusEntry, n)
	for i := range entries {
		entries[i] = agent.CorpusEntry{ID: fmt.Sprintf("q-%d", i), Kind: "question", Text: fmt.Sprintf("Question %d?", i),
			Hash: fmt.Sprintf("h-%d", i), Principle: "ownership", Roles: []string{"sde", "em"}, MinRank: 4, MaxRank: 6}
	}
	if err := db.SyncCorpus(context.Background(), entries); err != nil {
		t.Fatalf("SyncCorpus: %v", err)
	}
}

func TestVectorTypesRegistered(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	conn, err := db.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"vector", "halfvec", "sparsevec"} {
		if _, ok := conn.Conn().TypeMap().TypeForName(name); !ok {
			t.Errorf("type %s is not registered on pool connections", name)
		}
	}
	conn.Release()

	// A finite vector goes through the vector column, bit for bit.
	syncEntries(t, db, 2)
	r := rand.New(rand.NewPCG(1, 2))
	const dim = 1536
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(r.NormFloat64()) * float32(math.Pow(10, float64(r.IntN(60)-30)))
	}
	v[0], v[1], v[2] = float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32, math.MaxFloat32
	odd := []float32{float32(math.NaN()), float32(math.Inf(-1)), 0.5}
	if err := db.SaveEmbeddings(ctx, "e", dim, []agent.Embedding{{EntryID: "q-0", Hash: "h-0", Vector: v}}); err != nil {
		t.Fatalf("SaveEmbeddings: %v", err)
	}
	if err := db.SaveEmbeddings(ctx, "odd", 3, []agent.Embedding{{EntryID: "q-1", Hash: "h-1", Vector: odd}}); err != nil {
		t.Fatalf("SaveEmbeddings(NaN, -Inf): %v", err)
	}
	got, err := db.Embeddings(ctx, "e")
	if err != nil {
		t.Fatal(err)
	}
	bits := func(v []float32) []uint32 {
		b := make([]uint32, len(v))
		for i, x := range v {
			b[i] = math.Float32bits(x)
		}
		return b
	}
	if !slices.Equal(bits(got["q-0"].Vector), bits(v)) {
		t.Errorf("vector round trip is not bit-exact")
	}
	var rawNull bool
	var first string
	if err := db.Pool().QueryRow(ctx, `SELECT raw IS NULL, (embedding::real[])[1]::text FROM embeddings WHERE embedder = 'e'`).
		Scan(&rawNull, &first); err != nil {
		t.Fatal(err)
	}
	if !rawNull || first != "-0" {
		t.Errorf("finite vector stored with raw null %v and embedding[1] %s; want true, -0", rawNull, first)
	}
	// A vector pgvector refuses is kept exactly, and searchable as zeros.
	gotOdd, err := db.Embeddings(ctx, "odd")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(bits(gotOdd["q-1"].Vector), bits(odd)) {
		t.Errorf("NaN/Inf vector round trip = %v, want %v", gotOdd["q-1"].Vector, odd)
	}
	var text string
	if err := db.Pool().QueryRow(ctx, `SELECT embedding::text FROM embeddings WHERE embedder = 'odd'`).Scan(&text); err != nil {
		t.Fatal(err)
	}
	if text != "[0,0,0.5]" {
		t.Errorf("searchable form of [NaN,-Inf,0.5] = %s, want [0,0,0.5]", text)
	}
}

// indexDef returns the definition of an index on embeddings, "" if none.
func indexDef(t *testing.T, db *DB, name string) string {
	t.Helper()
	var def string
	err := db.Pool().QueryRow(context.Background(), `SELECT COALESCE(MAX(indexdef), '') FROM pg_indexes
		WHERE tablename = 'embeddings' AND indexname = $1`, name).Scan(&def)
	if err != nil {
		t.Fatal(err)
	}
	return def
}

func TestEnsureSearchIndexes(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	syncEntries(t, db, 20)

	t.Run("halfvec", func(t *testing.T) {
		const embedder = "openai:text-embedding-3-small/512"
		for i := range 2 { // idempotent
			if err := db.EnsureSearchIndexes(ctx, embedder, 512, nil, nil, nil); err != nil {
				t.Fatalf("EnsureSearchIndexes #%d: %v", i+1, err)
			}
		}
		def := indexDef(t, db, IndexName(embedder))
		for _, want := range []string{"USING hnsw", "::halfvec(512)", "halfvec_cosine_ops", "'" + embedder + "'"} {
			if !strings.Contains(def, want) {
				t.Errorf("index %s lacks %q", def, want)
			}
		}
		var n int
		if err := db.Pool().QueryRow(ctx, `SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'embeddings'
			AND indexdef LIKE '%hnsw%'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d HNSW indexes, %v; want 1", n, err)
		}
		if err := db.EnsureSearchIndexes(ctx, embedder, 256, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "another dimension") {
			t.Errorf("EnsureSearchIndexes with another dimension = %v, want an error", err)
		}
	})

	t.Run("over 2000 dimensions", func(t *testing.T) {
		const embedder = "openai:text-embedding-3-large"
		if err := db.EnsureSearchIndexes(ctx, embedder, 3072, nil, nil, nil); err != nil {
			t.Fatal(err)
		}
		def := indexDef(t, db, IndexName(embedder))
		for _, want := range []string{"USING hnsw", "::halfvec(3072)", "halfvec_cosine_ops"} {
			if !strings.Contains(def, want) {
				t.Errorf("index %s lacks %q", def, want)
			}
		}
		if err := db.EnsureSearchIndexes(ctx, embedder, 1536, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "another dimension") {
			t.Errorf("EnsureSearchIndexes with another dimension = %v, want an error", err)
		}
	})

	t.Run("search uses the index", func(t *testing.T) {
		const embedder, dim = "local-hash-v1", 8
		r := rand.New(rand.NewPCG(3, 4))
		var es []agent.Embedding
		for i := range 20 {
			v := make([]float32, dim)
			for j := range v {
				v[j] = float32(r.NormFloat64())
			}
			es = append(es, agent.Embedding{EntryID: fmt.Sprintf("q-%d", i), Hash: fmt.Sprintf("h-%d", i), Vector: v})
		}
		if err := db.SaveEmbeddings(ctx, embedder, dim, es); err != nil {
			t.Fatal(err)
		}
		if err := db.EnsureSearchIndexes(ctx, embedder, dim, nil, nil, nil); err != nil {
			t.Fatal(err)
		}
		tx, err := db.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			t.Fatal(err)
		}
		q := fmt.Sprintf(`EXPLAIN SELECT entry_id FROM embeddings WHERE embedder = '%s'
			ORDER BY %s <=> '[1,2,3,4,5,6,7,8]'::%s LIMIT 5`, embedder, VectorExpr(dim), VectorType(dim))
		rows, err := tx.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(plan, "\n"), IndexName(embedder)) {
			t.Errorf("search does not use %s:\n%s", IndexName(embedder), strings.Join(plan, "\n"))
		}
	})

	t.Run("rejected", func(t *testing.T) {
		for _, c := range []struct {
			embedder string
			dim      int
		}{
			{"", 8},
			{"evil'; DROP TABLE embeddings; --", 8},
			{"with space", 8},
			{"quote\"d", 8},
			{"émoji", 8},
			{strings.Repeat("a", 101), 8},
			{"ok", 0},
			{"ok", -1},
			{"ok", 4001},
		} {
			if err := db.EnsureSearchIndexes(ctx, c.embedder, c.dim, nil, nil, nil); err == nil {
				t.Errorf("EnsureSearchIndexes(%q, %d) succeeded", c.embedder, c.dim)
			}
		}
		if !ValidEmbedder(strings.Repeat("a", 100)) || !ValidEmbedder("a.b_c:d/e-f") {
			t.Error("ValidEmbedder refuses a valid id")
		}
		if indexDef(t, db, IndexName("ok")) != "" {
			t.Error("an index was created for a rejected call")
		}
	})

	t.Run("names", func(t *testing.T) {
		long := strings.Repeat("x", 100)
		for _, e := range []string{"a", long, long + "y", "A/B:c"} {
			if n := IndexName(e); len(n) > 63 {
				t.Errorf("IndexName(%q) = %q is %d bytes, over 63", e, n, len(n))
			}
		}
		if IndexName(long) == IndexName(long+"y") || IndexName("a-b") == IndexName("a_b") {
			t.Error("ids that sanitise alike share an index name")
		}
		names := map[string]bool{}
		for _, p := range []string{"ownership", long, long + "y", "a-b", "a_b"} {
			for _, n := range []string{PrincipleIndexName("e", p), LevelIndexName("e", p, "sde", 4), LevelIndexName("e", p, "em", 4),
				LevelIndexName("e", p, "em", 5)} {
				if len(n) > 63 {
					t.Errorf("%q is %d bytes, over 63", n, len(n))
				}
				if names[n] {
					t.Errorf("%q names two indexes", n)
				}
				names[n] = true
			}
		}
	})

	t.Run("search indexes", func(t *testing.T) {
		for _, c := range []struct {
			principles, roles []string
			dim               int
		}{
			{[]string{"ownership'; DROP TABLE embeddings; --"}, nil, 8},
			{[]string{"ownership"}, []string{"sde' OR true"}, 8},
			{[]string{"ownership"}, []string{"sde"}, 4001},
		} {
			if err := db.EnsureSearchIndexes(ctx, "s", c.dim, c.principles, c.roles, []int{4}); err == nil {
				t.Errorf("EnsureSearchIndexes(%q, %q, %d) succeeded", c.principles, c.roles, c.dim)
			}
		}
		if indexDef(t, db, IndexName("s")) != "" {
			t.Error("an index was created for a rejected call")
		}
		// Indexes of an older layout: this embedder's go; other
		// embedders' (whose ids contain this one) and the B-trees stay.
		for _, e := range []string{"s", "t", "s2", "xs"} {
			ddl := fmt.Sprintf(`CREATE INDEX embeddings_hnsw_r_old_%s ON embeddings USING hnsw ((embedding::vector(8)) vector_cosine_ops)
				WHERE embedder = '%s' AND principle = 'ownership'`, e, e)
			if _, err := db.Pool().Exec(ctx, ddl); err != nil {
				t.Fatal(err)
			}
		}
		// A server whose corpus has one more principle builds its indexes
		// in the current layout; one without it keeps them.
		if err := db.EnsureSearchIndexes(ctx, "s", 8, []string{"ownership", "frugality"}, []string{"sde"}, []int{4}); err != nil {
			t.Fatal(err)
		}
		for range 2 { // idempotent
			if err := db.EnsureSearchIndexes(ctx, "s", 8, []string{"ownership"}, []string{"sde", "em"}, []int{4, 5}); err != nil {
				t.Fatal(err)
			}
		}
		def := indexDef(t, db, LevelIndexName("s", "ownership", "em", 5))
		for _, want := range []string{"'ownership'::text", "'em'::text = ANY (roles)", "min_rank <= 5", "max_rank >= 5", "halfvec_cosine_ops"} {
			if !strings.Contains(def, want) {
				t.Errorf("level index %q lacks %q", def, want)
			}
		}
		for name, want := range map[string]bool{
			IndexName("s"): true, PrincipleIndexName("s", "ownership"): true, LevelIndexName("s", "ownership", "sde", 4): true,
			PrincipleIndexName("s", "frugality"): true, LevelIndexName("s", "frugality", "sde", 4): true,
			"embeddings_hnsw_r_old_s": false, "embeddings_hnsw_r_old_t": true, "embeddings_hnsw_r_old_s2": true,
			"embeddings_hnsw_r_old_xs": true, "embeddings_principle": true,
		} {
			if got := indexDef(t, db, name) != ""; got != want {
				t.Errorf("index %s exists: %v, want %v", name, got, want)
			}
		}
		var n int
		if err := db.Pool().QueryRow(ctx, `SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'embeddings'
			AND indexdef LIKE '%hnsw%' AND indexdef LIKE '%embedder = ''s''%'`).Scan(&n); err != nil || n != 1+(1+2*2)+(1+1) {
			t.Errorf("%d HNSW indexes of s, %v; want 8", n, err)
		}
	})
}

func TestEnsureSearchIndexesConcurrent(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	dbs := []*DB{openURL(t, u), openURL(t, u), openURL(t, u), openURL(t, u)}
	syncEntries(t, dbs[0], 20)
	errs := make(chan error, len(dbs))
	for i, db := range dbs {
		// Servers starting together, with corpora of one principle or of
		// none: each keeps the indexes the others build.
		go func() {
			if i%2 == 0 {
				errs <- db.EnsureSearchIndexes(ctx, "e", 16, []string{"ownership"}, []string{"sde", "em"}, []int{4, 5, 6})
				return
			}
			errs <- db.EnsureSearchIndexes(ctx, "e", 16, nil, nil, nil)
		}()
	}
	for range dbs {
		if err := <-errs; err != nil {
			t.Errorf("concurrent EnsureSearchIndexes: %v", err)
		}
	}
	for _, name := range []string{IndexName("e"), PrincipleIndexName("e", "ownership"), LevelIndexName("e", "ownership", "em", 6)} {
		if indexDef(t, dbs[0], name) == "" {
			t.Errorf("no index %s", name)
		}
	}
}
