"""What grading writes: a gradebook CSV, feedback per student, Gradescope results, a class report.

::

    OUT/grades.csv                      student_id, name, total, max, one column per item, status
    OUT/feedback/<id>.md, <id>.html     per field: the answer, the verdict, the expected answer,
                                        follow-through, the diagnosed mistake and what it means
    OUT/gradescope/<id>/results.json    Gradescope's autograder format (score, one test per field)
    OUT/report.md, report.html          per item: mean, distribution, common mistakes; the manual-
                                        review list, answers with unknown ids, missing students

Everything is built in a temporary folder beside ``OUT`` and moved into place at the end, so a
failure leaves the previous results (or nothing), never half of them. Student text is escaped in
every format (HTML, Markdown tables, CSV). Same grades, same bytes.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from derive.errors import InputError
from problems.grading.decide import Verdict
from problems.grading.grader import ClassGrades, StudentGrade, item_means, mistake_counts

__all__ = [
    "MARKER",
    "VERDICT_WORDS",
    "check_out",
    "explain",
    "feedback_markdown",
    "grades_csv",
    "report_markdown",
    "safe_name",
    "write_outputs",
]

MARKER = ".derive-grade"  # a folder derive grade made (and may replace)
VERDICT_WORDS = {
    "right": "right",
    "partial": "partly right",
    "follow": "follow-through",
    "wrong": "wrong",
    "invalid": "could not be read",
    "blank": "no answer",
    "review": "to be checked by a person",
}
_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
    "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #bbb;padding:.3rem .6rem;"
    "text-align:left;vertical-align:top}code{font-family:ui-monospace,monospace;white-space:pre-wrap;"
    "word-break:break-all}.right,.follow{color:#166534}.partial,.review{color:#92400e}"
    ".wrong,.invalid,.blank{color:#991b1b}"
)


def _num(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def safe_name(student_id: str) -> str:
    """A file name for a student id (ids are restricted, but a key may have been edited)."""
    name = re.sub(r"[^A-Za-z0-9@._+-]", "_", student_id)[:64] or "_"
    return "_" + name if name.startswith(".") else name


def _describe(mistake: str) -> str:
    """A mistake's one-line explanation (for ``a or b``, each one's)."""
    from derive.mistakes import MISTAKES

    parts = []
    for name in mistake.split(" or "):
        m = MISTAKES.get(name)
        parts.append(m.description if m is not None else name.replace("_", " "))
    return "; or ".join(parts)


def explain(v: Verdict) -> str:
    """One line saying what happened, for a person."""
    parts = []
    if v.status in ("wrong", "partial", "follow", "invalid", "review", "blank"):
        parts.append(f"expected {v.expected}")
    if v.message:
        parts.append(v.message)
    if v.mistakes:
        if len(v.mistakes) == 1:
            parts.append(f"likely mistake: {v.mistakes[0]} ({_describe(v.mistakes[0])})")
        else:
            names = "; ".join(f"{m} ({_describe(m)})" for m in v.mistakes)
            parts.append(f"this is the answer one of these mistakes gives: {names}")
    return "; ".join(parts)


# --- CSV -----------------------------------------------------------------------------------------


def grades_csv(grades: ClassGrades) -> str:
    item_ids = [i["id"] for i in grades.items]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student_id", "name", "total", "max", *item_ids, "status"])
    for s in grades.students:
        by = {it.item: it.score for it in s.items}
        status = "graded" if s.submitted else "no submission"
        if any(v.status == "review" for v in s.verdicts()):
            status += "; to review"
        w.writerow([s.id, s.name, _num(s.total), _num(s.max), *(_num(by.get(i, 0.0)) for i in item_ids), status])
    return buf.getvalue()


# --- feedback ------------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'").replace("<", "&lt;")
    return text.replace("\n", " ")


def feedback_markdown(title: str, s: StudentGrade) -> str:
    lines = [f"# {_md_cell(title)}: feedback for {_md_cell(s.id)}" + (f" ({_md_cell(s.name)})" if s.name else ""), ""]
    lines.append(f"**Score: {_num(s.total)} of {_num(s.max)}**" + ("" if s.submitted else " (no answers received)"))
    for it in s.items:
        lines += ["", f"## {it.item}: {_num(it.score)} of {_num(it.points)}"]
        if it.convention:
            lines.append(f"\nYou used the {it.convention} sign convention throughout this item: that is accepted.")
        lines += ["", "| field | your answer | verdict | notes |", "|---|---|---|---|"]
        for v in it.verdicts:
            given = f"`{_md_cell(v.given)}`" if v.given else ""
            lines.append(f"| {v.column} | {given} | {VERDICT_WORDS[v.status]} | {_md_cell(explain(v))} |")
    return "\n".join(lines) + "\n"


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n{body}</body></html>\n"
    )


def feedback_html(title: str, s: StudentGrade) -> str:
    e = html.escape
    out = [f"<h1>{e(title)}: feedback for {e(s.id)}" + (f" ({e(s.name)})" if s.name else "") + "</h1>"]
    out.append(f"<p><strong>Score: {_num(s.total)} of {_num(s.max)}</strong>")
    out.append("" if s.submitted else " (no answers received)")
    out.append("</p>")
    for it in s.items:
        out.append(f"<h2>{e(it.item)}: {_num(it.score)} of {_num(it.points)}</h2>")
        if it.convention:
            out.append(f"<p>You used the {e(it.convention)} sign convention throughout this item: accepted.</p>")
        out.append("<table><tr><th>field</th><th>your answer</th><th>verdict</th><th>notes</th></tr>")
        for v in it.verdicts:
            out.append(
                f"<tr><td>{e(v.column)}</td><td><code>{e(v.given)}</code></td>"
                f'<td class="{v.status}">{VERDICT_WORDS[v.status]}</td><td>{e(explain(v))}</td></tr>'
            )
        out.append("</table>")
    return _page(f"{title}: {s.id}", "\n".join(out) + "\n")


def gradescope_json(s: StudentGrade) -> str:
    tests = []
    for it in s.items:
        share = it.points / len(it.verdicts) if it.verdicts else 0.0
        for v in it.verdicts:
            tests.append(
                {
                    "name": v.column,
                    "score": round(v.credit * share, 4),
                    "max_score": round(share, 4),
                    "status": "passed" if v.status == "right" else "failed",
                    "output": f"{VERDICT_WORDS[v.status]}" + (f": {explain(v)}" if explain(v) else ""),
                }
            )
    doc = {"score": round(s.total, 4), "visibility": "visible", "tests": tests}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


# --- the class report ----------------------------------------------------------------------------

_BINS = ("0", "< 25%", "25-50%", "50-75%", "75-100%", "full")  # the share of an item's points (_bin)


def _bin(score: float, points: float) -> str:
    if points <= 0:
        return "full"
    r = score / points
    if r <= 0:
        return "0"
    if r >= 1 - 1e-9:
        return "full"
    return "< 25%" if r < 0.25 else "25-50%" if r < 0.5 else "50-75%" if r < 0.75 else "75-100%"


def report_data(grades: ClassGrades) -> dict:
    means = item_means(grades)
    counts = mistake_counts(grades)
    items = []
    for meta in grades.items:
        iid = meta["id"]
        its = [it for s in grades.students if s.submitted for it in s.items if it.item == iid]
        dist = Counter(_bin(it.score, it.points) for it in its)
        statuses = Counter(v.status for it in its for v in it.verdicts)
        top = sorted(counts.get(iid, {}).items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        items.append(
            {
                "id": iid,
                "kind": meta.get("kind", ""),
                "points": float(meta.get("points", 0)),
                "mean": means.get(iid, 0.0),
                "distribution": {label: dist.get(label, 0) for label in _BINS},
                "statuses": dict(statuses),
                "mistakes": top,
            }
        )
    submitted = [s for s in grades.students if s.submitted]
    return {
        "students": len(grades.students),
        "submitted": len(submitted),
        "mean": sum(s.total for s in submitted) / len(submitted) if submitted else 0.0,
        "max": grades.students[0].max if grades.students else 0.0,
        "items": items,
    }


def report_markdown(grades: ClassGrades) -> str:
    d = report_data(grades)
    out = [f"# {_md_cell(grades.title)}: class report", ""]
    out.append(f"{d['submitted']} of {d['students']} students submitted; mean {_num(d['mean'])} of {_num(d['max'])}.")
    out += ["", "## Items", "", "| item | mean | 0 | < 25% | 25-50% | 50-75% | 75-100% | full | invalid | review |"]
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for it in d["items"]:
        dist = it["distribution"]
        cells = " | ".join(str(dist[label]) for label in _BINS)
        st = it["statuses"]
        out.append(
            f"| {it['id']} | {_num(it['mean'])} of {_num(it['points'])} | {cells} | {st.get('invalid', 0)} "
            f"| {st.get('review', 0)} |"
        )
    out += ["", "## Most common mistakes", ""]
    any_m = False
    for it in d["items"]:
        for name, n in it["mistakes"]:
            out.append(f"- {it['id']}: **{name}** in {n} answer{'s' if n != 1 else ''}: {_describe(name)}")
            any_m = True
    if not any_m:
        out.append("None diagnosed.")
    review = grades.review()
    out += ["", f"## To review by a person ({len(review)})", ""]
    out += [f"- {_md_cell(s.id)} {v.column}: `{_md_cell(v.given)}` ({_md_cell(v.message)})" for s, v in review]
    if not review:
        out.append("Nothing.")
    out += ["", f"## Answers with an id not in the key ({len(grades.unknown)})", ""]
    out += [f"- {_md_cell(u.id or '(no id)')} ({_md_cell(u.source)})" for u in grades.unknown] or ["None."]
    out += ["", f"## Students without answers ({len(grades.missing)})", ""]
    out += [f"- {_md_cell(s.id)}" + (f" ({_md_cell(s.name)})" if s.name else "") for s in grades.missing] or ["None."]
    if grades.notes:
        out += ["", "## Notes", ""] + [f"- {_md_cell(n)}" for n in grades.notes]
    return "\n".join(out) + "\n"


def report_html(grades: ClassGrades) -> str:
    e = html.escape
    d = report_data(grades)
    out = [f"<h1>{e(grades.title)}: class report</h1>"]
    out.append(
        f"<p>{d['submitted']} of {d['students']} students submitted; mean {_num(d['mean'])} of {_num(d['max'])}.</p>"
    )
    out.append("<h2>Items</h2><table><tr><th>item</th><th>mean</th>")
    out.append("".join(f"<th>{e(label)}</th>" for label in _BINS) + "<th>invalid</th><th>review</th></tr>")
    for it in d["items"]:
        dist, st = it["distribution"], it["statuses"]
        out.append(
            f"<tr><td>{e(it['id'])}</td><td>{_num(it['mean'])} of {_num(it['points'])}</td>"
            + "".join(f"<td>{dist[label]}</td>" for label in _BINS)
            + f"<td>{st.get('invalid', 0)}</td><td>{st.get('review', 0)}</td></tr>"
        )
    out.append("</table><h2>Most common mistakes</h2><ul>")
    for it in d["items"]:
        for name, n in it["mistakes"]:
            out.append(f"<li>{e(it['id'])}: <strong>{e(name)}</strong> in {n}: {e(_describe(name))}</li>")
    out.append("</ul>")
    review = grades.review()
    out.append(f"<h2>To review by a person ({len(review)})</h2><ul>")
    out += [f"<li>{e(s.id)} {e(v.column)}: <code>{e(v.given)}</code> ({e(v.message)})</li>" for s, v in review]
    out.append(f"</ul><h2>Answers with an id not in the key ({len(grades.unknown)})</h2><ul>")
    out += [f"<li>{e(u.id or '(no id)')} ({e(u.source)})</li>" for u in grades.unknown]
    out.append(f"</ul><h2>Students without answers ({len(grades.missing)})</h2><ul>")
    out += [f"<li>{e(s.id)}</li>" for s in grades.missing]
    out.append("</ul>")
    if grades.notes:
        out.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in grades.notes) + "</ul>")
    return _page(f"{grades.title}: class report", "\n".join(out) + "\n")


# --- writing -------------------------------------------------------------------------------------


def check_out(out: Path, *, force: bool = False) -> None:
    """Refuse an existing ``out`` that derive grade did not make (unless ``force``)."""
    if out.exists() and not force and not (out / MARKER).exists():
        if not out.is_dir() or any(out.iterdir()):
            raise InputError(f"{out} exists and was not made by derive grade; use --force to replace it", param="out")


def write_outputs(grades: ClassGrades, out: str | os.PathLike, *, force: bool = False) -> Path:
    """Write every output into ``out`` atomically (see the module doc). An existing ``out`` is
    replaced when ``derive grade`` made it (or with ``force``), refused otherwise."""
    out = Path(out)
    check_out(out, force=force)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        (tmp / MARKER).write_text("made by derive grade; the folder is replaced when grading runs again\n")
        (tmp / "grades.csv").write_text(grades_csv(grades), encoding="utf-8")
        (tmp / "report.md").write_text(report_markdown(grades), encoding="utf-8")
        (tmp / "report.html").write_text(report_html(grades), encoding="utf-8")
        fb, gs = tmp / "feedback", tmp / "gradescope"
        fb.mkdir()
        gs.mkdir()
        used: set[str] = set()
        for s in grades.students:
            name = safe_name(s.id)
            while name.lower() in used:
                name += "_"
            used.add(name.lower())
            (fb / f"{name}.md").write_text(feedback_markdown(grades.title, s), encoding="utf-8")
            (fb / f"{name}.html").write_text(feedback_html(grades.title, s), encoding="utf-8")
            (gs / name).mkdir()
            (gs / name / "results.json").write_text(gradescope_json(s), encoding="utf-8")
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=parent))
            os.replace(out, old / "previous")
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
