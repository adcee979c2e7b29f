"""Grading: a class's typed answers checked against a ``derive homework`` key.

``key``          the machine key, loaded and validated (key.json)
``submissions``  answers as they arrive: the answers CSV, LMS quiz exports, a folder of answer files
``decide``       one field: read the text (never as code), judge it by the field's rule, name a mistake
``expressions``  two expressions equal as functions: seeded points, then SymPy in a killable worker
``follow``       follow-through (later fields right from the student's own earlier values) and the
                 accepted alternative sign convention, by rerunning the item's derivation
``grader``       a whole class, in worker processes with time and memory limits
``outputs``      grades CSV, feedback (Markdown, HTML), Gradescope results.json, the class report
"""
