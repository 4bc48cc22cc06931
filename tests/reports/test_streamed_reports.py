"""Reports written section by section (issue 12 item 4): fed in chunks, the writers give the same
file as for the whole run at once, and a section that brings a new indicator after earlier rows
were written still gives every grid row one cell per indicator."""

from __future__ import annotations

import io
import re

from junheng.cli.html_report import EvaluationHtml, evaluation_html
from junheng.engine.results import EvaluationRun


def _streamed_html(run: EvaluationRun, chunk: int) -> str:
    out = io.StringIO()
    with EvaluationHtml(out, run.envelope, "zh") as html:
        html.write_header()
        for i in range(0, len(run.schools), chunk):
            html.write_sections(run.schools[i:i + chunk])
        html.write_tail()
    return out.getvalue()


def test_html_in_chunks_is_the_whole_report(demo_run: EvaluationRun) -> None:
    whole = evaluation_html(demo_run, "zh")
    assert _streamed_html(demo_run, 1) == whole
    assert _streamed_html(demo_run, 3) == whole


def test_html_grid_row_written_before_a_new_indicator(demo_run: EvaluationRun) -> None:
    """The first section lacks the last indicator (8 in the demo run: 7 indicators and the count gate; it keeps 7): its
    row is spooled before the indicator is seen, and still ends with the empty 8th cell."""
    first = demo_run.schools[0]
    columns = list(dict.fromkeys(r.rule_id for s in demo_run.schools for r in s.results))
    assert len(columns) == 8
    fewer = first.model_copy(update={"results": tuple(r for r in first.results if r.rule_id != columns[-1])})
    others = [s.model_copy(update={"results": tuple(r for r in s.results if r.rule_id != columns[-1])})
              for s in demo_run.schools[1:4]]
    run = demo_run.model_copy(update={"schools": (fewer, *others, *demo_run.schools[4:])})
    html = _streamed_html(run, 2)
    rows = re.findall(r'<tr class="school [a-z]+">.*?</tr>', html)
    assert len(rows) == len(run.schools)
    for row in rows:
        assert row.count('<td class="mark') == 8  # one cell per indicator, every row
    for row in rows[:4]:  # the four sections without the 8th: an empty last cell
        assert re.search(r'<td class="mark"></td><td class="[a-z]+"><b>[^<]+</b></td></tr>$', row)
    assert html == evaluation_html(run, "zh")


def test_html_chunk_that_saw_the_indicators_in_another_order(demo_run: EvaluationRun) -> None:
    """From the third section on, each section lists its results in reverse: the second chunk
    (sections 3–4 with chunks of 2) first sees the indicators in reverse order, and its grid cells
    are put back in the report's column order (the first section's) — as in one chunk."""
    flipped = [s.model_copy(update={"results": s.results[::-1]}) for s in demo_run.schools[2:]]
    run = demo_run.model_copy(update={"schools": (*demo_run.schools[:2], *flipped)})
    whole = evaluation_html(run, "zh")
    assert _streamed_html(run, 2) == whole
    first_row = re.search(r'<tr class="school [a-z]+">.*?</tr>', whole)
    last_row = re.findall(r'<tr class="school [a-z]+">.*?</tr>', whole)[-1]
    assert first_row is not None
    titles = [re.findall(r'title="([^:"]+):', row) for row in (first_row.group(), last_row)]
    assert titles[0] == titles[1] and len(titles[0]) == 8  # the same column order in every row
