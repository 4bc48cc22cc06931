"""Words, numbers and letters rendered from the judgement trace (:mod:`junheng.engine.results`).

* :mod:`.numbers` — the number policy (one place for how every number prints);
* :mod:`.templates` — the zh/en sentence templates, one per (kind, case);
* :mod:`.words` — outcome, comparison, fact and level words;
* :mod:`.explain` — explanations of school rules, county criteria and the county verdict;
* :mod:`.letter` — the principal's letter.
"""
