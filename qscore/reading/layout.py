"""Reading a sheet as an office lays it out: where the table is, which rows hold units and
which cells are deliberately not data.

County offices make their sheets for printing.  Above the header there are title rows
(``2025年度乡镇质量工作考核数据表``, ``填报单位：…``); the header may take two rows (a
category row over the indicator row); a ``序号`` column numbers the rows; below or between
the units there are summary rows (``合计``, ``平均``, ``全县``), section headings
(``一、街道``) and notes (``注：…``, ``填表人：…``); workbooks hide rows and columns and
merge cells.  :func:`recognise` finds the header and the data rows and accounts for every
other non-blank row and column with a :class:`~qscore.model.Notice`, or refuses what it
cannot read safely (a hidden or merged cell in the data) unless an option says how.

It knows nothing of rulesets: binding (units) and ``qscore import-table`` (indicators)
give it the header names of their key column and a test for names they know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import attrs

from qscore.errors import DataError, DataProblem
from qscore.i18n import N_, _
from qscore.limits import listed
from qscore.model import HiddenPolicy, MergedPolicy, Notice
from qscore.cells import normalise, one_line
from qscore.reading.sheets import column_letter
from qscore.reading.table import RawTable

#: How many non-blank rows from the top may hold the header.
HEADER_SEARCH = 10
#: Columns that number the rows; never scored.
SERIAL_HEADERS = ("序号", "编号", "序", "行次", "no", "no.")
#: The lower cells of a two-row header that name a figure of the indicator above them
#: (工程质量抽查符合率 over 上年值 | 完成值): the field, ``""`` for the value itself.
SUB_FIELDS = {"上年": "上年", "上年值": "上年", "上年数": "上年", "去年": "上年", "基期": "基期", "基期值": "基期",
              "完成值": "", "实际值": "", "实绩": "", "本年": "", "本年值": "", "当年值": "", "今年": "", "值": ""}
#: Columns of remarks; never scored.
REMARK_HEADERS = ("备注", "说明", "备注说明", "情况说明", "remarks", "note", "notes")
#: A column giving each row's unit of measure (long layout); never scored.
MEASURE_HEADERS = ("计量单位",)
#: Units of measure as a row under the header gives them.
MEASURE_WORDS = frozenset({"%", "‰", "个", "家", "件", "项", "次", "人", "亩", "万亩", "元", "万元", "亿元", "吨",
                           "万吨", "天", "分", "起", "例", "所", "座", "公里", "千米", "平方米", "立方米", "吨标准煤",
                           "微克/立方米", "mg/m3", "μg/m3", "人次", "万人", "户", "条", "篇", "只", "批次"})

# What the label of a non-unit row says.  Matched on the label with spaces removed and
# full-width forms folded, so 合　计 and 合计（33个） are summaries too.
_BRACKET = r"(?:\([^()]*\))?"
SUMMARY = re.compile(rf"^(?:(?:全|本)?(?:国|县|区|市|省|州|盟|旗|乡|镇|级)|各(?:乡镇|街道|单位|部门))?"
                     rf"(?:合计|小计|总计|共计|累计|汇总|总体|平均|平均值|平均数|均值|平均分|平均水平){_BRACKET}:?$"
                     rf"|^全(?:国|县|区|市|省|州|盟|旗){_BRACKET}$|^其中[:,]?|^(?i:(?:sub)?total|sum|average|mean):?$")
# Rows of the plan's figures, not of a unit: 目标值, 2025年目标, 基期值, 上年值.
REFERENCE = re.compile(rf"^(?:(?:19|20)\d{{2}}年度?)?(?:年度目标|目标值|目标|目标任务|任务目标|计划值|基期值|基期|基准值|"
                       rf"上年值|上年|上年同期){_BRACKET}:?$")
NOTE = re.compile(r"^注\d*(?=[“‘\x22\x27(\[【《])|^(?:注\d*|备注|附注|说明|填表说明|填报说明|填表人|填报人|制表人|制表|统计人|统计员|审核人|审核|审定|"
                  r"复核人|核对人|经办人|负责人|单位负责人|分管领导|主要领导|联系人|联系电话|联系方式|电话|签字|签名|"
                  r"(?:单位)?\(?盖章\)?|填报日期|填表日期|制表日期|报送日期|填报时间|填表时间|报送时间|日期|填报单位|"
                  r"报送单位|制表单位|数据来源|资料来源)(?:[:.、]|$)")
SECTION = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十]+(?:组|类|部分|片区))"
                     r"|[:]$")
# What a label must start with to be any of the above: one cheap match per row, so that a
# national file's units are not folded and matched three times over.
_MAYBE = re.compile(r"[全本各合小总共累汇平均其注备附说填制统审负分主联电日报数资一二三四五六七八九十(（]|第[一二三四五六七八九十]"
                    r"|[国县区市省州盟旗乡镇级][合小总共累汇平均]|目标|年度目标|基期|基准|计划值|上年|(?:19|20)\d\d年"
                    r"|复核|核对|经办|签字|签名|盖章|单位[(（]盖章|以上|以下|此表|上述|表中|sub|total|sum|average|mean",
                    re.IGNORECASE)
#: A label that reads as a sentence (以上数据经审核确认。): no unit's name starts so or holds
#: a full stop or a comma.
_SENTENCE = re.compile(r"^(?:以上|以下|本表|此表|上述|表中)|[。,;!?]")
#: The characters whose folded form (NFKC) is a colon or a mark of :data:`_SENTENCE`, for
#: the cheap test before a label is folded: ASCII, full-width, small and vertical forms.
_NOTE_MARKS = re.compile("[:;,!?。：；，！？｡\u037e\u203c\u2047-\u2049\u2a74\ufe10\ufe12-\ufe16\ufe50\ufe54-\ufe57"
                         "\U0001f101-\U0001f10a]")
_NUMERIC = re.compile(r"^[+-]?[\d,.]+%?$")
_SPACES = re.compile(r"\s+")

@attrs.frozen
class LayoutOptions:
    """What to do with workbook cells that cannot be read safely as they are.

    :param hidden: rows and columns hidden in Excel that hold data: ``refuse`` (the
        default), ``skip`` them, or ``read`` them as if shown.
    :param merged: merged cells in the data: ``refuse`` (the default), or ``fill`` every
        cell of a range with the value of its first cell.
    """

    hidden: HiddenPolicy = attrs.field(default="refuse", validator=attrs.validators.in_(("refuse", "skip", "read")))
    merged: MergedPolicy = attrs.field(default="refuse", validator=attrs.validators.in_(("refuse", "fill")))


@attrs.frozen
class Layout:
    """A table as the office laid it out.

    :param table: the header (two header rows made one) and the data rows only, with
        their own row numbers; columns keep their places (column 0 is still A).
    :param key_column: the column the caller's key names (the unit column).
    :param skipped: columns that are not data (序号, 备注, 计量单位, hidden ones skipped).
    :param titles: the rows above the header, as ``(row number, text)``.
    :param notices: every row and column skipped or read by an option, and why.
    :param problems: hidden or merged cells in the data that no option allows.
    """

    table: RawTable
    key_column: int
    skipped: frozenset[int] = frozenset()
    titles: tuple[tuple[int, str], ...] = ()
    notices: tuple[Notice, ...] = ()
    problems: tuple[DataProblem, ...] = ()


def header_key(text: str) -> str:
    """A header folded for matching: full-width to ASCII, invisible characters and all
    spaces removed."""
    return _SPACES.sub("", normalise(text))


def find_column(header: Sequence[str], names: Sequence[str]) -> int | None:
    """The first column whose header is one of ``names`` (in the order of ``names``),
    matched by :func:`header_key`, case-insensitively."""
    keys = [header_key(h).lower() for h in header]
    for name in names:
        key = header_key(name).lower()
        if key in keys:
            return keys.index(key)
    return None


def recognise(table: RawTable, key_names: Sequence[str], *, missing: str,
              known: Callable[[str], bool] = lambda header: False,
              options: LayoutOptions = LayoutOptions()) -> Layout:
    """Find the header (under any title rows) and the data rows of ``table``.

    :param key_names: the headers of the key column, most specific first (the unit
        column's names).  The header is the first of the top rows that has one and
        names something ``known`` (else the first that has one).
    :param missing: what to say when no row has one (``no unit column; expected …``).
    :param known: whether a header names something of the caller's (an indicator):
        tells a second header row from a data row.
    :raises DataError: when no header is found; the message lists a workbook's sheets.
    """
    grid = _Grid(table)
    top = grid[:HEADER_SEARCH]
    candidates = [(n, column) for n, (_, cells) in enumerate(top) if (column := find_column(cells, key_names)) is not None]
    # A form's particulars above the table (单位 | 县市场监管局) have a key cell too: the
    # header is the first such row that also names something the caller knows.
    found = next(((n, column) for n, column in candidates
                  if any(known(cell) for m, cell in enumerate(top[n][1]) if m != column and cell.strip())),
                 candidates[0] if candidates else None)
    if found is None:
        down = _indicators_down_a_column(grid, known)
        if down:
            missing = _("{problem}; the indicators run down a column ({names} …) and the units across: the table "
                        "is laid out one column per unit; qscore reads one row per unit (in Excel, copy the table "
                        "and paste it with Paste Special → Transpose)").format(problem=missing, names="、".join(down))
        if len(table.sheets) > 1:
            missing = _("{problem}; the workbook's sheets are {sheets}; give --sheet").format(
                problem=missing, sheets=", ".join(table.sheets))
        raise DataError(missing, file=table.file, sheet=table.sheet, row=table.header_row)
    return _Recogniser(table, grid, found[0], found[1], known, options).layout()


#: The rows looked at for a table on its side: it has a row per indicator, and a large
#: file without a unit column is refused without reading all of it twice.
SIDEWAYS_SEARCH = 200


def _indicators_down_a_column(grid: _Grid, known: Callable[[str], bool]) -> list[str]:
    """The first names of indicators in a column that holds at least two of them (a table
    turned on its side), else nothing."""
    columns: dict[int, list[str]] = {}
    for _number, cells in grid[:SIDEWAYS_SEARCH]:
        for n, cell in enumerate(cells):
            if cell.strip() and known(cell):
                columns.setdefault(n, []).append(cell.strip())
    names = max(columns.values(), key=len, default=[])
    return names[:2] if len(names) >= 2 else []


class _Grid:
    """The table's rows, header first, as ``(row number, cells)``, without copying them."""

    def __init__(self, table: RawTable) -> None:
        self.table = table

    def __len__(self) -> int:
        return len(self.table.rows) + 1

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if index == 0:
            return self.table.header_row, self.table.header
        if index > len(self.table.rows):
            raise IndexError(index)
        return self.table.row_numbers[index - 1], self.table.rows[index - 1]

    def __iter__(self) -> Iterator[tuple[int, Sequence[str]]]:
        return iter(self[:])


class _Recogniser:
    def __init__(self, table: RawTable, grid: _Grid, at: int, key: int,
                 known: Callable[[str], bool], options: LayoutOptions) -> None:
        self.table, self.grid, self.at, self.key, self.known, self.options = table, grid, at, key, known, options
        self.notices: list[Notice] = []
        self.problems: list[DataProblem] = []

    def layout(self) -> Layout:
        header, first_data, titles = self.header()
        serial = {n for n, h in enumerate(header) if header_key(h).lower() in SERIAL_HEADERS}
        labels = sorted({*range(self.key + 1), *serial} - {self.key})
        rows, numbers = self.data_rows(first_data, header, [self.key, *labels])
        skipped = self.skipped_columns(header, rows, serial)
        rows, numbers = self.hidden(header, rows, numbers, skipped)
        rows, numbers = self.hidden_values(header, rows, numbers, skipped)
        rows = self.merged(header, rows, numbers, skipped)
        clean = attrs.evolve(self.table, header=tuple(header), rows=rows, row_numbers=numbers,
                             header_row=self.grid[self.at][0])
        notices = sorted(self.notices, key=lambda notice: notice.row if notice.row is not None else 2**62)
        return Layout(table=clean, key_column=self.key, skipped=frozenset(skipped), titles=tuple(titles),
                      notices=tuple(notices), problems=tuple(self.problems))

    # -- where -------------------------------------------------------------------------

    def at_cell(self, row: int | None, column: int | None, header: Sequence[str] = ()) -> dict[str, object]:
        """The location keywords of a notice or problem."""
        sheet = self.table.sheet
        cell = None
        if sheet is not None and column is not None and row is not None:
            cell = f"{column_letter(column)}{row}"
        name = header[column] if column is not None and column < len(header) and header[column] else None
        return {"file": self.table.file, "sheet": sheet, "row": row, "column": name, "cell": cell}

    def notice(self, kind: str, message: str, row: int | None = None, column: int | None = None,
               header: Sequence[str] = (), cell: str | None = None) -> None:
        where = self.at_cell(row, column, header)
        if cell is not None and self.table.sheet is not None:
            where["cell"] = cell
        self.notices.append(Notice(kind, message, **where))  # type: ignore[arg-type]

    # -- the header --------------------------------------------------------------------

    def header(self) -> tuple[list[str], int, list[tuple[int, str]]]:
        """The header (one row, or two made one), the position of the first data row,
        and the title rows above."""
        number, cells = self.grid[self.at]
        header = [one_line(cell) for cell in cells]  # a header cell wrapped on two lines reads as one
        first_data = self.at + 1
        above = self.at
        below = self.grid[self.at + 1] if self.at + 1 < len(self.grid) else None
        if below is not None and self.continues(header, below[1]):
            lower = [one_line(cell) for cell in below[1]]
            width = max(len(header), len(lower))
            header += [""] * (width - len(header))
            lower += [""] * (width - len(lower))
            figures = self.figures_under(header, lower)
            groups = [h for n, (h, low) in enumerate(zip(header, lower)) if h and low and n not in figures]
            header = [figures.get(n) or low or h for n, (h, low) in enumerate(zip(header, lower))]
            first_data += 1
            if figures:
                self.notice("header", _("rows {number} and {below} read as one header: the upper row names the "
                                        "indicator over its figures, read as {names}").format(
                    number=number, below=below[0], names=listed(list(figures.values()), 6, ", ")), number)
            if not figures or any(low and n not in figures for n, low in enumerate(lower)):
                self.header_notice(number, below[0], groups)
        elif below is not None and self.units_row(below[1]):
            first_data += 1
            self.notice("row", _("skipped row {below} under the header: units of measure "
                        "({value}), not data").format(
                    below=below[0], value=listed([c.strip() for c in below[1] if c.strip()], 4, ", ")), below[0])
        if self.at > 0:
            upper_number, upper = self.grid[self.at - 1]
            gaps = [n for n, h in enumerate(header) if not h and n < len(upper) and upper[n].strip()]
            if gaps and sum(1 for cell in upper if cell.strip()) >= 2:
                for n in gaps:
                    header[n] = one_line(upper[n])
                above -= 1
                self.notice("header", _("rows {upper_number} and {number} read as one header: the upper row names "
                            "{value}").format(
                        upper_number=upper_number, number=number,
                        value=listed([header[n] for n in gaps], 4, ", ")), upper_number)
        titles = []
        for title_number, title_cells in self.grid[:above]:
            text = " ".join(cell.strip() for cell in title_cells if cell.strip())
            titles.append((title_number, text))
            self.notice("title", _("skipped a title row above the header: {text}").format(
                    text=_quote(text)), title_number)
        if first_data < len(self.grid):
            first_data = self.column_numbers(header, first_data)
        return header, first_data, titles

    def header_notice(self, number: int, below: int, groups: Sequence[str]) -> None:
        """Say that two rows were read as one header, the lower naming the columns."""
        self.notice("header", _("rows {number} and {below} read as one header: the lower row names the columns; "
                                "the upper row's groups ({groups}) are not data").format(
            number=number, below=below, groups=listed(groups, 4, ", ")) if groups
            else _("rows {number} and {below} read as one header: the lower row names the columns").format(
                number=number, below=below), number)

    def figures_under(self, upper: Sequence[str], lower: Sequence[str]) -> dict[int, str]:
        """The columns of a two-row header whose lower cell names a figure (上年值, 完成值)
        of the indicator named above it, in its own upper cell or in the first of the empty
        (merged) cells to its left: column → ``指标``, ``指标@上年`` or ``指标@基期``.  An
        upper cell that names nothing known (a misspelt indicator, another unit of
        measure) names its figures all the same, so that the refusal names it, not 上年值."""
        named: dict[int, str] = {}
        group = ""
        for n, (high, low) in enumerate(zip(upper, lower)):
            field = SUB_FIELDS.get(header_key(low)) if low else None
            if high:
                group = high
            elif field is None:
                group = ""
            if group and field is not None:
                named[n] = f"{group}@{field}" if field else group
        return named

    def continues(self, header: Sequence[str], cells: Sequence[str]) -> bool:
        """Whether the row under the header is a second header row: no unit, no figures,
        and it names known columns or fills the header's gaps."""
        if self.key < len(cells) and cells[self.key].strip():
            return False
        filled = [(n, cell.strip()) for n, cell in enumerate(cells) if cell.strip()]
        if not filled or any(_NUMERIC.match(normalise(text)) for _, text in filled):
            return False
        if all(normalise(text) in MEASURE_WORDS or normalise(text).strip("()") in MEASURE_WORDS for _, text in filled):
            return False  # a units row (see units_row)
        return any(self.known(text) for _, text in filled) or any(n >= len(header) or not header[n]
                                                                   for n, _ in filled)

    def units_row(self, cells: Sequence[str]) -> bool:
        """Whether the row under the header gives each column's unit of measure (%, 家 …)."""
        if self.key < len(cells) and cells[self.key].strip() not in ("", "单位", "计量单位"):
            return False
        filled = [normalise(cell).strip("()") for n, cell in enumerate(cells) if cell.strip() and n != self.key]
        return bool(filled) and all(text in MEASURE_WORDS for text in filled)

    def column_numbers(self, header: Sequence[str], first: int) -> int:
        """Skip a row that numbers the columns (栏次: 1, 2, 3 …) under the header."""
        number, cells = self.grid[first]
        label = cells[self.key].strip() if self.key < len(cells) else ""
        if label not in ("", "栏次", "甲", "A"):
            return first
        figures = [normalise(cell).strip("()") for n, cell in enumerate(cells) if cell.strip() and n != self.key]
        if len(figures) < 2 or not all(f.isdigit() for f in figures):
            return first
        values = [int(f) for f in figures]
        if values != list(range(values[0], values[0] + len(values))):
            return first
        self.notice("row", _("skipped row {number}: it numbers the columns ({figures} …), not data").format(
                number=number, figures=', '.join(figures[:3])),
                    number)
        return first + 1

    # -- the rows ----------------------------------------------------------------------

    def data_rows(self, first: int, header: Sequence[str],
                  labels: list[int]) -> tuple[Sequence[Sequence[str]], Sequence[int]]:
        """The rows that hold units; summary, note and section rows skipped with a notice.
        One cheap test per row: a national file's rows are not copied unless some are skipped."""
        table = self.table
        rows, numbers = table.rows[first - 1:], table.row_numbers[first - 1:]
        skipped = set()
        key, maybe, marked = self.key, _MAYBE.match, _NOTE_MARKS.search
        unit_header = header_key(header[key]) if key < len(header) else None
        for position, cells in enumerate(rows):
            lead = cells[0].strip() if cells else ""
            label = lead if key == 0 else cells[key].strip() if key < len(cells) else ""
            if label and header_key(label) == unit_header and self.repeats(header, cells):
                self.notice("row", _("skipped a repeat of the header; the rows under it are read as more units of the "
                                     "same table"), numbers[position])
                skipped.add(position)
                continue
            if not label:
                label = next((cells[n].strip() for n in labels if n < len(cells) and cells[n].strip()), "")
            if not lead:
                lead = next((c.strip() for c in cells if c.strip()), "")
            if lead == label:
                lead = label
            if (label and (maybe(label) or marked(label))) \
                    or (lead is not label and lead and maybe(lead)):
                kind = self.classify(label, lead, cells, labels)
                if kind is not None:
                    # A note row is quoted by the cell that makes it one: the first cell
                    # (注：…) or the label (附表：…, 以上数据经审核确认) beside a row number.
                    noted = kind == 'a note row' and NOTE.match(header_key(lead))
                    self.notice("row", _("skipped {kind}: {value}").format(
                            kind=_(kind), value=_quote(lead if noted else label)),
                                numbers[position])
                    skipped.add(position)
        if not skipped:
            return rows, numbers
        return ([cells for n, cells in enumerate(rows) if n not in skipped],
                [number for n, number in enumerate(numbers) if n not in skipped])

    @staticmethod
    def repeats(header: Sequence[str], cells: Sequence[str]) -> bool:
        """Whether a row says the header again (a long table printed with its header on
        every page, or a second table of the same columns below): each of its cells the
        header's, or empty."""
        return all(not cell.strip() or (n < len(header) and header_key(cell) == header_key(header[n]))
                   for n, cell in enumerate(cells))

    def classify(self, label: str, lead: str, cells: Sequence[str], labels: list[int]) -> str | None:
        folded = header_key(label)
        if SUMMARY.match(folded):
            return N_("a summary row, not a unit")
        if REFERENCE.match(folded):
            return N_("a row of the plan's figures (目标值, 基期值 …), not a unit")
        if NOTE.match(header_key(lead)):
            return N_("a note row")
        label_columns = {self.key, *labels}
        alone = not any(cell.strip() for n, cell in enumerate(cells) if n not in label_columns)
        if SECTION.search(folded) and alone:
            return N_("a section heading, not a unit")
        if ":" in folded and alone:
            # 附表：2024年数据, 以上数据截至：12月31日: no unit's name holds a colon.
            return N_("a note row")
        if _SENTENCE.search(folded) and alone:
            return N_("a note row")
        return None

    # -- the columns -------------------------------------------------------------------

    def skipped_columns(self, header: Sequence[str], rows: Sequence[Sequence[str]], serial: set[int]) -> set[int]:
        skipped = set()
        row = self.grid[self.at][0]
        for n, name in enumerate(header):
            key = header_key(name).lower()
            if n == self.key or not key:
                continue
            if n in serial:
                why = _("row numbers")
            elif key in REMARK_HEADERS:
                filled = sum(1 for cells in rows if n < len(cells) and cells[n].strip())
                why = _("remarks ({filled} filled)").format(filled=filled) if filled else _("remarks (all empty)")
            elif key in MEASURE_HEADERS:
                why = _("units of measure")
            else:
                continue
            skipped.add(n)
            self.notice("column", _("skipped: {why}, not scored").format(why=why), row, n, header)
        return skipped

    # -- hidden and merged cells -------------------------------------------------------

    def hidden(self, header: Sequence[str], rows: Sequence[Sequence[str]], numbers: Sequence[int],
               skipped: set[int]) -> tuple[Sequence[Sequence[str]], Sequence[int]]:
        table, policy = self.table, self.options.hidden
        if not (table.hidden_rows or table.hidden_columns):
            return rows, numbers
        header_row = self.grid[self.at][0]
        last = numbers[-1] if numbers else header_row
        for n in sorted(table.hidden_columns):
            if n in skipped or n >= len(header) or not (header[n] or any(n < len(c) and c[n].strip() for c in rows)):
                continue
            span = f"{column_letter(n)}{header_row}:{column_letter(n)}{last}"
            what = (_("column {letter} ('{header}')") if header[n] else _("column {letter}")).format(
                letter=column_letter(n), header=header[n])
            zero = n in table.zero_width_columns
            if policy == "refuse":
                message = _("{what} has a width of 0, so Excel does not show it, and holds data; widen it, or give "
                            "--hidden read to use it or --hidden skip to leave it out") if zero else _(
                    "{what} is hidden in Excel and holds data; unhide it, or give --hidden read to use it or "
                    "--hidden skip to leave it out")
                self.problems.append(DataProblem(message.format(what=what), **self.at_cell(header_row, n, header) | {"cell": span}))  # type: ignore[arg-type]
            else:
                if policy == "skip":
                    skipped.add(n)
                message = _("{what} has a width of 0, so Excel does not show it; {value} as --hidden {policy} says") \
                    if zero else _("{what} is hidden in Excel; {value} as --hidden {policy} says")
                self.notice("hidden", message.format(
                        what=what, value=_("skipped") if policy == "skip" else _("read"),
                        policy=policy), header_row, n, header, cell=span)
        kept_rows, kept_numbers = [], []
        width = column_letter(max(len(header) - 1, 0))
        for cells, number in zip(rows, numbers):
            if number not in table.hidden_rows:
                kept_rows.append(cells)
                kept_numbers.append(number)
                continue
            label = cells[self.key].strip() if self.key < len(cells) else ""
            what = (_("row {number} ({label})") if label else _("row {number}")).format(number=number, label=_quote(label))
            span = f"A{number}:{width}{number}"
            zero = number in table.zero_height_rows
            if policy == "refuse":
                message = _("{what} has a height of 0, so Excel does not show it, and holds data; give it a height, "
                            "or give --hidden read to use it or --hidden skip to leave it out") if zero else _(
                    "{what} is hidden in Excel and holds data; unhide it, or give --hidden read to use it or "
                    "--hidden skip to leave it out")
                self.problems.append(DataProblem(message.format(what=what), **self.at_cell(number, None) | {"cell": span}))  # type: ignore[arg-type]
            else:
                message = _("{what} has a height of 0, so Excel does not show it; {value} as --hidden {policy} says") \
                    if zero else _("{what} is hidden in Excel; {value} as --hidden {policy} says")
                self.notice("hidden", message.format(
                        what=what, value=_("skipped") if policy == "skip" else _("read"),
                        policy=policy), number, cell=span)
            if policy != "skip":
                kept_rows.append(cells)
                kept_numbers.append(number)
        return kept_rows, kept_numbers

    def hidden_values(self, header: Sequence[str], rows: Sequence[Sequence[str]], numbers: Sequence[int],
                      skipped: set[int]) -> tuple[Sequence[Sequence[str]], Sequence[int]]:
        """Data cells whose number format shows nothing for their value (``;;;``): refused,
        read, or left out (the cell read as empty; a unit's name, its row) as ``--hidden`` says."""
        table, policy = self.table, self.options.hidden
        if not table.hidden_values:
            return rows, numbers
        position = {number: n for n, number in enumerate(numbers)}
        rows, dropped = list(rows), set()
        for (number, n), hidden in sorted(table.hidden_values.items()):
            if number not in position or n in skipped or n >= len(header) or not rows[position[number]][n].strip():
                continue
            if number in table.hidden_rows or n in table.hidden_columns:
                continue  # said of its row or column
            why = _(HIDDEN_VALUE_WHY[hidden.kind]).format(format=hidden.number_format)
            what = _("the value {value} does not show in Excel: {why}").format(
                value=_quote(rows[position[number]][n]), why=why)
            if policy == "refuse":
                self.problems.append(DataProblem(
                    _("{what}; give the cell a number format that shows it, or give --hidden read to use it or "
                      "--hidden skip to leave it out").format(what=what), **self.at_cell(number, n, header)))  # type: ignore[arg-type]
                continue
            left_out = _("its row skipped") if n == self.key else _("left out")
            self.notice("hidden", _("{what}; {value} as --hidden {policy} says").format(
                what=what, value=left_out if policy == "skip" else _("read"), policy=policy), number, n, header)
            if policy == "skip" and n == self.key:
                dropped.add(position[number])
            elif policy == "skip":
                cells = list(rows[position[number]])
                cells[n] = ""
                rows[position[number]] = cells
        if not dropped:
            return rows, numbers
        return ([cells for p, cells in enumerate(rows) if p not in dropped],
                [number for p, number in enumerate(numbers) if p not in dropped])

    def merged(self, header: Sequence[str], rows: Sequence[Sequence[str]], numbers: Sequence[int],
               skipped: set[int]) -> Sequence[Sequence[str]]:
        """Refuse (or fill, with ``--fill-merged``) the merged ranges of the data rows; a
        range within skipped columns (备注 merged down the table) is never read."""
        if not self.table.merged:
            return rows
        position = {number: n for n, number in enumerate(numbers)}
        rows = list(rows)
        for first_row, first_column, last_row, last_column in self.table.merged:
            inside = [r for r in range(first_row, last_row + 1) if r in position]
            if not inside or (first_row == last_row and first_column == last_column):
                continue
            if skipped.issuperset(range(first_column, last_column + 1)):
                continue
            span = f"{column_letter(first_column)}{first_row}:{column_letter(last_column)}{last_row}"
            anchor = self.text_at(first_row, first_column, position, rows)
            where = self.at_cell(first_row, first_column, header) | {"cell": span}
            if first_row not in position:
                self.problems.append(DataProblem(_("cells {span} are merged across row {first_row}, which is not data, and "
                                             "data rows; unmerge them").format(
                        span=span, first_row=first_row), **where))  # type: ignore[arg-type]
            elif self.options.merged == "refuse":
                self.problems.append(DataProblem(
                    _("cells {span} are merged: only the first holds the value ({anchor}) and the others would "
                    "read as empty; unmerge them and fill each cell, or give --fill-merged").format(
                            span=span, anchor=_quote(anchor)), **where))  # type: ignore[arg-type]
            else:
                for r in inside:
                    cells = list(rows[position[r]])
                    cells.extend([""] * (last_column + 1 - len(cells)))
                    cells[first_column:last_column + 1] = [anchor] * (last_column + 1 - first_column)
                    rows[position[r]] = cells
                self.notices.append(Notice("merged", _("cells {span} are merged: the value {anchor} was used "
                                           "for each of them, as --fill-merged says").format(
                        span=span, anchor=_quote(anchor)), **where))  # type: ignore[arg-type]
        return rows

    def text_at(self, row: int, column: int, position: dict[int, int], rows: list[Sequence[str]]) -> str:
        cells = rows[position[row]] if row in position else next((c for n, c in self.grid if n == row), ())
        return cells[column].strip() if column < len(cells) else ""


#: Why a cell's value does not show, by :attr:`~qscore.reading.table.HiddenValue.kind`.
HIDDEN_VALUE_WHY = {
    "all": N_("its number format {format} shows nothing"),
    "number": N_("its number format {format} shows no number"),
    "positive": N_("its number format {format} shows nothing for a positive number"),
    "negative": N_("its number format {format} shows nothing for a negative number"),
    "zero": N_("its number format {format} shows nothing for zero"),
    "text": N_("its number format {format} shows nothing for text"),
}


def _quote(text: str, limit: int = 30) -> str:
    text = _SPACES.sub(" ", text.strip())
    return repr(text if len(text) <= limit else text[:limit] + "…")


# -- the year a sheet states ----------------------------------------------------------

_YEAR_ROUND = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")
_BARE_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d年月]|\.\d)")
# A span of years written with one 年 (2023—2027年, 2023-2027年度, 2023至2027年): a plan's
# period names both ends, as 2023年—2027年 does, not only the last.
_YEAR_SPAN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:[-‐‑–—―~〜至到]+)\s*((?:19|20)\d{2})(?=\s*年)")


@attrs.frozen
class StatedYear:
    """The assessment year a table states (``2025年度`` in its title, its sheet or file name).

    :param year: the year, or ``None`` where the source names several.
    :param source: where it is said, for the notice (``the title in row 1 ('2025年度…')``).
    :param years: every year the source names, when it names several.
    """

    year: int | None
    source: str
    years: tuple[int, ...] = ()


def stated_year(titles: Sequence[tuple[int, str]], sheet: str | None, file: str) -> StatedYear | None:
    """The year the title rows, else the sheet name, else the file name state: ``年度``
    first (``2024年度…（2025年3月填报）`` is 2024), a bare ``2025年`` (not a date such as
    2025年3月) otherwise, a span (``2023—2027年``) naming both its years; in a file name, a
    bare year too (``townships-2025.csv``)."""
    from pathlib import PurePath

    sources = [(text, _("the title in row {number} ({title})").format(number=number, title=_quote(text)), False) for number, text in titles]
    if sheet:
        sources.append((sheet, _("the sheet name '{sheet}'").format(sheet=sheet), False))
    name = PurePath(file).name
    sources.append((name, _("the file name '{name}'").format(name=name), True))
    for text, source, bare in sources:
        folded = normalise(text)
        spans = {int(y) for span in _YEAR_SPAN.findall(folded) for y in span}
        folded = _YEAR_SPAN.sub(" ", folded)
        years = sorted({int(y) for y in _YEAR_ROUND.findall(folded)}) or sorted(
            {*spans, *(int(y) for y in _YEAR.findall(folded))})
        if not years and bare:
            years = sorted({int(y) for y in _BARE_YEAR.findall(PurePath(folded).stem)})
        if len(years) == 1:
            return StatedYear(years[0], source)
        if years:
            return StatedYear(None, source, tuple(years))
    return None
