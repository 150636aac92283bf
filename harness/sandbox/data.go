package sandbox

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"
)

// The seeded data of one tenant. Field order in these structs is the order
// of the JSON the sandbox sends, and encoding/json keeps it, so answers are
// byte-identical between runs.

type revenueGroup struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
}

type category struct {
	ID             string  `json:"_id"`
	Name           string  `json:"name"`
	RevenueGroupID *string `json:"revenueGroup_id"`
	ParentID       *string `json:"parent_id"`
}

type vatEntry struct {
	CategoryID     string  `json:"category_id"`
	VATRate        float64 `json:"vatRate"`
	RevenueGroupID *string `json:"revenueGroup_id"`
}

type product struct {
	ID         string  `json:"_id"`
	Name       string  `json:"name"`
	Price      float64 `json:"price"`
	CategoryID string  `json:"category_id"`
	Type       string  `json:"type"`
}

type table struct {
	ID     string `json:"_id"`
	Number int    `json:"number"`
	Status string `json:"status"`
	PlanID string `json:"plan_id"`
}

type payment struct {
	Amount      float64 `json:"amount"`
	Status      string  `json:"status"`
	MachineName string  `json:"machine_name"`
}

type billLine struct {
	ProductID  string  `json:"product_id"`
	Name       string  `json:"name"`
	CategoryID string  `json:"category_id"`
	Price      float64 `json:"price"`
	Quantity   int     `json:"quantity"`
}

// bill keeps its total in cents, so sums are exact and the JSON shows at
// most two decimals.
type bill struct {
	ID          string
	BusinessDay string
	CreatedAt   time.Time
	ModifiedAt  time.Time
	TotalCents  int64
	Payments    []payment
	Products    []billLine
}

// Plans of the seeded floor: table numbers are unique across plans, as on
// a venue's floor plan.
const (
	planMain    = "plan-main"
	planTerrace = "plan-terrace"
)

// Bills per full business day. Tenant 1 has enough that a 48-hour window
// holds more than the default page of 100, so the page-size rule is
// testable; tenant 2 has fewer, so isolation checks see two different sets.
const (
	billsPerDayTenant1 = 80
	// manyBillsPerDay is tenant 1's with the faults that need a query
	// to match more than the limit cap of 1000 in 48 hours.
	manyBillsPerDay    = 600
	billsPerDayTenant2 = 30
	billDays           = 8
)

// tenant is one venue: its key, its seeded data, and the orders placed in
// this run. mu guards tables, orders and the counters, which orders change.
type tenant struct {
	num int
	key string
	now time.Time // the sandbox's fixed clock: createdAt of orders

	revenueGroups []revenueGroup
	categories    []category
	vat           []vatEntry
	products      []product
	plans         map[string]bool
	bills         []bill // sorted by createdAt, then _id

	mu         sync.Mutex
	tables     []table
	orders     []order
	orderSeq   int
	tableSeq   int
	noTableSeq int
}

// seedProduct is one line of the menu every tenant starts from.
type seedProduct struct {
	name, cat, typ string
	cents          int64
}

var seedMenu = []seedProduct{
	{"Tomato soup", "Starters", "product", 650}, {"Bruschetta", "Starters", "product", 725},
	{"Carpaccio", "Starters", "product", 1150}, {"Extra bread", "Starters", "option", 150},
	{"Burger", "Mains", "product", 1650}, {"Fish of the day", "Mains", "product", 2100},
	{"Risotto", "Mains", "product", 1875}, {"Steak", "Mains", "product", 2750},
	{"Extra fries", "Mains", "option", 375}, {"Side salad", "Mains", "option", 425},
	{"Lunch menu", "Mains", "menu", 2450}, {"Cheesecake", "Desserts", "product", 750},
	{"Dame blanche", "Desserts", "product", 775}, {"Cheese board", "Desserts", "product", 1250},
	{"Dessert and coffee", "Desserts", "menu", 975}, {"Espresso", "Hot drinks", "product", 280},
	{"Cappuccino", "Hot drinks", "product", 340}, {"Tea", "Hot drinks", "product", 290},
	{"Oat milk", "Hot drinks", "option", 50}, {"Cola", "Soft drinks", "product", 320},
	{"Sparkling water", "Soft drinks", "product", 300}, {"Fresh orange juice", "Soft drinks", "product", 450},
	{"Pilsner", "Beer and wine", "product", 360}, {"IPA", "Beer and wine", "product", 550},
	{"House red", "Beer and wine", "product", 575}, {"House white", "Beer and wine", "product", 575},
	{"Bottle of cava", "Beer and wine", "product", 3200}, {"Tote bag", "Merchandise", "product", 1200},
	{"Coffee beans 250 g", "Merchandise", "product", 995}, {"Gift card", "Merchandise", "product", 2500},
}

// seedCategories: name, parent name ("" = top level), revenue group name
// ("" = none, so the VAT list shows a null group), VAT rate in percent.
var seedCategories = []struct {
	name, parent, group string
	vat                 float64
}{
	{"Food", "", "Food", 9}, {"Drinks", "", "Drinks", 9}, {"Merchandise", "", "", 21},
	{"Starters", "Food", "Food", 9}, {"Mains", "Food", "Food", 9}, {"Desserts", "Food", "Food", 9},
	{"Hot drinks", "Drinks", "Drinks", 9}, {"Soft drinks", "Drinks", "Drinks", 9},
	{"Beer and wine", "Drinks", "Drinks", 21},
}

var seedGroups = []string{"Food", "Drinks", "Shop"}

// newTenant seeds tenant num from a fixed PCG seed. Everything (ids,
// prices, bills) derives from the seed and now, never from the wall clock.
func newTenant(num int, key string, now time.Time, billsPerDay int) *tenant {
	rng := rand.New(rand.NewPCG(0x57494e53544f4e, uint64(num))) //nolint:gosec // reproducible data needs a fixed seed, not secrecy
	ids := idSource{rng: rng, seen: map[string]bool{}}
	t := &tenant{num: num, key: key, now: now, plans: map[string]bool{planMain: true, planTerrace: true}}

	groupIDs := map[string]*string{}
	for _, name := range seedGroups {
		g := revenueGroup{ID: ids.next(), Name: name}
		t.revenueGroups = append(t.revenueGroups, g)
		groupIDs[name] = &g.ID
	}
	catIDs := map[string]string{}
	for _, sc := range seedCategories {
		c := category{ID: ids.next(), Name: sc.name, RevenueGroupID: groupIDs[sc.group]}
		if sc.parent != "" {
			parent := catIDs[sc.parent]
			c.ParentID = &parent
		}
		catIDs[sc.name] = c.ID
		t.categories = append(t.categories, c)
		t.vat = append(t.vat, vatEntry{CategoryID: c.ID, VATRate: sc.vat, RevenueGroupID: c.RevenueGroupID})
	}
	cents := map[string]int64{}
	for _, sp := range seedMenu {
		// Venues of one chain price the same menu a little differently.
		c := sp.cents + int64(rng.IntN(3))*25*int64(num-1)
		p := product{ID: ids.next(), Name: sp.name, Price: money(c), CategoryID: catIDs[sp.cat], Type: sp.typ}
		cents[p.ID] = c
		t.products = append(t.products, p)
	}
	for n := 1; n <= 30; n++ {
		plan := planMain
		if n > 20 {
			plan = planTerrace
		}
		status := "available"
		if rng.IntN(3) == 0 {
			status = "occupied"
		}
		t.tables = append(t.tables, table{ID: ids.next(), Number: n, Status: status, PlanID: plan})
	}
	t.bills = seedBills(rng, &ids, t.products, cents, now, billsPerDay)
	return t
}

// seedBills makes billsPerDay bills for each of the billDays business days
// up to now. inferred: a business day is the UTC calendar day, with bills
// opened from 08:00 to midnight; most are paid within the hour, some are
// corrected hours later (so modifiedAt filters differ from createdAt ones).
// Only bills whose last change is not after now exist.
func seedBills(rng *rand.Rand, ids *idSource, menu []product, cents map[string]int64, now time.Time, perDay int) []bill {
	firstDay := now.Truncate(24*time.Hour).AddDate(0, 0, -(billDays - 1))
	var out []bill
	for d := 0; d < billDays; d++ {
		day := firstDay.AddDate(0, 0, d)
		for i := 0; i < perDay; i++ {
			b := bill{ID: ids.next(), BusinessDay: day.Format(dayLayout)}
			b.CreatedAt = day.Add(8*time.Hour + time.Duration(rng.IntN(16*3600))*time.Second)
			if rng.IntN(100) < 75 {
				b.ModifiedAt = b.CreatedAt.Add(time.Duration(60+rng.IntN(45*60)) * time.Second)
			} else {
				b.ModifiedAt = b.CreatedAt.Add(time.Duration(1+rng.IntN(20))*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
			}
			for n := 1 + rng.IntN(4); n > 0; n-- {
				p := menu[rng.IntN(len(menu))]
				q := 1 + rng.IntN(3)
				b.Products = append(b.Products, billLine{ProductID: p.ID, Name: p.Name, CategoryID: p.CategoryID, Price: p.Price, Quantity: q})
				b.TotalCents += cents[p.ID] * int64(q)
			}
			b.Payments = seedPayments(rng, b.TotalCents)
			if !b.ModifiedAt.After(now) {
				out = append(out, b)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// seedPayments settles a bill: sometimes a failed pin attempt comes first
// (listed, not revenue), sometimes the bill is split over two methods.
func seedPayments(rng *rand.Rand, total int64) []payment {
	var ps []payment
	if rng.IntN(5) == 0 {
		ps = append(ps, payment{Amount: money(total), Status: "failed", MachineName: "pin"})
	}
	machines := []string{"pin", "pin", "pin", "cash", "cash", "creditcard", "giftcard"}
	if total >= 1000 && rng.IntN(10) == 0 {
		part := total / 2
		return append(ps,
			payment{Amount: money(part), Status: "complete", MachineName: "cash"},
			payment{Amount: money(total - part), Status: "complete", MachineName: "pin"})
	}
	return append(ps, payment{Amount: money(total), Status: "complete", MachineName: machines[rng.IntN(len(machines))]})
}

// money turns cents into the number the API sends (at most 2 decimals).
func money(cents int64) float64 { return float64(cents) / 100 }

// idSource makes 24-character lowercase hex ids, like MongoDB ObjectIds,
// from the tenant's seeded generator. They are random rather than
// time-ordered so that _id order differs from createdAt order, and a
// server that ignores sort cannot pass a sort check by accident.
type idSource struct {
	rng  *rand.Rand
	seen map[string]bool
}

func (s *idSource) next() string {
	for {
		id := fmt.Sprintf("%016x%08x", s.rng.Uint64(), s.rng.Uint32())
		if !s.seen[id] {
			s.seen[id] = true
			return id
		}
	}
}

// dayLayout is the format of a business day.
const dayLayout = "2006-01-02"
