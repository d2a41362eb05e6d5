// Command xlsxsame reads two workbooks with excelize and reports whether a
// user sees the same thing in both: the same sheets, and in every cell the
// same value (as shown and as stored), type, formula and style (font, fill,
// number format), plus each sheet's column widths, panes and filter.
// It exists because the workbook writer's XML may change (shared strings,
// shorter cells) while what the workbook holds must not, so comparing the
// sheets' XML byte for byte no longer says whether two workbooks agree.
//
//	go run ./scripts/xlsxsame OLD.xlsx NEW.xlsx
//
// The Run sheet's start time and duration differ between any two runs and
// are left out; so is the clinex version, which names the build.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"

	"github.com/xuri/excelize/v2"
)

// runtimeItems are the Run sheet's items that differ from run to run.
var runtimeItems = []string{"start (UTC)", "duration (s)", "clinex version"}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: xlsxsame OLD.xlsx NEW.xlsx")
		os.Exit(2)
	}
	diffs, cells, err := compare(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "xlsxsame:", err)
		os.Exit(2)
	}
	for _, d := range diffs[:min(len(diffs), 20)] {
		fmt.Println(d)
	}
	if len(diffs) > 0 {
		fmt.Printf("DIFFERENT: %d differences (%d cells compared)\n", len(diffs), cells)
		os.Exit(1)
	}
	fmt.Printf("SAME (%d cells compared)\n", cells)
}

func compare(pathA, pathB string) (diffs []string, cells int, err error) {
	a, err := excelize.OpenFile(pathA)
	if err != nil {
		return nil, 0, err
	}
	defer a.Close()
	b, err := excelize.OpenFile(pathB)
	if err != nil {
		return nil, 0, err
	}
	defer b.Close()
	differ := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	sheets := a.GetSheetList()
	if sb := b.GetSheetList(); !slices.Equal(sheets, sb) {
		differ("sheets: %q vs %q", sheets, sb)
		return diffs, 0, nil
	}
	if da, db := jsonOf(a.GetDefinedName()), jsonOf(b.GetDefinedName()); da != db {
		differ("defined names: %s vs %s", da, db)
	}
	for _, sheet := range sheets {
		shown := [2][][]string{}
		raw := [2][][]string{}
		for i, f := range []*excelize.File{a, b} {
			if shown[i], err = f.GetRows(sheet); err != nil {
				return nil, 0, fmt.Errorf("%s: %v", sheet, err)
			}
			if raw[i], err = f.GetRows(sheet, excelize.Options{RawCellValue: true}); err != nil {
				return nil, 0, fmt.Errorf("%s: %v", sheet, err)
			}
		}
		if len(shown[0]) != len(shown[1]) {
			differ("%s: %d rows vs %d", sheet, len(shown[0]), len(shown[1]))
			continue
		}
		for _, get := range []func(*excelize.File) (any, error){
			func(f *excelize.File) (any, error) { return f.GetPanes(sheet) },
			func(f *excelize.File) (any, error) { return f.GetSheetProps(sheet) },
			func(f *excelize.File) (any, error) { return f.GetSheetView(sheet, 0) },
			func(f *excelize.File) (any, error) { return f.GetSheetDimension(sheet) },
		} {
			va, ea := get(a)
			vb, eb := get(b)
			if ja, jb := jsonOf(va)+fmt.Sprint(ea), jsonOf(vb)+fmt.Sprint(eb); ja != jb {
				differ("%s: sheet settings %s vs %s", sheet, ja, jb)
			}
		}
		width := 0
		for _, r := range raw[0] {
			width = max(width, len(r))
		}
		for _, r := range raw[1] {
			width = max(width, len(r))
		}
		for c := 1; c <= width+1; c++ {
			col, _ := excelize.ColumnNumberToName(c)
			wa, ea := a.GetColWidth(sheet, col)
			wb, eb := b.GetColWidth(sheet, col)
			if wa != wb || fmt.Sprint(ea) != fmt.Sprint(eb) {
				differ("%s: column %s width %v vs %v", sheet, col, wa, wb)
			}
		}
		for r := range shown[0] {
			if sheet == "Run" && len(raw[0][r]) > 0 && slices.Contains(runtimeItems, raw[0][r][0]) {
				continue
			}
			n := max(len(raw[0][r]), len(raw[1][r]), len(shown[0][r]), len(shown[1][r]))
			for c := range n + 1 {
				cells++
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if va, vb := at(shown[0], r, c), at(shown[1], r, c); va != vb {
					differ("%s!%s: shown %q vs %q", sheet, ref, va, vb)
				}
				if va, vb := at(raw[0], r, c), at(raw[1], r, c); va != vb {
					differ("%s!%s: stored %q vs %q", sheet, ref, va, vb)
				}
				ta, _ := a.GetCellType(sheet, ref)
				tb, _ := b.GetCellType(sheet, ref)
				if textType(ta) != textType(tb) {
					differ("%s!%s: type %v vs %v", sheet, ref, ta, tb)
				}
				fa, _ := a.GetCellFormula(sheet, ref)
				fb, _ := b.GetCellFormula(sheet, ref)
				if fa != fb {
					differ("%s!%s: formula %q vs %q", sheet, ref, fa, fb)
				}
				if sa, sb := styleOf(a, sheet, ref), styleOf(b, sheet, ref); sa != sb {
					differ("%s!%s: style %s vs %s", sheet, ref, sa, sb)
				}
			}
		}
	}
	return diffs, cells, nil
}

// textType folds the two ways a cell holds text, inline or as a shared
// string: the choice is the writer's, and a user sees the same text.
func textType(t excelize.CellType) excelize.CellType {
	if t == excelize.CellTypeSharedString {
		return excelize.CellTypeInlineString
	}
	return t
}

func at(rows [][]string, r, c int) string {
	if r < len(rows) && c < len(rows[r]) {
		return rows[r][c]
	}
	return ""
}

// styleOf is a cell's style spelled out, not its index: two workbooks may
// number the same styles differently.
func styleOf(f *excelize.File, sheet, ref string) string {
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		return "error: " + err.Error()
	}
	if s, ok := styles[f][id]; ok {
		return s
	}
	st, err := f.GetStyle(id)
	if err != nil {
		return "error: " + err.Error()
	}
	if styles[f] == nil {
		styles[f] = map[int]string{}
	}
	styles[f][id] = jsonOf(st)
	return styles[f][id]
}

// styles caches each workbook's styles spelled out, by index.
var styles = map[*excelize.File]map[int]string{}

func jsonOf(v any) string {
	if v == nil || reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil() {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
