package store

import (
	"context"
	"strings"
	"testing"

	"cabane.dev/cabane/app/repo"
)

// TestListingPlansUseIndexes: a listing page must be read in index order
// and stop after its rows, whatever privacies the viewer may see; a sort
// would read every matching video (10,000 on a busy instance).
func TestListingPlansUseIndexes(t *testing.T) {
	st, _ := open(t)
	seed(t, st, 50)
	for _, sort := range []string{"-publishedAt", "publishedAt", "-createdAt", "-views", "-originallyPublishedAt", "-duration", "name", "-likes"} {
		for _, privacies := range []string{"(1)", "(1,6)", "(1,4,6)"} {
			q := "SELECT v.id FROM videos v WHERE v.state = 1 AND v.privacy IN " + privacies + " ORDER BY " + videoSorts[sort] + " LIMIT 25"
			rows, err := st.db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var a, b, c int
				var d string
				rows.Scan(&a, &b, &c, &d)
				plan = append(plan, d)
			}
			rows.Close()
			if p := strings.Join(plan, "; "); strings.Contains(p, "TEMP B-TREE") || !strings.Contains(p, "INDEX") {
				t.Errorf("sort %s, privacies %s: %s", sort, privacies, p)
			}
		}
	}
}

// The sort keys the services accept (repo.VideoSorts) are exactly those
// the store knows how to order by (trending has its own path).
func TestEverySortKeyHasAnOrder(t *testing.T) {
	if len(repo.VideoSorts) != len(videoSorts)+2 {
		t.Errorf("%d keys in repo.VideoSorts, %d orders in the store", len(repo.VideoSorts), len(videoSorts))
	}
	for _, k := range repo.VideoSorts {
		if _, ok := videoSorts[k]; !ok && k != "trending" && k != "-trending" {
			t.Errorf("sort %q has no order", k)
		}
	}
}
