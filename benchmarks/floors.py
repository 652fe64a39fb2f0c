"""The floor of a page: the cost of rendering its own template from data prepared in memory.

One request goes through the real view (the same code path, the same rows). When the view
calls ``render_template``, its context is kept and, still inside that request (before the
transaction boundary), ``render_template`` is called again ``repeat`` times with that very
context: every ORM object it holds is loaded by then, so these renders read no database
(the queries they make are counted, and shown beside the floor: they should be 0). What is
left is Jinja, the context processors, ``url_for`` and the formatting filters: what the page
cannot go below without a cheaper template.

Templates rendered from inside another one are part of the outer render (never counted
twice); a view rendering two templates in turn has a floor of their sum.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import before_render_template, render_template, template_rendered
from sqlalchemy import event


@dataclass
class Floor:
    times: list[float] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    queries: int = 0  # database queries made by the floor's renders (all of them)


class QueryCounter:
    """Counts the statements sent to the database while ``active``."""

    def __init__(self, engine):
        self.count = 0
        self.active = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args, **kwargs):
        if self.active:
            self.count += 1

    def during(self, fn):
        self.count, self.active = 0, True
        try:
            fn()
        finally:
            self.active = False
        return self.count


def page_queries(counter: QueryCounter, get) -> int:
    """The statements one request of the page sends (login lookup included)."""
    return counter.during(get)


def template_floor(app, counter: QueryCounter, get, repeat: int) -> Floor:
    """Request the page once through ``get``; time ``repeat`` renders of its own templates
    from the context the view built."""
    floor = Floor()
    per_template: list[list[float]] = []
    state = {"depth": 0, "timing": False}

    def before(sender, template, context, **extra):
        if not state["timing"]:
            state["depth"] += 1

    def rendered(sender, template, context, **extra):
        if state["timing"]:
            return
        state["depth"] -= 1
        if state["depth"]:
            return  # rendered from inside another template: part of that one's cost
        name = template.name
        kept = dict(context)
        state["timing"] = True
        times = []
        counter.count, counter.active = 0, True
        try:
            render_template(name, **kept)  # warm (the real render was the first)
            for _ in range(repeat):
                start = time.perf_counter()
                render_template(name, **kept)
                times.append(time.perf_counter() - start)
        finally:
            counter.active = False
            state["timing"] = False
        floor.queries += counter.count
        floor.templates.append(name)
        per_template.append(times)

    before_render_template.connect(before, app)
    template_rendered.connect(rendered, app)
    try:
        get()
    finally:
        before_render_template.disconnect(before, app)
        template_rendered.disconnect(rendered, app)
    if per_template:
        floor.times = [sum(run) for run in zip(*per_template, strict=True)]
    return floor


def render_in_request(app, get, repeat: int) -> list[float]:
    """The time each of ``repeat`` real requests of the page spent rendering its own
    template(s) (the outermost renders, as the floor counts them): the floor's work as the
    page does it, once, inside a request that has just run its view, where the floor
    renders the same context again and again."""
    times: list[float] = []
    state = {"depth": 0, "started": 0.0, "spent": 0.0}

    def before(sender, template, context, **extra):
        if not state["depth"]:
            state["started"] = time.perf_counter()
        state["depth"] += 1

    def rendered(sender, template, context, **extra):
        state["depth"] -= 1
        if not state["depth"]:
            state["spent"] += time.perf_counter() - state["started"]

    before_render_template.connect(before, app)
    template_rendered.connect(rendered, app)
    try:
        for _ in range(repeat):
            state["spent"] = 0.0
            get()
            times.append(state["spent"])
    finally:
        before_render_template.disconnect(before, app)
        template_rendered.disconnect(rendered, app)
    return times
