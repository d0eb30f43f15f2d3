package pcs

import (
	"sort"
	"strconv"
)

// Object is a JSON object that keeps ECMAScript property order (OrdinaryOwnPropertyKeys): member
// names that are array indices ("0" … "4294967294" in canonical form) first, in ascending numeric
// order, then every other name in insertion order. That is the order JSON.parse/JSON.stringify and
// Object.keys give in the TypeScript reference, which decides the order of reasons and of
// `flk pcs sign` output. Set is O(1); the order is computed (O(n log n)) when Keys is next called.
type Object struct {
	inserted []string // insertion order
	vals     map[string]any
	order    []string // cached ECMAScript order; nil when stale
	hasIdx   bool
}

// NewObject returns an empty Object.
func NewObject() *Object { return &Object{vals: map[string]any{}} }

// Len is the number of members.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.inserted)
}

// Keys returns the member names in ECMAScript order (the slice must not be modified).
func (o *Object) Keys() []string {
	if o == nil {
		return nil
	}
	if !o.hasIdx {
		return o.inserted
	}
	if o.order == nil {
		type ik struct {
			n uint64
			k string
		}
		var idx []ik
		var rest []string
		for _, k := range o.inserted {
			if n, ok := arrayIndex(k); ok {
				idx = append(idx, ik{n, k})
			} else {
				rest = append(rest, k)
			}
		}
		sort.Slice(idx, func(i, j int) bool { return idx[i].n < idx[j].n })
		order := make([]string, 0, len(o.inserted))
		for _, e := range idx {
			order = append(order, e.k)
		}
		o.order = append(order, rest...)
	}
	return o.order
}

// Get returns a member's value and whether it is present.
func (o *Object) Get(key string) (any, bool) {
	if o == nil {
		return nil, false
	}
	v, ok := o.vals[key]
	return v, ok
}

// Has reports whether the member is present.
func (o *Object) Has(key string) bool {
	_, ok := o.Get(key)
	return ok
}

// Set sets a member: an existing one keeps its position, a new one goes where ECMAScript puts it.
func (o *Object) Set(key string, v any) {
	if o.vals == nil {
		o.vals = map[string]any{}
	}
	if _, ok := o.vals[key]; ok {
		o.vals[key] = v
		return
	}
	o.vals[key] = v
	o.inserted = append(o.inserted, key)
	o.order = nil
	if !o.hasIdx {
		_, o.hasIdx = arrayIndex(key)
	}
}

// Delete removes a member.
func (o *Object) Delete(key string) {
	if _, ok := o.vals[key]; !ok {
		return
	}
	delete(o.vals, key)
	for i, k := range o.inserted {
		if k == key {
			o.inserted = append(o.inserted[:i:i], o.inserted[i+1:]...)
			break
		}
	}
	o.order = nil
}

// Clone is a shallow copy.
func (o *Object) Clone() *Object {
	c := &Object{inserted: append([]string(nil), o.inserted...), vals: make(map[string]any, len(o.vals)), hasIdx: o.hasIdx}
	for k, v := range o.vals {
		c.vals[k] = v
	}
	return c
}

// arrayIndex reports whether key is an ECMAScript array index (canonical decimal < 2^32 − 1).
func arrayIndex(key string) (uint64, bool) {
	if key == "" || len(key) > 10 || (len(key) > 1 && key[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < '0' || key[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(key, 10, 64)
	if err != nil || n >= 1<<32-1 {
		return 0, false
	}
	return n, true
}
