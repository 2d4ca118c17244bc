package sqlstore_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/sqlstore"
	"github.com/iotguard/iotguard/store"
)

// BenchmarkWrite measures one small audited change (a solution created)
// with a checkpoint signed, and the witness file replaced, every
// transaction or every 100 records: the price of strict tamper evidence.
func BenchmarkWrite(b *testing.B) {
	for _, backend := range []struct {
		name string
		dsn  func(t testing.TB) string
	}{{"sqlite", sqliteDSN}, {"postgres", postgresDSN}} {
		for _, every := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/checkpoint-every-%d", backend.name, every), func(b *testing.B) {
				st := benchStore(b, backend.dsn, every)
				ts := st.Tenant("acme")
				by := store.Actor{Name: "bench"}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := ts.CreateSolution(ctx, by, store.Solution{ID: fmt.Sprintf("s%d", i), Name: "s"}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkImport measures bulk import, per device, in batches of 1,000.
func BenchmarkImport(b *testing.B) {
	for _, backend := range []struct {
		name string
		dsn  func(t testing.TB) string
	}{{"sqlite", sqliteDSN}, {"postgres", postgresDSN}} {
		b.Run(backend.name, func(b *testing.B) {
			st := benchStore(b, backend.dsn, 1)
			i := 0
			b.ResetTimer()
			_, err := st.Tenant("acme").ImportDevices(ctx, store.Actor{Name: "bench"}, "fleet", func() (model.Device, bool, error) {
				if i == b.N {
					return model.Device{}, false, nil
				}
				i++
				return killDevice(i), true, nil
			}, 1000)
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}

func benchStore(b *testing.B, dsn func(t testing.TB) string, every int) *sqlstore.Store {
	b.Helper()
	st, err := sqlstore.Open(ctx, dsn(b), sqlstore.Options{KeyFile: filepath.Join(b.TempDir(), "audit.key"), CheckpointEvery: every})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	sys := store.Actor{Name: "system"}
	if _, err := st.Platform().CreateTenant(ctx, sys, store.Tenant{ID: "acme", Name: "ACME"}); err != nil {
		b.Fatal(err)
	}
	if _, err := st.Tenant("acme").CreateSolution(ctx, sys, store.Solution{ID: "fleet", Name: "Fleet"}); err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkRead measures the reads the API serves most, on 100,000
// devices, from parallel goroutines: a page of the device list, a filtered
// and sorted page, and one device.
func BenchmarkRead(b *testing.B) {
	const fleet = 100000
	for _, backend := range []struct {
		name string
		dsn  func(t testing.TB) string
	}{{"sqlite", sqliteDSN}, {"postgres", postgresDSN}} {
		b.Run(backend.name, func(b *testing.B) {
			st := benchStore(b, backend.dsn, 1)
			ts := st.Tenant("acme")
			i := 0
			if _, err := ts.ImportDevices(ctx, store.Actor{Name: "bench"}, "fleet", func() (model.Device, bool, error) {
				if i == fleet {
					return model.Device{}, false, nil
				}
				i++
				return killDevice(i - 1), true, nil
			}, 5000); err != nil {
				b.Fatal(err)
			}
			for _, q := range []struct {
				name string
				q    store.DeviceQuery
			}{
				{"list", store.DeviceQuery{}},
				{"list-filtered-sorted", store.DeviceQuery{Model: "cam-b", Zone: "z3", Sort: "-id"}},
				{"list-model-by-last-seen", store.DeviceQuery{Model: "cam-b", Lifecycle: model.Active, Sort: "-last_seen"}},
			} {
				b.Run(q.name, func(b *testing.B) {
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if _, err := ts.ListDevices(ctx, "fleet", q.q); err != nil {
								b.Fatal(err)
							}
						}
					})
				})
			}
			b.Run("get", func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					n := 0
					for pb.Next() {
						n = (n + 7919) % fleet
						if _, err := ts.GetDevice(ctx, "fleet", fmt.Sprintf("dev-%06d", n)); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		})
	}
}
