"""Command line (DATA_CONTRACT §4): python -m etl load|sample|history|revert|rebuild|template|settings|
passwd|bulletin|notices|sql.

Every expected condition is a GridError (etl/errors.py): main() prints its Chinese message and
exits 1. Anything else is a bug: its traceback goes to etl-errors.log beside the database and
the user reads one Chinese sentence saying where; no traceback reaches the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from etl import adhoc, auth, db
from etl.errors import GridError
from etl.load import eventlog, notice_events, rebuild, sample, store
from etl.load.issues import FileRejected
from etl.load.kinds import KIND_LABELS, KINDS
from etl.load.parse import CellError, parse_month, parse_year
from etl.load.recognise import CLI_HINTS
from etl.rules import calendar, notices, settings

# The document writers (etl.output.bulletin_docx, bulletin_xlsx, notice_doc, template, export:
# matplotlib, python-docx, openpyxl) are imported inside the commands that write documents, for
# start-up time only: importing them here takes `python -m etl` from 0.65 to 1.3 s of CPU for
# every command (tests/test_architecture.py lists them).

log = logging.getLogger("etl")
ERROR_LOG = "etl-errors.log"
BUG = "✗ 出现意外错误，操作未完成（这是程序的问题，不是操作有误）。"
BUG_MESSAGE = BUG + "详细信息已记入 {where}，请把该文件发给维护人员"
BUG_MESSAGE_NO_LOG = BUG + "请联系维护人员"


def _month_arg(text: str) -> date:
    try:
        m = parse_month(text)
    except CellError:
        m = None
    if m is None:
        raise argparse.ArgumentTypeError(f"月份格式不对：{text}（应为 YYYY-MM，如 2018-05）")
    return m


def _year_arg(text: str) -> int:
    try:
        y = parse_year(text)
    except CellError:
        y = None
    if y is None:
        raise argparse.ArgumentTypeError(f"年度格式不对：{text}（应为 YYYY，如 2018）")
    return y


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式不对：{text}（应为 YYYY-MM-DD，如 2019-04-05）") from None


def _print_issues(exc: FileRejected) -> None:
    out = sys.stdout
    errors = exc.errors
    print(f"✗ {exc.file_name}：发现 {len(errors)} 个错误，整个文件未导入（数据库没有任何改动）", file=out)
    for issue in exc.issues:
        print(f"  {issue}", file=out)
        hint = next((h for key, h in CLI_HINTS.items() if key in issue.message), None)
        if hint:
            print(f"    （{hint}）", file=out)


def cmd_load(args: argparse.Namespace) -> int:
    options = store.Options(kind=args.kind, month=args.month, year=args.year, allow_drop=args.allow_drop)
    failed = 0
    for name in args.files:
        try:
            res = store.load_path(name, path=args.db, options=options, loaded_by=args.by or "")
        except FileRejected as exc:
            _print_issues(exc)
            failed += 1
            continue
        mark = "=" if res.status == "skipped" else "✓"
        print(f"{mark} {res.summary()}")
        for issue in res.issues:
            print(f"  {issue}")
    return 1 if failed else 0


def cmd_sample(args: argparse.Namespace) -> int:
    if args.first_run:
        if args.db or os.environ.get("GRID_DB"):
            print(
                f"已指定数据库 {db.db_path(args.db)}：不写入示例数据（在看板的「数据上传」页导入本县的表格）"
            )
            return 0
        if sample.first_run_database() is None:
            return 0  # the default database exists: nothing to do
    counts = sample.build_sample_db(db.db_path(args.db), force=args.force)
    if counts is None:
        print(f"数据库已存在：{db.db_path(args.db)}（加 --force 重新生成示例数据库）")
        return 0
    print(f"✓ 示例数据库已生成：{db.db_path(args.db)}（{counts['files']} 个文件，{counts['rows']} 行）")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    if not db.db_path(args.db).exists():
        print("还没有导入任何文件（数据库尚未建立）。")
        return 0
    frame = store.history(args.db)
    if frame.empty:
        print("还没有导入任何文件。")
        return 0
    status = {"active": "有效", "reverted": "已撤销"}
    for r in frame.itertuples():
        periods = store.periods_text(list(r.periods) if r.periods is not None else [])
        kinds = "、".join(KIND_LABELS.get(k, k) for k in str(r.kind).split(","))
        print(
            f"#{r.batch_id:<4} {r.loaded_at:%Y-%m-%d %H:%M}  {status.get(r.status, r.status):<4} "
            f"{r.loaded_by}  {r.file_name}  [{kinds}] {r.area or ''} {periods}  {r.row_count} 行"
        )
    return 0


def cmd_revert(args: argparse.Namespace) -> int:
    try:
        res = store.revert(args.batch_id, path=args.db, by=args.by or "")
    except store.NoSuchBatch:
        print(f"没有编号为 #{args.batch_id} 的批次（用 python -m etl history 查看批次）")
        return 1
    if res["already"]:
        print(f"批次 #{args.batch_id}（{res['file_name']}）此前已撤销，未作改动")
    else:
        print(f"✓ 已撤销批次 #{args.batch_id}（{res['file_name']}）：其数据不再计入，被它替换的数据恢复有效")
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    counts = rebuild.rebuild(args.db, args.to)
    where = args.to or db.db_path(args.db)
    notices = f"、{counts['notices']} 条通知记录" if counts.get("notices") else ""
    print(
        f"✓ 已从存档重建数据库 {where}：重放 {counts['loads']} 次导入、{counts['reverts']} 次撤销、"
        f"{counts['settings']} 次设置修改{notices}"
    )
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from etl.output import template

    path = template.write_template(args.kind, Path(args.output), db_file=args.db)
    print(f"✓ 已生成「{KIND_LABELS[args.kind]}」模板：{path}")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    if args.action == "set":
        if not args.key or args.value is None:
            print("用法：python -m etl settings set KEY VALUE")
            return 2
        eventlog.change_setting(args.key, args.value, path=args.db)
        print(f"✓ 已设置 {args.key} = {args.value}")
        return 0
    store.init_db(args.db)
    with db.connect(args.db) as con:
        frame = settings.list_settings(con)
    for r in frame.itertuples(index=False):
        print("  ".join(str(v) for v in r))
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("新密码（至少 10 位，不要用常见密码）/ new password: ")
        if getpass.getpass("再输一次 / again: ") != password:
            print("✗ 两次输入的密码不一致，未修改")
            return 1
    with db.write_lock(args.db):  # one writer at a time, users.json included
        f = auth.set_password(args.name, password, args.db)
    print(f"✓ 已为「{args.name}」设置上传密码（只保存加盐哈希）：{f}")
    return 0


def _area(con: object, wanted: str | None) -> str | None:
    """The area asked for, else 县城 when there is one, else the first area; None if unknown."""
    areas = calendar.areas(con)  # type: ignore[arg-type]
    if wanted:
        return wanted if wanted in areas else None
    return "县城" if "县城" in areas else (areas[0] if areas else None)


def _no_area(wanted: str | None) -> int:
    if wanted:
        print(f"✗ 没有名为「{wanted}」的片区（以网格名册中的片区为准）")
    else:
        print("✗ 数据库中还没有网格名册：先导入网格划分表")
    return 1


def cmd_bulletin(args: argparse.Namespace) -> int:
    from etl.output import bulletin_docx, bulletin_xlsx

    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in (".docx", ".xlsx"):
        print(f"✗ 输出文件应以 .docx（Word 简报）或 .xlsx（Excel 表格）结尾，收到：{out.name}")
        return 2
    with db.connect(args.db) as con:
        area = _area(con, args.area)
        if area is None:
            return _no_area(args.area)
        build = bulletin_docx.build_bulletin_docx if suffix == ".docx" else bulletin_xlsx.build_bulletin_xlsx
        data = build(con, area, args.month, issue_no=args.issue, issued_on=args.date)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    kind = "Word 简报" if suffix == ".docx" else "Excel 表格"
    print(f"✓ 已生成{area}{args.month.year}年{args.month.month}月工作简报（{kind}）：{out}")
    return 0


def cmd_notices(args: argparse.Namespace) -> int:
    from etl.output import notice_doc

    with db.connect(args.db) as con:
        area = _area(con, args.area)
        if area is None:
            return _no_area(args.area)
        drafts = notices.draft_notices(con, area, args.month)
    label = f"{area}{args.month.year}年{args.month.month}月"
    if args.draft:
        with db.connect(args.db) as con:
            files = notice_doc.month_documents(con, area, args.month, which="draft")
        written = notice_doc.write_documents(files, args.output)
        print(
            f"✓ {label}：按规则应发 {len(drafts)} 份，其中未下发的 {len(written)} 份已生成草稿（未登记下发）：{args.output}"
        )
        for f in written:
            print(f"  {f.name}")
        return 0
    issued = notice_events.issue_notices(area, args.month, path=args.db, on=args.date, by=args.by or "")
    with db.connect(args.db) as con:
        files = notice_doc.month_documents(con, area, args.month, which="issued")
    written = notice_doc.write_documents(files, args.output)
    before = len(written) - len(issued)
    print(
        f"✓ {label}：新下发 {len(issued)} 份通知"
        + (f"（另有 {before} 份此前已下发，未重复登记）" if before else "")
        + f"，共写出 {len(written)} 个文件：{args.output}"
    )
    for f in written:
        print(f"  {f.name}")
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    from etl.output import export

    frame = adhoc.run_select(args.query, args.db)
    if args.csv:
        out = Path(args.csv)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(export.csv_bytes(frame))
        print(f"✓ 已导出 {len(frame)} 行到 {out}（UTF-8 CSV，可用 Excel 打开）")
        return 0
    if frame.empty:
        print(f"（查询结果为空，列：{'、'.join(map(str, frame.columns))}）")
        return 0
    shown = frame.head(args.max_rows)
    print(shown.to_string(index=False))
    if len(frame) > len(shown):
        print(f"……共 {len(frame)} 行，只显示前 {len(shown)} 行（--max-rows 可改，--csv 文件 导出全部）")
    return 0


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str]] = {
    "load": (cmd_load, "校验并导入表格文件（每个文件整体导入或整体不导入）/ validate and load files"),
    "sample": (cmd_sample, "生成示例数据库 / build the sample database from data/sample"),
    "history": (cmd_history, "列出导入批次 / list batches"),
    "revert": (cmd_revert, "撤销一个批次 / revert one batch"),
    "rebuild": (cmd_rebuild, "从存档重建数据库 / rebuild the database from the archive"),
    "template": (cmd_template, "生成空白模板 / write the blank template of a kind"),
    "settings": (cmd_settings, "查看或修改考核设置 / list or change settings"),
    "passwd": (cmd_passwd, "设置数据上传的登录密码 / set an upload sign-in password"),
    "bulletin": (cmd_bulletin, "生成月度工作简报（.docx 或 .xlsx）/ write the monthly bulletin"),
    "notices": (cmd_notices, "生成并下发整改通知书（每份一个 .docx）/ write and issue the notices"),
    "sql": (cmd_sql, "只读查询视图，不锁住看板（只允许 SELECT）/ read-only query of the views"),
}


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", help="数据库文件（默认 $GRID_DB 或 data/grid.duckdb）/ database file", default=None
    )
    parser = argparse.ArgumentParser(
        prog="python -m etl",
        description="网格化管理考核看板：数据导入命令 / Grid assessment dashboard: data commands",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    helps = {name: text for name, (_, text) in COMMANDS.items()}

    p = sub.add_parser("load", parents=[common], help=helps["load"], description=helps["load"])
    p.add_argument("files", nargs="+", metavar="FILE", help="一个或多个文件 / files (.xlsx .xlsm .xls .csv)")
    p.add_argument("--kind", choices=KINDS, help="强制指定表格类型 / force the sheet kind")
    p.add_argument(
        "--month", type=_month_arg, help="表中未写月份时使用，如 2018-05 / month when the file has none"
    )
    p.add_argument("--year", type=_year_arg, help="表中未写年度时使用，如 2018 / year when the file has none")
    p.add_argument("--by", help="导入人姓名（默认当前用户）/ who loads")
    p.add_argument(
        "--allow-drop", action="store_true",
        help="确认新网格名册可以去掉已有考核记录的网格（或改片区名）/ accept a registry that drops grids with history",
    )  # fmt: skip

    p = sub.add_parser("sample", parents=[common], help=helps["sample"], description=helps["sample"])
    p.add_argument("--force", action="store_true", help="覆盖已有数据库 / replace an existing database")
    p.add_argument(
        "--first-run",
        action="store_true",
        help="仅在未指定数据库（GRID_DB、--db）且默认数据库不存在时生成（make run 使用）"
        " / only when no database is named and the default one does not exist (used by make run)",
    )

    sub.add_parser("history", parents=[common], help=helps["history"], description=helps["history"])

    p = sub.add_parser("revert", parents=[common], help=helps["revert"], description=helps["revert"])
    p.add_argument("batch_id", type=int, metavar="BATCH_ID", help="批次编号 / batch id")
    p.add_argument("--by", help="操作人 / who reverts")

    p = sub.add_parser("rebuild", parents=[common], help=helps["rebuild"], description=helps["rebuild"])
    p.add_argument("--to", help="写到另一个文件而不替换原库 / write to another file instead")

    p = sub.add_parser("template", parents=[common], help=helps["template"], description=helps["template"])
    p.add_argument("kind", choices=KINDS, metavar="KIND", help="类型 / kind: " + ", ".join(KINDS))
    p.add_argument("-o", "--output", required=True, help="输出 .xlsx 文件 / output file")

    p = sub.add_parser("settings", parents=[common], help=helps["settings"], description=helps["settings"])
    p.add_argument(
        "action",
        nargs="?",
        choices=["list", "set"],
        default="list",
        help="list 列出（默认）| set 修改 / list (default) or set",
    )
    p.add_argument("key", nargs="?", help="设置项 / key")
    p.add_argument("value", nargs="?", help="新值 / value")

    p = sub.add_parser("passwd", parents=[common], help=helps["passwd"], description=helps["passwd"])
    p.add_argument("name", metavar="NAME", help="登录名（记录为导入人）/ user name, recorded as loaded_by")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码 / read it from stdin")

    p = sub.add_parser("bulletin", parents=[common], help=helps["bulletin"], description=helps["bulletin"])
    p.add_argument(
        "--month", type=_month_arg, required=True, help="简报月份，如 2019-03 / month of the bulletin"
    )
    p.add_argument("--area", help="片区（默认 县城）/ area, default 县城")
    p.add_argument(
        "-o", "--output", required=True, help="输出文件 .docx 或 .xlsx / output file (.docx or .xlsx)"
    )
    p.add_argument(
        "--issue", type=int, help="期号（默认按当年检查次数）/ issue number, default: checks so far this year"
    )
    p.add_argument(
        "--date",
        type=_date_arg,
        help="印发日期，报送和整改状态截至该日（默认次月5日）/ bulletin date, statuses as of it; "
        "default the 5th of the following month",
    )

    p = sub.add_parser("notices", parents=[common], help=helps["notices"], description=helps["notices"])
    p.add_argument(
        "--month",
        type=_month_arg,
        required=True,
        help="通知所涉月份，如 2019-03 / month the notices are about",
    )
    p.add_argument("--area", help="片区（默认 县城）/ area, default 县城")
    p.add_argument("-o", "--output", required=True, help="输出文件夹 / output folder, one .docx per notice")
    p.add_argument("--date", type=_date_arg, help="下发日期（默认今天）/ date of issue, default today")
    p.add_argument("--by", help="下发人（默认当前用户）/ who issues")
    p.add_argument(
        "--draft", action="store_true", help="只生成草稿，不登记下发 / write drafts only, record nothing"
    )

    p = sub.add_parser("sql", parents=[common], help=helps["sql"], description=helps["sql"])
    p.add_argument(
        "query", metavar="SELECT", help='一条查询语句，如 "SELECT * FROM monthly_ranking LIMIT 10"'
    )
    p.add_argument("--csv", metavar="FILE", help="把全部结果导出为 CSV 文件 / write all rows to a CSV file")
    p.add_argument(
        "--max-rows", type=int, default=200, help="屏幕上最多显示的行数（默认 200）/ rows printed at most"
    )
    return parser


def _quiet_stdout() -> None:
    """After the reader of our output went away (`history | head`): nothing more to write, and
    no 'Exception ignored … BrokenPipeError' when Python flushes stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def log_bug(folder: Path, command: str) -> Path | None:
    """The exception being handled, with its traceback, appended to ERROR_LOG in folder (else
    in the temporary folder) for the maintainer; the file written, None when none could be."""
    for where in (folder, Path(tempfile.gettempdir())):
        try:
            where.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(where / ERROR_LOG, encoding="utf-8")
        except OSError:
            continue
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        try:
            log.exception("python -m etl %s failed", command)
        finally:
            log.removeHandler(handler)
            handler.close()
        return where / ERROR_LOG
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    handler = COMMANDS[args.command][0]
    try:
        try:
            return handler(args)
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except db.DatabaseMissing as exc:
        print(f"✗ {exc}。先运行 python -m etl sample 生成示例库，或用 load 导入数据")
        return 1
    except GridError as exc:  # expected: a busy database, a value not allowed, …
        print(f"✗ {exc.message}")
        return 1
    except KeyboardInterrupt:
        print("已中断")
        return 130
    except Exception:  # a bug: the traceback to the log, one Chinese sentence to the user
        where = log_bug(db.db_path(args.db).parent, args.command)
        print(BUG_MESSAGE.format(where=where) if where else BUG_MESSAGE_NO_LOG)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
