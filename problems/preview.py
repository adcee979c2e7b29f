"""One variant shown with its key (``derive homework --preview`` and ``derive key CODE``), and
the list of kinds (``derive homework --list``)."""

from __future__ import annotations

from derive.render.report import Heading, Para, Report, Table
from problems.answers import format_answer, judge
from problems.kind import Variant

__all__ = ["kinds_document", "kinds_report", "variant_report"]


def variant_report(v: Variant, code: str | None = None) -> Report:
    """The statement, the key's answers (with the mistakes each recognises), and the worked solution."""
    r = Report(f"{v.kind} ({v.difficulty})" + (f", variant {code}" if code else f", seed {v.seed}"))
    r.add(Heading("Statement"), *v.statement.blocks)
    rows = []
    for f in v.fields:
        wrong = [
            f"{m}: {format_answer(f, val)}"
            for m, val in f.mistakes.items()
            if val is not None and not judge(f, format_answer(f, val))
        ]
        rows.append([f.id, f.prompt[1], format_answer(f), "; ".join(wrong) or "-"])
    r.add(Heading("Key"), Table(["field", "asks for", "answer", "recognised mistakes"], rows))
    blind = [f"{fid}: {', '.join(ms)}" for fid, ms in v.indistinguishable.items()]
    if blind:
        r.add(Para("Mistakes that leave a field right (not detectable there): " + "; ".join(blind) + "."))
    alike = [f"{fid}: " + "; ".join(" = ".join(g) for g in gs) for fid, gs in v.confusable.items()]
    if alike:
        r.add(Para("Mistakes that give the same wrong answer (a grader cannot tell which): " + "; ".join(alike) + "."))
    for note in v.notes:
        r.add(Para("Note: " + note))
    r.add(Heading("Worked solution"), *v.solution.blocks)
    r.data = {
        "kind": v.kind,
        "difficulty": v.difficulty,
        "seed": v.seed,
        "code": code,
        "params": v.params,
        "fields": [
            {
                "id": f.id,
                "quantity": f.quantity,
                "type": f.type,
                "rule": f.rule.to_json(),
                "answer": format_answer(f),
                "mistakes": {m: (None if val is None else format_answer(f, val)) for m, val in f.mistakes.items()},
            }
            for f in v.fields
        ],
        "indistinguishable": {k: list(ms) for k, ms in v.indistinguishable.items()},
        "confusable": {k: [list(g) for g in gs] for k, gs in v.confusable.items()},
        "notes": list(v.notes),
    }
    return r


def kinds_document() -> list[dict]:
    from problems.kinds import all_kinds

    return [
        {
            "kind": k.name,
            "title": k.title,
            "difficulties": list(k.difficulties),
            "options": {
                n: {
                    "description": o.description,
                    "default": o.default,
                    "choices": list(o.choices) if o.choices else None,
                }
                for n, o in k.options.items()
            },
            "fixable": dict(k.fixable),
            "mistakes": list(k.mistakes),
        }
        for k in all_kinds()
    ]


def kinds_report() -> Report:
    r = Report("Exercise kinds")
    r.add(Para("Put a kind in a spec item as kind: NAME; options and fixed parameters as below."))
    for k in kinds_document():
        r.add(Heading(f"{k['kind']}: {k['title']}", level=3))
        opts = ", ".join(f"{n} (default {o['default']}): {o['description']}" for n, o in k["options"].items())
        r.add(Para("Difficulties: " + ", ".join(k["difficulties"]) + "."))
        r.add(Para("Options: " + (opts or "none") + "."))
        r.add(Para("Fixable: " + (", ".join(f"{n} ({d})" for n, d in k["fixable"].items()) or "none") + "."))
        r.add(Para("Recognised mistakes: " + (", ".join(k["mistakes"]) or "none") + "."))
    r.data = {"kinds": kinds_document()}
    return r
