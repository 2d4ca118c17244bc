package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"gopkg.in/yaml.v3"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/checks"
	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/internal/strictyaml"
	"github.com/iotguard/iotguard/internal/suggest"
	"github.com/iotguard/iotguard/model"
)

// MaxFileSize bounds a rule pack file.
const MaxFileSize = 4 << 20

// maxErrors bounds how many problems one Load reports.
const maxErrors = 50

// packFile is a rule pack as written.
type packFile struct {
	Pack  string     `yaml:"pack"`
	Rules []ruleFile `yaml:"rules"`
}

type ruleFile struct {
	ID          string      `yaml:"id"`
	Title       string      `yaml:"title"`
	Description string      `yaml:"description"`
	Controls    []string    `yaml:"controls"`
	Severity    string      `yaml:"severity"`
	Scope       string      `yaml:"scope"`
	When        string      `yaml:"when"`
	Expression  string      `yaml:"expression"`
	Message     string      `yaml:"message"`
	Remediation string      `yaml:"remediation"`
	Examples    examplesDoc `yaml:"examples"`
}

type examplesDoc struct {
	Pass          []map[string]any `yaml:"pass"`
	Fail          []map[string]any `yaml:"fail"`
	NotApplicable []map[string]any `yaml:"not_applicable"`
}

// Rule is one compiled rule.
type Rule struct {
	ID          string
	Title       string
	Description string
	Controls    []string
	Severity    model.Severity
	Scope       Scope
	When        string
	Expression  string
	Message     string
	Remediation string
	// Pack is the name of the pack the rule came from (its file name
	// without extension when the pack has no name).
	Pack string
	// File, Line and Column locate the rule's id.
	File         string
	Line, Column int
	Examples     []Example
	// Cost is the estimated worst-case cost of the rule's costliest part
	// (when, expression or a message placeholder).
	Cost uint64

	prg, when cel.Program
	msg       *template
	reads     map[string]bool // variables the expression reads
	meta      engine.Meta
}

// Set is a loaded set of rules from one or more packs.
type Set struct {
	Rules []*Rule
	// Files are the pack files read, in order.
	Files []string
}

// Options tune Load.
type Options struct {
	// Catalog validates control IDs; nil means the built-in catalog.
	Catalog *catalog.Catalog
	// Reserved are check IDs that rules may not take; nil means the IDs of
	// the built-in checks.
	Reserved []string
}

// Load reads rule packs from files and folders (every *.yaml and *.yml
// below a folder, in name order), compiles and type-checks every rule and
// validates it. The error, if any, is a strictyaml.Errors that lists every
// problem with its file, line, column and field path.
func Load(paths ...string) (*Set, error) { return LoadWith(Options{}, paths...) }

// LoadWith is Load with options.
func LoadWith(opt Options, paths ...string) (*Set, error) {
	files, err := PackFiles(paths...)
	if err != nil {
		return nil, err
	}
	l := newLoader(opt)
	for _, f := range files {
		data, err := readLimited(f)
		if err != nil {
			l.errs = append(l.errs, &strictyaml.Error{File: f, Msg: err.Error()})
			continue
		}
		l.pack(f, data)
	}
	return l.finish()
}

// Parse compiles one pack held in memory; file names it in errors.
func Parse(file string, data []byte, opt Options) (*Set, error) {
	l := newLoader(opt)
	l.pack(file, data)
	return l.finish()
}

// PackFiles expands paths to the pack files they name: a file as itself, a
// folder as every *.yaml and *.yml below it (hidden folders skipped), in
// name order.
func PackFiles(paths ...string) ([]string, error) {
	if len(paths) == 0 {
		return nil, errors.New("rules: no rule pack path given")
	}
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("rules: no rule packs (*.yaml) in %s", p)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

func readLimited(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("file is larger than %d bytes", MaxFileSize)
	}
	buf := make([]byte, 0, st.Size()+1)
	for {
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			break
		}
		if len(buf) == cap(buf) {
			if len(buf) > MaxFileSize {
				return nil, fmt.Errorf("file is larger than %d bytes", MaxFileSize)
			}
			buf = slices.Grow(buf, 4096)
		}
	}
	return buf, nil
}

var (
	defaultsOnce    sync.Once
	defaultCatalog  *catalog.Catalog
	defaultReserved []string
	defaultsErr     error
	ruleIDRE        = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	severityNames   = []string{"critical", "high", "medium", "low", "info"}
	scopeNames      = func() []string {
		s := make([]string, len(Scopes))
		for i, x := range Scopes {
			s[i] = string(x)
		}
		return s
	}()
)

func defaults() (*catalog.Catalog, []string, error) {
	defaultsOnce.Do(func() {
		defaultCatalog, defaultsErr = catalog.Load()
		for _, c := range checks.All() {
			defaultReserved = append(defaultReserved, c.Meta().ID)
		}
	})
	return defaultCatalog, defaultReserved, defaultsErr
}

type loader struct {
	cat      *catalog.Catalog
	reserved map[string]bool
	controls []string
	set      *Set
	seen     map[string]*Rule
	errs     strictyaml.Errors
	fatal    error
}

func newLoader(opt Options) *loader {
	l := &loader{set: &Set{}, seen: map[string]*Rule{}, reserved: map[string]bool{}}
	cat, reserved, err := defaults()
	if opt.Catalog != nil {
		cat = opt.Catalog
	} else if err != nil {
		l.fatal = err
	}
	if opt.Reserved != nil {
		reserved = opt.Reserved
	}
	l.cat = cat
	if cat != nil {
		l.controls = cat.IDs()
	}
	for _, id := range reserved {
		l.reserved[id] = true
	}
	return l
}

func (l *loader) finish() (*Set, error) {
	if l.fatal != nil {
		return nil, l.fatal
	}
	if len(l.errs) > 0 {
		if len(l.errs) > maxErrors {
			l.errs = append(l.errs[:maxErrors], &strictyaml.Error{File: l.errs[maxErrors].File, Msg: fmt.Sprintf("and %d more problems", len(l.errs)-maxErrors)})
		}
		return nil, l.errs
	}
	return l.set, nil
}

// fileCtx is what the loader knows of the file it reads.
type fileCtx struct {
	name  string
	lines []string
	doc   *strictyaml.Doc
}

func (fc *fileCtx) errorf(path, format string, args ...any) *strictyaml.Error {
	return fc.doc.Errorf(path, format, args...)
}

// errAt is an error at a node's position.
func (fc *fileCtx) errAt(n *yaml.Node, path, format string, args ...any) *strictyaml.Error {
	if n == nil {
		return fc.errorf(path, format, args...)
	}
	return &strictyaml.Error{File: fc.name, Line: n.Line, Column: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)}
}

func (l *loader) pack(file string, data []byte) {
	l.set.Files = append(l.set.Files, file)
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		var pf packFile
		_, derr := strictyaml.Decode(file, data, &pf)
		l.addErr(derr)
		return
	}
	var pf packFile
	doc, err := strictyaml.DecodeNode(file, &root, &pf, "")
	if root.Kind == 0 {
		l.errs = append(l.errs, &strictyaml.Error{File: file, Line: 1, Msg: "the rule pack is empty"})
		return
	}
	if err != nil {
		l.addErr(err)
		return
	}
	fc := &fileCtx{name: file, lines: splitLines(data), doc: doc}
	packName := pf.Pack
	if packName == "" {
		packName = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	rulesNode := mapValue(docRoot(&root), "rules")
	if len(pf.Rules) == 0 {
		l.errs = append(l.errs, fc.errorf("rules", "the pack has no rules"))
		return
	}
	for i := range pf.Rules {
		var rn *yaml.Node
		if rulesNode != nil && rulesNode.Kind == yaml.SequenceNode && i < len(rulesNode.Content) {
			rn = rulesNode.Content[i]
		}
		l.rule(fc, packName, i, &pf.Rules[i], rn)
	}
}

func (l *loader) addErr(err error) {
	var es strictyaml.Errors
	if errors.As(err, &es) {
		l.errs = append(l.errs, es...)
		return
	}
	var e *strictyaml.Error
	if errors.As(err, &e) {
		l.errs = append(l.errs, e)
		return
	}
	if err != nil {
		l.errs = append(l.errs, &strictyaml.Error{Msg: err.Error()})
	}
}

func docRoot(n *yaml.Node) *yaml.Node {
	for n != nil && (n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
			continue
		}
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	return n
}

// mapValue returns the value node of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	n = docRoot(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return docRoot(n.Content[i+1])
		}
	}
	return nil
}

func (l *loader) rule(fc *fileCtx, pack string, i int, rf *ruleFile, rn *yaml.Node) {
	base := fmt.Sprintf("rules[%d]", i)
	p := func(field string) string { return base + "." + field }
	nerr := len(l.errs)
	line, col := fc.doc.Pos(p("id"))
	if idNode := mapValue(rn, "id"); idNode != nil {
		line, col = idNode.Line, idNode.Column
	}
	r := &Rule{
		ID: rf.ID, Title: strings.TrimSpace(rf.Title), Description: strings.TrimSpace(rf.Description),
		Controls: rf.Controls, When: rf.When, Expression: rf.Expression, Message: rf.Message,
		Remediation: strings.TrimSpace(rf.Remediation), Pack: pack, File: fc.name, Line: line, Column: col,
	}
	switch {
	case rf.ID == "":
		l.errs = append(l.errs, fc.errorf(base, "id is required"))
	case !ruleIDRE.MatchString(rf.ID):
		l.errs = append(l.errs, fc.errAt(mapValue(rn, "id"), p("id"), "id %q must be lower-case letters and digits joined by hyphens, e.g. no-camera-on-guest-vlan", rf.ID))
	case l.reserved[rf.ID]:
		l.errs = append(l.errs, fc.errAt(mapValue(rn, "id"), p("id"), "id %q is a built-in check's ID: choose another", rf.ID))
	default:
		if prev, dup := l.seen[rf.ID]; dup {
			l.errs = append(l.errs, fc.errAt(mapValue(rn, "id"), p("id"), "id %q is already defined at %s:%d:%d", rf.ID, prev.File, prev.Line, prev.Column))
		} else {
			l.seen[rf.ID] = r
		}
	}
	if r.Title == "" {
		l.errs = append(l.errs, fc.errorf(base, "title is required"))
	}
	if r.Remediation == "" {
		l.errs = append(l.errs, fc.errorf(base, "remediation is required: say how to fix a failure"))
	}
	if len(rf.Controls) == 0 {
		l.errs = append(l.errs, fc.errorf(base, "controls are required: name the catalog controls the rule evidences, e.g. [S14]"))
	}
	for j, c := range rf.Controls {
		if l.cat != nil && l.cat.Control(c) == nil {
			l.errs = append(l.errs, fc.errorf(fmt.Sprintf("%s[%d]", p("controls"), j), "unknown control %q%s; controls are %s–%s and %s–%s",
				c, suggest.Hint(c, l.controls), "S01", "S28", "P01", "P17"))
		}
	}
	if len(rf.Controls) > 1 {
		seen := map[string]bool{}
		for j, c := range rf.Controls {
			if seen[c] {
				l.errs = append(l.errs, fc.errorf(fmt.Sprintf("%s[%d]", p("controls"), j), "control %s is listed twice", c))
			}
			seen[c] = true
		}
	}
	switch {
	case rf.Severity == "":
		l.errs = append(l.errs, fc.errorf(base, "severity is required: one of %s", strings.Join(severityNames, ", ")))
	case !slices.Contains(severityNames, rf.Severity):
		l.errs = append(l.errs, fc.errorf(p("severity"), "unknown severity %q%s; use one of %s", rf.Severity, suggest.Hint(rf.Severity, severityNames), strings.Join(severityNames, ", ")))
	default:
		r.Severity = model.Severity(rf.Severity)
	}
	scopeOK := false
	switch {
	case rf.Scope == "":
		l.errs = append(l.errs, fc.errorf(base, "scope is required: one of %s", strings.Join(scopeNames, ", ")))
	case !slices.Contains(scopeNames, rf.Scope):
		l.errs = append(l.errs, fc.errorf(p("scope"), "unknown scope %q%s; use one of %s", rf.Scope, suggest.Hint(rf.Scope, scopeNames), strings.Join(scopeNames, ", ")))
	default:
		r.Scope = Scope(rf.Scope)
		scopeOK = true
	}
	if strings.TrimSpace(rf.Expression) == "" {
		l.errs = append(l.errs, fc.errorf(base, "expression is required: a CEL expression that is true when the %s passes", orAsset(rf.Scope)))
	}
	if !scopeOK || strings.TrimSpace(rf.Expression) == "" {
		return
	}
	env, err := scopeEnv(r.Scope)
	if err != nil {
		l.fatal = err
		return
	}
	c := &compiler{fc: fc, env: env, scope: r.Scope, rule: r}
	r.prg = c.compileBool(rf.Expression, mapValue(rn, "expression"), p("expression"), &l.errs)
	if strings.TrimSpace(rf.When) != "" {
		r.when = c.compileBool(rf.When, mapValue(rn, "when"), p("when"), &l.errs)
	}
	if rf.Message != "" {
		r.msg = c.compileTemplate(rf.Message, mapValue(rn, "message"), p("message"), &l.errs)
	}
	r.reads = c.reads
	l.examples(fc, r, rf, mapValue(rn, "examples"), p("examples"))
	if len(l.errs) > nerr {
		return
	}
	r.meta = r.buildMeta()
	l.set.Rules = append(l.set.Rules, r)
}

func orAsset(scope string) string {
	if scope == "" {
		return "asset"
	}
	return scope
}

// compiler compiles the CEL parts of one rule.
type compiler struct {
	fc    *fileCtx
	env   *cel.Env
	scope Scope
	rule  *Rule
	reads map[string]bool
}

// compile parses and type-checks src, the value of node (at path), and
// returns the checked AST or appends errors positioned in the file.
func (c *compiler) compile(src string, node *yaml.Node, path string, errs *strictyaml.Errors) *cel.Ast {
	return c.compileAt(src, node, 0, path, errs)
}

// compileAt compiles src, found at byte offset base of node's value.
func (c *compiler) compileAt(src string, node *yaml.Node, base int, path string, errs *strictyaml.Errors) *cel.Ast {
	a, iss := c.env.Compile(src)
	if iss != nil && iss.Err() != nil {
		var sp *scalarPos
		if node != nil {
			sp = newScalarPos(c.fc.lines, node)
		}
		for k, e := range iss.Errors() {
			if k >= 5 {
				break
			}
			msg := c.explain(src, e)
			var line, col int
			if sp != nil {
				off := base
				if e.Location != nil && e.Location.Line() > 0 {
					rel := offsetOf(src, e.Location.Line(), e.Location.Column())
					// CEL places a field selection at its dot; point at the field.
					if rel < len(src) && src[rel] == '.' && undefinedRE.MatchString(e.Message) {
						rel++
					}
					off += rel
				}
				line, col = sp.at(off)
			} else {
				line, col = c.fc.doc.Pos(path)
			}
			*errs = append(*errs, &strictyaml.Error{File: c.fc.name, Line: line, Column: col, Path: path, Msg: msg})
		}
		return nil
	}
	c.noteReads(a)
	est, err := c.env.EstimateCost(a, sizeEstimator{scope: c.scope})
	if err != nil {
		*errs = append(*errs, c.errInValue(node, base, path, "cannot estimate the cost: %v", err))
		return nil
	}
	if est.Max > costLimit(c.scope) {
		what := "the expression"
		if base > 0 || strings.HasSuffix(path, ".message") {
			what = "this placeholder"
		}
		cost := fmt.Sprint(est.Max)
		if est.Max == ^uint64(0) {
			cost = "an unbounded amount"
		}
		*errs = append(*errs, c.errInValue(node, base, path,
			"%s may cost up to %s to evaluate, over the %s scope's limit of %d: iterate over fewer or smaller lists (see docs/rules.md, Cost limits)",
			what, cost, c.scope, costLimit(c.scope)))
		return nil
	}
	c.rule.Cost = max(c.rule.Cost, est.Max)
	return a
}

// trackLoopCost enables the runtime cost limit on parts that iterate;
// benchmarks turn it off to measure what tracking costs.
var trackLoopCost = true

func (c *compiler) program(a *cel.Ast) (cel.Program, error) {
	opts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
	if trackLoopCost && iterates(a) {
		// Only comprehensions make the cost of an evaluation depend on
		// the size of the input: track cost where there are some.
		opts = append(opts, cel.CostLimit(costLimit(c.scope)))
	}
	return c.env.Program(a, opts...)
}

func (c *compiler) compileBool(src string, node *yaml.Node, path string, errs *strictyaml.Errors) cel.Program {
	a := c.compile(src, node, path, errs)
	if a == nil {
		return nil
	}
	if t := a.OutputType(); !t.IsExactType(types.BoolType) && !t.IsExactType(types.DynType) {
		*errs = append(*errs, c.errNode(node, path, "the expression must be true or false (bool), but it is %s", typeString(t)))
		return nil
	}
	prg, err := c.program(a)
	if err != nil {
		*errs = append(*errs, c.errNode(node, path, "%v", err))
		return nil
	}
	return prg
}

func (c *compiler) errNode(node *yaml.Node, path, format string, args ...any) *strictyaml.Error {
	return c.fc.errAt(node, path, format, args...)
}

func typeString(t *cel.Type) string {
	if t == nil {
		return "unknown"
	}
	return t.String()
}

// iterates reports whether an AST holds a comprehension.
func iterates(a *cel.Ast) bool {
	found := false
	ast.PreOrderVisit(a.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		if e.Kind() == ast.ComprehensionKind {
			found = true
		}
	}))
	return found
}

// noteReads records which scope variables an expression refers to.
func (c *compiler) noteReads(a *cel.Ast) {
	if c.reads == nil {
		c.reads = map[string]bool{}
	}
	for _, ref := range a.NativeRep().ReferenceMap() {
		if ref.Name != "" {
			c.reads[ref.Name] = true
		}
	}
	ast.PreOrderVisit(a.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		if e.Kind() == ast.CallKind && e.AsCall().FunctionName() == "device_setting" {
			c.reads["device"] = true
		}
	}))
}

var (
	undeclaredRE = regexp.MustCompile(`undeclared reference to '([^']+)'`)
	undefinedRE  = regexp.MustCompile(`undefined field '([^']+)'`)
)

// explain turns a CEL message into ours, with "did you mean" hints.
func (c *compiler) explain(src string, e *cel.Error) string {
	msg := e.Message
	if m := undeclaredRE.FindStringSubmatch(msg); m != nil {
		name := m[1]
		cands := append(variableNames(c.scope), functionNames...)
		hint := suggest.Hint(name, cands)
		return fmt.Sprintf("unknown name %q%s; the %s scope has the variables %s", name, hint, c.scope, strings.Join(variableNames(c.scope), ", "))
	}
	if m := undefinedRE.FindStringSubmatch(msg); m != nil {
		field := m[1]
		typ, names := c.fieldsAt(src, e.ExprID, field)
		hint := suggest.Hint(field, names)
		if typ != "" {
			return fmt.Sprintf("%s has no field %q%s", typ, field, hint)
		}
		return fmt.Sprintf("unknown field %q%s", field, hint)
	}
	return msg
}

// fieldsAt finds the type a failing field selection was applied to, by
// following the operand from a scope variable through the model's types.
func (c *compiler) fieldsAt(src string, id int64, field string) (string, []string) {
	parsed, iss := c.env.Parse(src)
	if iss != nil && iss.Err() != nil {
		return "", allFieldNames()
	}
	var target ast.Expr
	ast.PreOrderVisit(parsed.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		if e.ID() == id {
			target = e
		}
	}))
	if target == nil || target.Kind() != ast.SelectKind {
		return "", allFieldNames()
	}
	path := []string{}
	op := target.AsSelect().Operand()
	for op.Kind() == ast.SelectKind {
		path = append([]string{op.AsSelect().FieldName()}, path...)
		op = op.AsSelect().Operand()
	}
	if op.Kind() != ast.IdentKind {
		return "", allFieldNames()
	}
	var t = goTypeOfVar(c.scope, op.AsIdent())
	label := op.AsIdent()
	for _, f := range path {
		if t == nil {
			break
		}
		t = fieldType(t, f)
		label += "." + f
	}
	if t == nil {
		return "", allFieldNames()
	}
	return label, structFieldNames(t)
}

func goTypeOfVar(s Scope, name string) reflect.Type {
	for _, v := range scopeVars[s] {
		if v.name == name && v.goType != nil {
			return v.goType
		}
	}
	return nil
}

// buildMeta describes the rule as the engine describes checks.
func (r *Rule) buildMeta() engine.Meta {
	h := sha256.New()
	for _, s := range []string{string(r.Scope), r.When, r.Expression, r.Message} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	desc := r.Description
	if desc != "" && !strings.HasSuffix(desc, ".") {
		desc += "."
	}
	if desc != "" {
		desc += " "
	}
	desc += fmt.Sprintf("Custom rule of pack %s (%s). Passes when: %s", r.Pack, filepath.Base(r.File), oneLine(r.Expression))
	if strings.TrimSpace(r.When) != "" {
		desc += fmt.Sprintf(". Applies when: %s", oneLine(r.When))
	}
	return engine.Meta{
		ID: r.ID, Version: hex.EncodeToString(h.Sum(nil))[:8],
		Title: r.Title, Description: desc,
		Controls: slices.Clone(r.Controls), Severity: r.Severity, Scope: model.AssetType(r.Scope),
		Inputs: r.inputs(), Remediation: r.Remediation,
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// inputs infers the kinds of data a rule reads from its scope and the
// fields its expressions name.
func (r *Rule) inputs() []model.EvidenceKind {
	text := r.When + " " + r.Expression
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(text, w) {
				return true
			}
		}
		return false
	}
	var out []model.EvidenceKind
	add := func(k model.EvidenceKind, cond bool) {
		if cond && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	switch r.Scope {
	case ScopeDevice:
		add(model.EvInventory, true)
		add(model.EvCert, has("certificate", "previous_identity"))
		add(model.EvScan, has("ports"))
		add(model.EvTelemetry, has("last_seen", "last_telemetry", "tamper_events", "clock_skew", "reported_firmware"))
		add(model.EvConfig, has("settings", "setting(", "default_settings", "hardening"))
		add(model.EvSBOM, has("firmware_version", "firmware_released", ".firmware"))
	case ScopeModel:
		add(model.EvInventory, true)
		add(model.EvSBOM, has("sboms", "support_end", "firmware"))
		add(model.EvConfig, has("default_settings", "hardening", "ports"))
		add(model.EvMUD, has("mud"))
		add(model.EvAttestation, has("threat_model", "security_test", "certifications", "privacy_statement", "user_guide"))
	case ScopeService:
		add(model.EvConfig, true)
		add(model.EvFlow, has("privacy", "notice"))
	case ScopeNetwork:
		add(model.EvConfig, true)
		add(model.EvFlow, has("allowed_flows", "egress"))
	case ScopeFlow:
		add(model.EvFlow, true)
	case ScopeSolution:
		add(model.EvInventory, true)
		add(model.EvFlow, has("flows"))
		add(model.EvAttestation, has("attestations"))
		add(model.EvTelemetry, has("active_reporting"))
	}
	return out
}
